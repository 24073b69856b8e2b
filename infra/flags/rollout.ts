/**
 * A feature flag's rule and how it answers for one user. Pure: the store (store.ts) keeps rules in Redis, this
 * module parses them and decides.
 *
 *   on        every user
 *   off       nobody
 *   25%       a stable quarter of the users: the same user always gets the same answer for this flag, and raising
 *             the percentage only adds users (a user in at 10 % is still in at 25 %)
 *
 * The bucket is the first 32 bits of SHA-256(flag name + ":" + user id) scaled to [0, 100): uniform, independent
 * between flags (one flag's 10 % is not the next flag's 10 %), and the same in every process and language.
 */
import { createHash } from 'node:crypto';

export type FlagRule = { kind: 'on' } | { kind: 'off' } | { kind: 'percent'; percent: number };

export class FlagRuleError extends Error {
  readonly code = 'SS_ERR_FLAG_RULE';
  constructor(message: string) {
    super(message);
    this.name = 'SS_ERR_FLAG_RULE';
  }
}

export const flagNamePattern = /^[a-z][a-z0-9-]{0,62}$/;

/** `on`, `off` or a percentage `0%`…`100%` (up to two decimals). */
export function parseRule(text: string): FlagRule {
  const t = text.trim().toLowerCase();
  if (t === 'on') return { kind: 'on' };
  if (t === 'off') return { kind: 'off' };
  const m = /^(\d{1,3}(?:\.\d{1,2})?)%$/.exec(t);
  if (m) {
    const percent = Number(m[1]);
    if (percent <= 100) {
      if (percent === 0) return { kind: 'off' };
      if (percent === 100) return { kind: 'on' };
      return { kind: 'percent', percent };
    }
  }
  throw new FlagRuleError(`a flag rule is on, off or a percentage such as 25% (got '${text}')`);
}

export const formatRule = (r: FlagRule): string => (r.kind === 'percent' ? `${r.percent}%` : r.kind);

/** The user's bucket for this flag, in [0, 100). */
export function bucketOf(flag: string, userId: string): number {
  const digest = createHash('sha256').update(`${flag}:${userId}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/**
 * Whether the flag is on for this user. A percentage rollout needs a user: without one (an anonymous request) it
 * answers off, so a partial rollout never reaches callers it cannot keep apart.
 */
export function isOn(rule: FlagRule, flag: string, userId?: string): boolean {
  switch (rule.kind) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'percent':
      return userId !== undefined && bucketOf(flag, userId) < rule.percent;
    default: {
      const never: never = rule;
      return never;
    }
  }
}
