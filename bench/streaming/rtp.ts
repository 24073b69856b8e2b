/**
 * RTP packets (RFC 3550) and VP8 payloads (RFC 7741), just what the streaming benchmark and the SRTP round-trip test
 * (scripts/mediasoup/srtp-roundtrip.int.test.ts) send through mediasoup and read back. Pure: bytes in, bytes out.
 */

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
}

const fixedHeaderLength = 12;

/** A version-2 RTP packet without CSRCs, header extensions or padding. */
export function buildRtpPacket(p: RtpPacket): Buffer {
  const packet = Buffer.allocUnsafe(fixedHeaderLength + p.payload.length);
  packet[0] = 0x80;
  packet[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  packet.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(p.timestamp >>> 0, 4);
  packet.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(packet, fixedHeaderLength);
  return packet;
}

/**
 * Reads an RTP packet as mediasoup forwards it: CSRCs and a header extension (mediasoup adds its own, abs-send-time
 * say) are skipped, padding is removed. Throws on what is not RTP version 2.
 */
export function parseRtpPacket(packet: Buffer): RtpPacket {
  if (packet.length < fixedHeaderLength || packet[0]! >> 6 !== 2) throw new Error('not an RTP version 2 packet');
  const csrcCount = packet[0]! & 0x0f;
  let offset = fixedHeaderLength + 4 * csrcCount;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) throw new Error('RTP header extension truncated');
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!;
  if (offset > end) throw new Error('RTP packet shorter than its header');
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}

/** Bytes of the VP8 payload descriptor vp8Payload writes (X and I set, a 15-bit picture id). */
export const vp8DescriptorLength = 4;

/**
 * A VP8 payload: the payload descriptor (RFC 7741 4.2: X set, S set on a frame's first packet, partition 0, I set
 * with a 15-bit picture id; mediasoup ignores VP8 without X and I, and rewrites the picture id per consumer) and, on a
 * frame's first packet, the start of the VP8 frame header, whose P bit (0 for a key frame) is what mediasoup reads to
 * decide whether a consumer may start forwarding; then `body`, which mediasoup forwards untouched.
 */
export function vp8Payload({
  keyFrame,
  firstOfFrame,
  pictureId,
  body,
}: {
  keyFrame: boolean;
  firstOfFrame: boolean;
  pictureId: number;
  body: Buffer;
}): Buffer {
  const descriptor = [0x80 | (firstOfFrame ? 0x10 : 0), 0x80, 0x80 | ((pictureId >> 8) & 0x7f), pictureId & 0xff];
  if (!firstOfFrame) return Buffer.concat([Buffer.from(descriptor), body]);
  // frame tag (P bit = !keyFrame, version 0, show_frame 1) then, for a key frame, the start code 9d 01 2a
  const tag = keyFrame ? [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a] : [0x11, 0x02, 0x00];
  return Buffer.concat([Buffer.from([...descriptor, ...tag]), body]);
}
