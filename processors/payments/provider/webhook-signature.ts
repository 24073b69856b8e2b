/**
 * HMAC-SHA256 webhook signatures in the scheme Stripe uses: the header `t=<unix seconds>,v1=<hex hmac>` where the
 * HMAC is over `<t>.<raw body>` with the endpoint's secret. The timestamp in the signed text stops a captured
 * delivery from being replayed later than `toleranceSec`. Shared by the sandbox provider (signs) and its client
 * (verifies).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SANDBOX_SIGNATURE_HEADER = 'seatstream-sandbox-signature';

export const signPayload = (secret: string, rawBody: Buffer | string, nowSec: number): string => {
  const mac = createHmac('sha256', secret).update(`${nowSec}.`).update(rawBody).digest('hex');
  return `t=${nowSec},v1=${mac}`;
};

export type SignatureProblem = 'missing' | 'malformed' | 'mismatch' | 'expired';

/** Null when the signature is good; else what is wrong with it. */
export function checkSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  nowSec: number,
  toleranceSec = 300,
): SignatureProblem | null {
  if (!header) return 'missing';
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const i = item.indexOf('=');
    if (i <= 0) return 'malformed';
    const k = item.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), item.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isSafeInteger(t) || candidates.length === 0) return 'malformed';
  const expected = Buffer.from(signPayload(secret, rawBody, t).split('v1=')[1]!, 'hex');
  const ok = candidates.some((c) => {
    const got = Buffer.from(c, 'hex');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!ok) return 'mismatch';
  if (Math.abs(nowSec - t) > toleranceSec) return 'expired';
  return null;
}
