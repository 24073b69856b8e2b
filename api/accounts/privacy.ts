/**
 * GDPR: export (art. 15/20) of everything the API holds about the account, and erasure (art. 17):
 * personal columns cleared, recovery codes deleted, every session revoked, the user id kept as the
 * pseudonym that bookings and the event log refer to.
 */
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { inTransaction } from '../db/pool.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { listRefreshTokens, revokeAllOfUser, type SessionSummary } from '../auth/refresh-tokens.js';
import { countUnusedRecoveryCodes, eraseUser, listRoleChanges, liveUser, toAccount, type Account } from './users.js';

export interface AccountExport {
  exportedAt: string;
  account: Account;
  mfa: { enabled: boolean; unusedRecoveryCodes: number };
  sessions: SessionSummary[];
  roleChanges: { oldRole: string; newRole: string; changedAt: Date }[];
}

export async function exportAccount(ctx: ApiContext, principal: AccessClaims): Promise<AccountExport> {
  const row = await liveUser(ctx.pool, principal.sub);
  const account = toAccount(ctx.pii, row);
  const [unusedRecoveryCodes, sessions, roleChanges] = await Promise.all([
    countUnusedRecoveryCodes(ctx.pool, row.id),
    listRefreshTokens(ctx.pool, row.id),
    listRoleChanges(ctx.pool, row.id),
  ]);
  return {
    exportedAt: ctx.now().toISOString(),
    account,
    mfa: { enabled: account.mfaEnabled, unusedRecoveryCodes },
    sessions,
    roleChanges,
  };
}

/** Erases the account after checking its password again (a stolen access token alone cannot). */
export async function eraseAccount(ctx: ApiContext, principal: AccessClaims, password: string): Promise<void> {
  await ctx.limits.consume('erase', principal.sub, { limit: 5, windowSec: 900 });
  const epoch = await inTransaction(ctx.pool, async (c) => {
    const row = await liveUser(c, principal.sub, { forUpdate: true });
    if (!row.password_hash || !(await ctx.passwords.verify(row.password_hash, password)))
      throw new ApiError('SS_ERR_AUTH_INVALID_CREDENTIALS');
    await revokeAllOfUser(c, row.id, 'erased');
    return eraseUser(c, row.id);
  });
  await ctx.sessions.publishEpoch(principal.sub, epoch);
}
