/**
 * Registration, login (password, then TOTP or a recovery code when enrolled), refresh rotation and
 * logout. Handlers call these; they answer data or throw `ApiError`.
 *
 * Second factor. Organizers and admins must have TOTP: their access token only acts in their role
 * when its `amr` holds `otp`. On their first login (no TOTP yet) the password alone gives a
 * restricted session (`mfaEnrolmentRequired: true`): enough for `/v1/me` and the enrolment
 * routes, refused with 403 SS_ERR_AUTH_MFA_REQUIRED on organizer and admin routes. Activating TOTP
 * revokes the account's other sessions and answers a new token pair with `amr: [pwd, otp]`; from
 * then on every login asks for the second step. Customers and partners may enrol too.
 */
import { ApiError } from '../errors.js';
import { inTransaction, type PoolClient } from '../db/pool.js';
import type { ApiContext } from '../context.js';
import { emailIndex } from '../accounts/pii.js';
import {
  findUserByEmail,
  insertUser,
  liveUser,
  openTotpSecret,
  toAccount,
  advanceTotpStep,
  useRecoveryCode,
  updatePasswordHash,
  type Account,
  type Locale,
  type UserRow,
} from '../accounts/users.js';
import type { AccessClaims, AuthMethod } from './access-tokens.js';
import type { LockSubject } from './limits.js';
import { hashRecoveryCode, isRecoveryCode } from './recovery-codes.js';
import { issueRefreshToken, revokeFamilyOf, spendRefreshToken } from './refresh-tokens.js';
import { requiresMfa } from './roles.js';
import { verifyTotp } from './totp.js';

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
  /** The role needs TOTP and this session has none yet: enrol before using organizer/admin routes. */
  mfaEnrolmentRequired: boolean;
}

export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}

/** Issues an access token and a refresh token (a new family unless `familyId` continues one). */
export async function issueSession(
  ctx: ApiContext,
  c: PoolClient,
  user: UserRow,
  amr: AuthMethod[],
  familyId?: string,
): Promise<TokenPair> {
  const refresh = await issueRefreshToken(c, { userId: user.id, familyId, amr, ttlSec: ctx.config.refreshTtlSec });
  const { token } = await ctx.tokens.sign({ sub: user.id, role: user.role, amr, sep: user.session_epoch }, ctx.now());
  return {
    tokenType: 'Bearer',
    accessToken: token,
    expiresIn: ctx.tokens.ttlSec,
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt.toISOString(),
    mfaEnrolmentRequired: requiresMfa(user.role) && !amr.includes('otp'),
  };
}

const accountSubject = (bidx: Buffer): LockSubject => ({ kind: 'account', id: bidx.toString('hex') });
const ipSubject = (ip: string): LockSubject => ({ kind: 'ip', id: ip });

export async function register(
  ctx: ApiContext,
  input: { email: string; password: string; name: string; locale: Locale },
  ip: string,
): Promise<Account> {
  await ctx.limits.consume('register', ip, ctx.config.limits.registerPerIp);
  const passwordHash = await ctx.passwords.hash(input.password);
  const row = await insertUser(ctx.pool, ctx.pii, {
    email: input.email,
    name: input.name.trim(),
    locale: input.locale,
    passwordHash,
  });
  return toAccount(ctx.pii, row);
}

