/*
 * libsrtp 3 compatibility header for building mediasoup's worker against Debian's libsrtp 2.5 (libsrtp2-dev).
 *
 * mediasoup 3.19 vendors a fork of libsrtp 3.0.0-beta and includes <srtp.h>; this directory comes first on the
 * include path, so the worker gets libsrtp 2's header plus the few libsrtp 3 names it uses:
 *
 *   - srtp_protect / srtp_protect_rtcp (ctx, in, in_len, out, &out_len, mki_index): libsrtp 2 protects in place
 *     (ctx, buf, &len) and assumes the buffer has room for the trailer; the wrappers copy into `out` after checking
 *     its capacity, then protect there. mediasoup always passes mki_index 0 and no MKI, which libsrtp 2's plain
 *     functions are.
 *   - srtp_unprotect / srtp_unprotect_rtcp (ctx, in, in_len, out, &out_len): mediasoup decrypts in place
 *     (in == out); the wrappers still move the bytes when the two differ.
 *   - srtp_stream_remove: libsrtp 2's srtp_remove_stream (both take the SSRC in network byte order).
 *   - srtp_err_status_buffer_small and srtp_err_status_cryptex_err: libsrtp 3 error codes (28 and 29 there) that
 *     libsrtp 2 never returns, which mediasoup's DepLibSRTP.cpp names in its table of messages.
 *
 * Everything else mediasoup calls (srtp_init, srtp_create, srtp_dealloc, the crypto policy setters, the event
 * handler, srtp_get_version_string) has the same signature in libsrtp 2.5. The SRTP round trip through a pair of
 * pipe transports in scripts/mediasoup/srtp-roundtrip.int.test.ts exercises these wrappers; a mediasoup upgrade
 * that changes the calls fails the build here or that test.
 */
#ifndef SEATSTREAM_LIBSRTP3_COMPAT_SRTP_H
#define SEATSTREAM_LIBSRTP3_COMPAT_SRTP_H

#include <srtp2/srtp.h>

#ifdef __cplusplus

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#define srtp_err_status_buffer_small (static_cast<srtp_err_status_t>(28))
#define srtp_err_status_cryptex_err (static_cast<srtp_err_status_t>(29))

namespace seatstream_srtp_compat
{
	/** Bytes libsrtp 2 may append to an RTCP packet: the trailer plus the 4-byte SRTCP index (E flag). */
	constexpr size_t RtcpTrailerLen = SRTP_MAX_TRAILER_LEN + 4;

	using InPlace = srtp_err_status_t (*)(srtp_t, void*, int*);

	/** Copies `in` to `out` (which must hold in_len + trailer bytes), runs libsrtp 2's in-place protect on it. */
	inline srtp_err_status_t protect(
	  InPlace fn, srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len, size_t trailer)
	{
		if (in_len > static_cast<size_t>(INT_MAX) - trailer || *out_len < in_len + trailer)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, in_len);
		int len = static_cast<int>(in_len);
		const srtp_err_status_t err = fn(ctx, out, &len);
		if (err == srtp_err_status_ok)
			*out_len = static_cast<size_t>(len);
		return err;
	}

	/** Moves `in` to `out` when they differ, runs libsrtp 2's in-place unprotect on it. */
	inline srtp_err_status_t unprotect(
	  InPlace fn, srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len)
	{
		if (in_len > static_cast<size_t>(INT_MAX) || *out_len < in_len)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, in_len);
		int len = static_cast<int>(in_len);
		const srtp_err_status_t err = fn(ctx, out, &len);
		if (err == srtp_err_status_ok)
			*out_len = static_cast<size_t>(len);
		return err;
	}
} // namespace seatstream_srtp_compat

// C++ overloads beside libsrtp 2's extern "C" functions of the same names (different arities).

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return seatstream_srtp_compat::protect(
	  ::srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return seatstream_srtp_compat::unprotect(::srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return seatstream_srtp_compat::protect(
	  ::srtp_protect_rtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len, seatstream_srtp_compat::RtcpTrailerLen);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return seatstream_srtp_compat::unprotect(::srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}

inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

#endif /* __cplusplus */

#endif /* SEATSTREAM_LIBSRTP3_COMPAT_SRTP_H */
