/**
 * Refresh tokens in PostgreSQL: 256 random bits, stored as SHA-256, grouped in families (one per
 * login). A refresh rotates: the presented token is revoked (`rotated`) and a new one of the same
 * family is issued. Presenting a rotated token again means it leaked (or a client raced itself):
 * the whole family is revoked, the thief's copy and the owner's (OAuth 2.0 Security BCP §4.14.2).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PoolClient, Queryable } from '../db/pool.js';
import type { AuthMethod } from './access-tokens.js';

export type RevokeReason = 'rotated' | 'reused' | 'logout' | 'mfa-enrolled' | 'role-changed' | 'erased';

export const refreshTokenPattern = '^[A-Za-z0-9_-]{43}$';

const hashOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export interface IssuedRefresh {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export async function issueRefreshToken(
  c: PoolClient,
  input: { userId: string; familyId?: string; amr: AuthMethod[]; ttlSec: number },
): Promise<IssuedRefresh> {
  const token = randomBytes(32).toString('base64url');
  const { rows } = await c.query<{ family_id: string; expires_at: Date }>(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, amr, expires_at)
     VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), $3, $4, now() + make_interval(secs => $5))
     RETURNING family_id, expires_at`,
    [input.userId, input.familyId ?? null, hashOf(token), input.amr, input.ttlSec],
  );
  return { token, familyId: rows[0]!.family_id, expiresAt: rows[0]!.expires_at };
}

export type SpendResult =
  | { ok: true; userId: string; familyId: string; amr: AuthMethod[] }
  | { ok: false; code: 'SS_ERR_AUTH_REFRESH_INVALID' | 'SS_ERR_AUTH_REFRESH_REUSED' };

/**
 * Checks and revokes a presented refresh token; the caller issues its successor in the same
 * transaction. The row is locked, so two concurrent refreshes with one token cannot both succeed.
 * A refusal is answered, not thrown, because the family revocation of a reuse must be committed.
 */
export async function spendRefreshToken(c: PoolClient, token: string): Promise<SpendResult> {
  const { rows } = await c.query<{
    id: string;
    user_id: string;
    family_id: string;
    amr: AuthMethod[];
    expired: boolean;
    revoked_reason: RevokeReason | null;
  }>(
    `SELECT id, user_id, family_id, amr, expires_at <= now() AS expired, revoked_reason
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
    [hashOf(token)],
  );
  const row = rows[0];
  if (!row) return { ok: false, code: 'SS_ERR_AUTH_REFRESH_INVALID' };
  if (row.revoked_reason === 'rotated') {
    await revokeFamily(c, row.family_id, 'reused');
    return { ok: false, code: 'SS_ERR_AUTH_REFRESH_REUSED' };
  }
  if (row.revoked_reason !== null || row.expired) return { ok: false, code: 'SS_ERR_AUTH_REFRESH_INVALID' };
  await c.query(`UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'rotated' WHERE id = $1`, [row.id]);
  return { ok: true, userId: row.user_id, familyId: row.family_id, amr: row.amr };
}

export async function revokeFamily(c: PoolClient, familyId: string, reason: RevokeReason): Promise<void> {
  await c.query(
    `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
    [familyId, reason],
  );
}

/** Revokes the family of a presented token, if it is one of ours; answers its user, or null. */
export async function revokeFamilyOf(c: PoolClient, token: string, reason: RevokeReason): Promise<string | null> {
  const { rows } = await c.query<{ user_id: string; family_id: string }>(
    `SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $1`,
    [hashOf(token)],
  );
  if (!rows[0]) return null;
  await revokeFamily(c, rows[0].family_id, reason);
  return rows[0].user_id;
}

export async function revokeAllOfUser(
  c: PoolClient,
  userId: string,
  reason: RevokeReason,
  exceptFamily?: string,
): Promise<void> {
  await c.query(
    `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid)`,
    [userId, reason, exceptFamily ?? null],
  );
}

export interface SessionSummary {
  familyId: string;
  amr: AuthMethod[];
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: RevokeReason | null;
}

export async function listRefreshTokens(c: Queryable, userId: string): Promise<SessionSummary[]> {
  const { rows } = await c.query<SessionSummary>(
    `SELECT family_id AS "familyId", amr, created_at AS "createdAt", expires_at AS "expiresAt",
            revoked_at AS "revokedAt", revoked_reason AS "revokedReason"
       FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at`,
    [userId],
  );
  return rows;
}
