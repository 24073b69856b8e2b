/**
 * Time-based one-time passwords, RFC 6238 (HOTP of RFC 4226 over 30-second steps), pure apart from
 * the clock the caller passes in. SHA-1 and 6 digits are what authenticator apps expect.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './base32.js';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: number;
  periodSec: number;
}

export const defaultTotp: TotpParams = { algorithm: 'sha1', digits: 6, periodSec: 30 };

/** HOTP (RFC 4226 §5.3): HMAC of the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(secret: Uint8Array, counter: bigint, algorithm: TotpAlgorithm = 'sha1', digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, '0');
}

/** The time step (T of RFC 6238 §4.2) that an instant falls in. */
export const timeStep = (nowMs: number, periodSec = defaultTotp.periodSec): bigint =>
  BigInt(Math.floor(nowMs / 1000 / periodSec));

export const totpAt = (secret: Uint8Array, nowMs: number, p: TotpParams = defaultTotp): string =>
  hotp(secret, timeStep(nowMs, p.periodSec), p.algorithm, p.digits);

/**
 * Checks a code against the steps around `nowMs` (±`window` steps for clock drift) and returns the
 * matching step, or null. Steps at or before `lastUsedStep` are refused, so a code works once.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  opts: { window?: number; lastUsedStep?: bigint | null; params?: TotpParams } = {},
): bigint | null {
  const p = opts.params ?? defaultTotp;
  if (!new RegExp(`^[0-9]{${p.digits}}$`).test(code)) return null;
  const window = opts.window ?? 1;
  const current = timeStep(nowMs, p.periodSec);
  let matched: bigint | null = null;
  // Every candidate is computed and compared, so the time taken does not tell which step matched.
  for (let d = -window; d <= window; d++) {
    const step = current + BigInt(d);
    if (step < 0n) continue;
    const expected = Buffer.from(hotp(secret, step, p.algorithm, p.digits));
    const ok = timingSafeEqual(expected, Buffer.from(code));
    if (ok && (opts.lastUsedStep == null || step > opts.lastUsedStep) && matched === null) matched = step;
  }
  return matched;
}

/** The `otpauth://totp/...` URI an authenticator app scans (Key Uri Format). */
export function otpauthUri(secret: Uint8Array, issuer: string, account: string, p: TotpParams = defaultTotp): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: p.algorithm.toUpperCase(),
    digits: String(p.digits),
    period: String(p.periodSec),
  });
  return `otpauth://totp/${label}?${q.toString()}`;
}
