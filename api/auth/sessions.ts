/**
 * Session state in Redis, shared by every API replica:
 *
 * - revoked access tokens: `jti` deny-list entries that expire with the token (logout);
 * - session epochs: a user's `session_epoch` (PostgreSQL) mirrored here for one access-token
 *   lifetime after it is bumped; a token whose `sep` is older is refused (role change, erasure).
 *   After that lifetime every older token has expired anyway, so the key may go;
 * - second-factor challenges: the opaque `mfaToken` of a password-verified login waiting for its
 *   TOTP or recovery code, single use, with a bounded number of attempts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AccessClaims } from './access-tokens.js';

// Counts an attempt on a challenge; past the limit it is deleted. Answers the user id, or false.
const mfaAttemptScript = `
local uid = redis.call('HGET', KEYS[1], 'uid')
if not uid then return false end
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if n > tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return false end
return uid
`;

export class Sessions {
  constructor(
    private readonly redis: Redis,
    private readonly accessTtlSec: number,
    private readonly prefix: string,
  ) {}

  private denyKey = (jti: string) => `${this.prefix}deny:${jti}`;
  private epochKey = (userId: string) => `${this.prefix}epoch:${userId}`;
  private mfaKey = (token: string) => `${this.prefix}mfa:${createHash('sha256').update(token).digest('hex')}`;

  /** Whether an access token was revoked (deny-listed, or issued before the user's current epoch). */
  async isRevoked(c: AccessClaims): Promise<boolean> {
    const [denied, epoch] = await this.redis.mget(this.denyKey(c.jti), this.epochKey(c.sub));
    return denied !== null || (epoch !== null && c.sep < Number(epoch));
  }

  async revokeAccessToken(c: Pick<AccessClaims, 'jti' | 'exp'>, nowMs = Date.now()): Promise<void> {
    const ttlMs = c.exp * 1000 - nowMs;
    if (ttlMs > 0) await this.redis.set(this.denyKey(c.jti), '1', 'PX', ttlMs);
  }

  /** Publishes a bumped epoch (after the PostgreSQL transaction that bumped it committed). */
  async publishEpoch(userId: string, epoch: number): Promise<void> {
    // One more minute than the token lifetime covers clock tolerance.
    await this.redis.set(this.epochKey(userId), String(epoch), 'EX', this.accessTtlSec + 60);
  }

  async createMfaChallenge(userId: string, ttlSec: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const key = this.mfaKey(token);
    await this.redis.multi().hset(key, 'uid', userId, 'attempts', '0').expire(key, ttlSec).exec();
    return token;
  }

  /** Counts an attempt; answers the challenge's user id, or null when unknown, expired or out of attempts. */
  async attemptMfaChallenge(token: string, maxAttempts: number): Promise<string | null> {
    const uid = await this.redis.eval(mfaAttemptScript, 1, this.mfaKey(token), String(maxAttempts));
    return typeof uid === 'string' ? uid : null;
  }

  /** Ends a challenge after a correct code; false when another request consumed it first. */
  async consumeMfaChallenge(token: string): Promise<boolean> {
    return (await this.redis.del(this.mfaKey(token))) === 1;
  }
}
