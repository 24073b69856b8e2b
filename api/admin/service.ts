/** Administration of accounts: read a user's administrative view, change a role. */
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { inTransaction } from '../db/pool.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { revokeAllOfUser } from '../auth/refresh-tokens.js';
import type { Role } from '../auth/roles.js';
import { findUserByEmail, findUserById, liveUser, setRole, type UserRow } from '../accounts/users.js';

export interface UserAdminView {
  id: string;
  role: Role;
  locale: string;
  mfaEnabled: boolean;
  createdAt: Date;
  erased: boolean;
}

const adminView = (row: UserRow): UserAdminView => ({
  id: row.id,
  role: row.role,
  locale: row.locale,
  mfaEnabled: row.totp_enabled_at !== null,
  createdAt: row.created_at,
  erased: row.erased_at !== null,
});

export async function getUser(ctx: ApiContext, userId: string): Promise<UserAdminView> {
  const row = await findUserById(ctx.pool, userId);
  if (!row) throw new ApiError('SS_ERR_USER_NOT_FOUND');
  return adminView(row);
}

/**
 * Changes a role. The user's sessions are revoked (refresh tokens now, access tokens through the
 * session epoch), so the new role, and the TOTP it may require, apply from the next login.
 */
export async function changeRole(
  ctx: ApiContext,
  admin: AccessClaims,
  userId: string,
  role: Role,
): Promise<UserAdminView> {
  if (userId === admin.sub) throw new ApiError('SS_ERR_ADMIN_SELF_ROLE_CHANGE');
  const out = await inTransaction(ctx.pool, async (c) => {
    const row = await liveUser(c, userId, { forUpdate: true });
    if (row.role === role) return { row, epoch: null };
    const { epoch } = await setRole(c, userId, role, admin.sub);
    await revokeAllOfUser(c, userId, 'role-changed');
    return { row: { ...row, role, session_epoch: epoch }, epoch };
  });
  if (out.epoch !== null) await ctx.sessions.publishEpoch(userId, out.epoch);
  return adminView(out.row);
}

/**
 * An operator's role change by e-mail, outside the API (the first admin has nobody to promote
 * them): `npx tsx api/admin/set-role.ts <email> <role>`. Same effects as `changeRole`.
 */
export async function operatorSetRole(
  ctx: Pick<ApiContext, 'pool' | 'pii' | 'sessions'>,
  email: string,
  role: Role,
): Promise<UserAdminView> {
  const out = await inTransaction(ctx.pool, async (c) => {
    const found = await findUserByEmail(c, ctx.pii, email);
    if (!found) throw new ApiError('SS_ERR_USER_NOT_FOUND');
    const row = await liveUser(c, found.id, { forUpdate: true });
    if (row.role === role) return { row, epoch: null };
    const { epoch } = await setRole(c, row.id, role, null);
    await revokeAllOfUser(c, row.id, 'role-changed');
    return { row: { ...row, role, session_epoch: epoch }, epoch };
  });
  if (out.epoch !== null) await ctx.sessions.publishEpoch(out.row.id, out.epoch);
  return adminView(out.row);
}
