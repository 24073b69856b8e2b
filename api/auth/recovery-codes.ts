/**
 * TOTP recovery codes: 80 random bits each, shown once as `XXXX-XXXX-XXXX-XXXX` (base32), stored as
 * SHA-256. 80 bits make an offline search of the hashes hopeless, so a slow hash is not needed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from './base32.js';

export const recoveryCodePattern = '^[A-Za-z2-7]{4}-?[A-Za-z2-7]{4}-?[A-Za-z2-7]{4}-?[A-Za-z2-7]{4}$';

export function generateRecoveryCodes(n: number): string[] {
  return Array.from({ length: n }, () => base32Encode(randomBytes(10)).match(/.{4}/g)!.join('-'));
}

export const normalizeRecoveryCode = (code: string): string => code.replace(/-/g, '').toUpperCase();

export const hashRecoveryCode = (code: string): Buffer =>
  createHash('sha256').update(normalizeRecoveryCode(code), 'ascii').digest();

export const isRecoveryCode = (code: string): boolean => new RegExp(recoveryCodePattern).test(code);
