/**
 * Pseudonymous buyer references for partners: HMAC-SHA256(partner's secret salt, internal buyer id), base64url.
 *
 * Stable per partner (a partner can count returning buyers), different between partners (two partners cannot join
 * their data on it), and not reversible without the salt, which never leaves SeatStream (a random 256-bit key per
 * partner, made at onboarding, erased when the partner is deleted). Pure.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const newBuyerSalt = (): Buffer => randomBytes(32);

export function buyerRef(salt: Buffer, buyerId: string): string {
  if (salt.length < 32) throw new Error('a buyer salt has at least 256 bits');
  return createHmac('sha256', salt).update(buyerId, 'utf8').digest('base64url');
}
