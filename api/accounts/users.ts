/**
 * The users table: rows in, accounts out. Personal fields are sealed here and nowhere else, with the
 * row id and column name as authenticated data, so the rest of the API handles plaintext accounts.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors.js';
import { isUniqueViolation, type Queryable } from '../db/pool.js';
import type { Role } from '../auth/roles.js';
import { emailIndex, open, seal, type PiiKeyRing } from './pii.js';

export const locales = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof locales)[number];

export interface UserRow {
  id: string;
  email_enc: string | null;
  email_bidx: Buffer | null;
  name_enc: string | null;
  password_hash: string | null;
  role: Role;
  locale: Locale;
  session_epoch: number;
  totp_secret_enc: string | null;
  totp_enabled_at: Date | null;
  /** bigint arrives as a string from node-postgres. */
  totp_last_step: string | null;
  created_at: Date;
  updated_at: Date;
  erased_at: Date | null;
}

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  mfaEnabled: boolean;
  createdAt: Date;
}

const aad = (id: string, column: 'email' | 'name' | 'totp_secret') => `users.${column}:${id}`;

export const sealTotpSecret = (pii: PiiKeyRing, userId: string, secret: Buffer): string =>
  seal(pii, secret.toString('base64'), aad(userId, 'totp_secret'));
export const openTotpSecret = (pii: PiiKeyRing, row: Pick<UserRow, 'id' | 'totp_secret_enc'>): Buffer | null =>
  row.totp_secret_enc ? Buffer.from(open(pii, row.totp_secret_enc, aad(row.id, 'totp_secret')), 'base64') : null;

/** Decrypts a live account; erased rows have no account any more. */
export function toAccount(pii: PiiKeyRing, row: UserRow): Account {
  if (row.erased_at || !row.email_enc || !row.name_enc) throw new ApiError('SS_ERR_USER_NOT_FOUND');
  return {
    id: row.id,
    email: open(pii, row.email_enc, aad(row.id, 'email')),
    name: open(pii, row.name_enc, aad(row.id, 'name')),
    role: row.role,
    locale: row.locale,
    mfaEnabled: row.totp_enabled_at !== null,
    createdAt: row.created_at,
  };
}

/** @throws ApiError SS_ERR_AUTH_EMAIL_TAKEN when the e-mail (by blind index) is in use. */
export async function insertUser(
  db: Queryable,
  pii: PiiKeyRing,
  input: { email: string; name: string; locale: Locale; passwordHash: string },
): Promise<UserRow> {
  const id = randomUUID();
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (id, email_enc, email_bidx, name_enc, password_hash, locale)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        id,
        seal(pii, input.email, aad(id, 'email')),
        emailIndex(pii, input.email),
        seal(pii, input.name, aad(id, 'name')),
        input.passwordHash,
        input.locale,
      ],
    );
    return rows[0]!;
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_bidx_key')) throw new ApiError('SS_ERR_AUTH_EMAIL_TAKEN');
    throw err;
  }
}

export async function findUserByEmail(db: Queryable, pii: PiiKeyRing, email: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT * FROM users WHERE email_bidx = $1 AND erased_at IS NULL`, [
    emailIndex(pii, email),
  ]);
  return rows[0] ?? null;
}

export async function findUserById(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT * FROM users WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** A live (not erased) user, or SS_ERR_USER_NOT_FOUND. */
export async function liveUser(db: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<UserRow> {
  const row = await findUserById(db, id, opts);
  if (!row || row.erased_at) throw new ApiError('SS_ERR_USER_NOT_FOUND');
  return row;
}

export async function updatePasswordHash(db: Queryable, id: string, hash: string): Promise<void> {
  await db.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 AND erased_at IS NULL`, [
    id,
    hash,
  ]);
}

export async function setPendingTotp(db: Queryable, id: string, secretEnc: string): Promise<void> {
  await db.query(
    `UPDATE users SET totp_secret_enc = $2, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now() WHERE id = $1`,
    [id, secretEnc],
  );
}

/**
 * Records the time step of an accepted TOTP code, only if it is later than the last one accepted:
 * false means the code was already used (by this request's twin, say).
 */
export async function advanceTotpStep(db: Queryable, id: string, step: bigint, activate: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE users SET totp_last_step = $2, updated_at = now()${activate ? ', totp_enabled_at = now()' : ''}
      WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [id, step.toString()],
  );
  return rowCount === 1;
}

/** Bumps the session epoch (revoking every access token issued before) and answers the new one. */
export async function bumpSessionEpoch(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ session_epoch: number }>(
    `UPDATE users SET session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1 RETURNING session_epoch`,
    [id],
  );
  return rows[0]!.session_epoch;
}

/** Sets a role, bumps the session epoch and records who did it (null: an operator, outside the API). */
export async function setRole(
  db: Queryable,
  id: string,
  role: Role,
  changedBy: string | null,
): Promise<{ oldRole: Role; epoch: number }> {
  const { rows } = await db.query<{ old_role: Role; session_epoch: number }>(
    `WITH old AS (SELECT role FROM users WHERE id = $1 FOR UPDATE)
     UPDATE users u SET role = $2, session_epoch = u.session_epoch + 1, updated_at = now()
       FROM old WHERE u.id = $1 RETURNING old.role AS old_role, u.session_epoch`,
    [id, role],
  );
  const row = rows[0]!;
  await db.query(`INSERT INTO role_changes (user_id, old_role, new_role, changed_by) VALUES ($1, $2, $3, $4)`, [
    id,
    row.old_role,
    role,
    changedBy,
  ]);
  return { oldRole: row.old_role, epoch: row.session_epoch };
}

/** GDPR erasure: every personal column cleared, the row (and so the pseudonymous id) kept. */
export async function eraseUser(db: Queryable, id: string): Promise<number> {
  await db.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [id]);
  const { rows } = await db.query<{ session_epoch: number }>(
    `UPDATE users SET email_enc = NULL, email_bidx = NULL, name_enc = NULL, password_hash = NULL,
            totp_secret_enc = NULL, totp_enabled_at = NULL, totp_last_step = NULL,
            session_epoch = session_epoch + 1, erased_at = now(), updated_at = now()
      WHERE id = $1 RETURNING session_epoch`,
    [id],
  );
  return rows[0]!.session_epoch;
}

export async function replaceRecoveryCodes(db: Queryable, id: string, hashes: Buffer[]): Promise<void> {
  await db.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [id]);
  await db.query(`INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, [id, hashes]);
}

/** Marks a recovery code used; false when it is not one of the user's unused codes. */
export async function useRecoveryCode(db: Queryable, id: string, hash: Buffer): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
    [id, hash],
  );
  return rowCount === 1;
}

export async function countUnusedRecoveryCodes(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
    [id],
  );
  return rows[0]!.n;
}

export async function listRoleChanges(
  db: Queryable,
  id: string,
): Promise<{ oldRole: Role; newRole: Role; changedAt: Date }[]> {
  const { rows } = await db.query<{ oldRole: Role; newRole: Role; changedAt: Date }>(
    `SELECT old_role AS "oldRole", new_role AS "newRole", changed_at AS "changedAt" FROM role_changes WHERE user_id = $1 ORDER BY id`,
    [id],
  );
  return rows;
}