export async function login(
  ctx: ApiContext,
  input: { email: string; password: string },
  ip: string,
): Promise<TokenPair | MfaChallenge> {
  await ctx.limits.consume('login', ip, ctx.config.limits.loginPerIp);
  const subjects = [accountSubject(emailIndex(ctx.pii, input.email)), ipSubject(ip)];
  await ctx.limits.assertNotLocked(subjects);
  const row = await findUserByEmail(ctx.pool, ctx.pii, input.email);
  const ok = row?.password_hash
    ? await ctx.passwords.verify(row.password_hash, input.password)
    : await ctx.passwords.verifyNothing(input.password);
  if (!row || !ok) {
    await ctx.limits.recordFailure(subjects);
    throw new ApiError('SS_ERR_AUTH_INVALID_CREDENTIALS');
  }
  if (ctx.passwords.needsRehash(row.password_hash!))
    await updatePasswordHash(ctx.pool, row.id, await ctx.passwords.hash(input.password));
  if (row.totp_enabled_at) {
    // Failures are cleared only once fully authenticated: else each password login would grant a
    // fresh allowance of second-factor guesses.
    const ttl = ctx.config.mfa.loginTtlSec;
    return { mfaRequired: true, mfaToken: await ctx.sessions.createMfaChallenge(row.id, ttl), expiresIn: ttl };
  }
  await ctx.limits.clearFailures(subjects[0]!);
  return inTransaction(ctx.pool, (c) => issueSession(ctx, c, row, ['pwd']));
}

/** Checks a TOTP code or a recovery code for a user with TOTP active; a code is accepted once. */
export async function checkSecondFactor(ctx: ApiContext, row: UserRow, code: string): Promise<boolean> {
  if (isRecoveryCode(code)) return useRecoveryCode(ctx.pool, row.id, hashRecoveryCode(code));
  const secret = openTotpSecret(ctx.pii, row);
  if (!secret) return false;
  const step = verifyTotp(secret, code, ctx.now().getTime(), {
    lastUsedStep: row.totp_last_step === null ? null : BigInt(row.totp_last_step),
  });
  return step !== null && (await advanceTotpStep(ctx.pool, row.id, step, false));
}

export async function loginSecondStep(
  ctx: ApiContext,
  input: { mfaToken: string; code: string },
  ip: string,
): Promise<TokenPair> {
  await ctx.limits.consume('mfa', ip, ctx.config.limits.tokenPerIp);
  const userId = await ctx.sessions.attemptMfaChallenge(input.mfaToken, ctx.config.mfa.maxCodeAttempts);
  if (!userId) throw new ApiError('SS_ERR_AUTH_MFA_TOKEN_INVALID');
  const row = await liveUser(ctx.pool, userId).catch(() => {
    throw new ApiError('SS_ERR_AUTH_MFA_TOKEN_INVALID');
  });
  if (!row.totp_enabled_at || !row.email_bidx) throw new ApiError('SS_ERR_AUTH_MFA_TOKEN_INVALID');
  const subjects = [accountSubject(row.email_bidx), ipSubject(ip)];
  await ctx.limits.assertNotLocked(subjects);
  if (!(await checkSecondFactor(ctx, row, input.code))) {
    await ctx.limits.recordFailure(subjects);
    throw new ApiError('SS_ERR_AUTH_MFA_CODE_INVALID');
  }
  if (!(await ctx.sessions.consumeMfaChallenge(input.mfaToken))) throw new ApiError('SS_ERR_AUTH_MFA_TOKEN_INVALID');
  await ctx.limits.clearFailures(subjects[0]!);
  return inTransaction(ctx.pool, (c) => issueSession(ctx, c, row, ['pwd', 'otp']));
}

export async function refresh(ctx: ApiContext, refreshToken: string, ip: string): Promise<TokenPair> {
  await ctx.limits.consume('refresh', ip, ctx.config.limits.tokenPerIp);
  const out = await inTransaction(ctx.pool, async (c) => {
    const spent = await spendRefreshToken(c, refreshToken);
    if (!spent.ok) return spent; // committed: a reuse's family revocation must stick
    const row = await liveUser(c, spent.userId);
    return { ok: true as const, pair: await issueSession(ctx, c, row, spent.amr, spent.familyId) };
  });
  if (!out.ok) throw new ApiError(out.code);
  return out.pair;
}

/** Revokes the refresh token's family and, when the caller showed its access token, that token too. Idempotent. */
export async function logout(ctx: ApiContext, refreshToken: string, access: AccessClaims | null): Promise<void> {
  await inTransaction(ctx.pool, (c) => revokeFamilyOf(c, refreshToken, 'logout'));
  if (access) await ctx.sessions.revokeAccessToken(access, ctx.now().getTime());
}
