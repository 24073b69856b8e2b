/**
 * Rate limits and login lockout, in Redis so that every API replica counts together.
 *
 * - `consume`: a fixed-window counter per (rule, subject), e.g. 30 logins per minute per IP.
 * - Lockout: failures per account (by e-mail blind index, so unknown e-mails are locked the same way
 *   and the answer tells nothing about which accounts exist) and per IP; at `maxFailures` within the
 *   window the subject is locked for `lockSec`. A success clears the account's failures.
 * Both answer 429 `SS_ERR_AUTH_RATE_LIMITED` with `Retry-After`.
 */
import type { Redis } from 'ioredis';
import type { Lockout, Window } from '../config.js';
import { rateLimited } from '../errors.js';

// INCR with the expiry set on the first hit; answers [count, ms left in the window].
const hitScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

// Counts a failure; at the threshold sets the lock and resets the counter. Answers the count.
const failScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return n
`;

export type LockSubject = { kind: 'account'; id: string } | { kind: 'ip'; id: string };

export class AuthLimits {
  constructor(
    private readonly redis: Redis,
    private readonly lockouts: { account: Lockout; ip: Lockout },
    private readonly prefix: string,
  ) {}

  /** @throws ApiError SS_ERR_AUTH_RATE_LIMITED when `subject` went over `w` for `rule`. */
  async consume(rule: string, subject: string, w: Window): Promise<void> {
    const key = `${this.prefix}rl:${rule}:${subject}`;
    const [count, pttl] = (await this.redis.eval(hitScript, 1, key, String(w.windowSec * 1000))) as [number, number];
    if (count > w.limit) throw rateLimited((pttl > 0 ? pttl : w.windowSec * 1000) / 1000);
  }

  /** @throws ApiError SS_ERR_AUTH_RATE_LIMITED while any of the subjects is locked. */
  async assertNotLocked(subjects: LockSubject[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const s of subjects) pipeline.pttl(this.lockKey(s));
    const results = (await pipeline.exec()) ?? [];
    let longest = 0;
    for (const [err, ttl] of results) {
      if (err) throw err;
      if (typeof ttl === 'number' && ttl > longest) longest = ttl;
    }
    if (longest > 0) throw rateLimited(longest / 1000);
  }

  async recordFailure(subjects: LockSubject[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const s of subjects) {
      const l = this.lockouts[s.kind];
      pipeline.eval(
        failScript,
        2,
        this.failKey(s),
        this.lockKey(s),
        String(l.windowSec * 1000),
        String(l.maxFailures),
        String(l.lockSec * 1000),
      );
    }
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  async clearFailures(subject: LockSubject): Promise<void> {
    await this.redis.del(this.failKey(subject));
  }

  private failKey(s: LockSubject): string {
    return `${this.prefix}fail:${s.kind}:${s.id}`;
  }

  private lockKey(s: LockSubject): string {
    return `${this.prefix}lock:${s.kind}:${s.id}`;
  }
}
