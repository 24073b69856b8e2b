/**
 * SCRAM credentials as Kafka stores them (RFC 5802, RFC 7677): the client side of AlterUserScramCredentials sends
 * a random salt and the salted password Hi(password, salt, i) = PBKDF2-HMAC(password, salt, i, hash length); the
 * password itself never leaves this process. Pure (but for the random salt and password).
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Mechanism numbers of the Admin API (org.apache.kafka.clients.admin.ScramMechanism). */
export const mechanismCodes: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

const hashes: Record<ScramMechanism, { digest: 'sha256' | 'sha512'; length: number; minIterations: number }> = {
  'SCRAM-SHA-256': { digest: 'sha256', length: 32, minIterations: 4096 },
  'SCRAM-SHA-512': { digest: 'sha512', length: 64, minIterations: 4096 },
};

/** Kafka refuses fewer than 4096 and more than 16384 iterations; 8192 doubles the minimum's cost to a guesser. */
export const defaultIterations = 8192;

export interface ScramUpsertion {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

/** Hi(password, salt, iterations) of the mechanism. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const h = hashes[mechanism];
  if (iterations < h.minIterations || iterations > 16384)
    throw new RangeError(`${mechanism} needs 4096 to 16384 iterations, not ${iterations}`);
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, h.length, h.digest);
}

/** A credential for `user` with a fresh random salt. */
export function scramUpsertion(
  user: string,
  password: string,
  mechanism: ScramMechanism = 'SCRAM-SHA-512',
  iterations = defaultIterations,
): ScramUpsertion {
  const salt = randomBytes(32);
  return { user, mechanism, iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) };
}

/** A password for a machine: 256 random bits, URL-safe base64 (43 characters, nothing a shell or a URL mangles). */
export const newPassword = (): string => randomBytes(32).toString('base64url');
