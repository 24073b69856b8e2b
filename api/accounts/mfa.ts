/**
 * TOTP enrolment: start (a new secret, pending), activate (a first valid code turns it on and
 * answers the recovery codes once). Activation revokes the account's other sessions, which were
 * opened without the second factor, and answers a fresh pair with `amr: [pwd, otp]`.
 */
import { randomBytes } from 'node:crypto';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { inTransaction } from '../db/pool.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { base32Encode } from '../auth/base32.js';
import { generateRecoveryCodes, hashRecoveryCode } from '../auth/recovery-codes.js';
import { revokeAllOfUser } from '../auth/refresh-tokens.js';
import { issueSession, type TokenPair } from '../auth/service.js';
import { defaultTotp, otpauthUri, verifyTotp } from '../auth/totp.js';
import {
  advanceTotpStep,
  liveUser,
  openTotpSecret,
  replaceRecoveryCodes,
  sealTotpSecret,
  setPendingTotp,
  toAccount,
} from './users.js';

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  digits: number;
  periodSec: number;
  algorithm: 'SHA1';
}

export async function startTotp(ctx: ApiContext, principal: AccessClaims): Promise<TotpEnrolment> {
  const row = await liveUser(ctx.pool, principal.sub);
  if (row.totp_enabled_at) throw new ApiError('SS_ERR_AUTH_MFA_ALREADY_ENROLLED');
  const secret = randomBytes(20); // 160 bits, RFC 4226 §4's recommendation
  await setPendingTotp(ctx.pool, row.id, sealTotpSecret(ctx.pii, row.id, secret));
  const account = toAccount(ctx.pii, row);
  return {
    secret: base32Encode(secret),
    otpauthUri: otpauthUri(secret, ctx.config.mfa.otpauthIssuer, account.email),
    digits: defaultTotp.digits,
    periodSec: defaultTotp.periodSec,
    algorithm: 'SHA1',
  };
}

export async function activateTotp(
  ctx: ApiContext,
  principal: AccessClaims,
  code: string,
): Promise<TokenPair & { recoveryCodes: string[] }> {
  await ctx.limits.consume('mfa-activate', principal.sub, {
    limit: ctx.config.mfa.maxCodeAttempts * 2,
    windowSec: 900,
  });
  return inTransaction(ctx.pool, async (c) => {
    const row = await liveUser(c, principal.sub, { forUpdate: true });
    if (row.totp_enabled_at) throw new ApiError('SS_ERR_AUTH_MFA_ALREADY_ENROLLED');
    const secret = openTotpSecret(ctx.pii, row);
    if (!secret) throw new ApiError('SS_ERR_AUTH_MFA_NOT_PENDING');
    const step = verifyTotp(secret, code, ctx.now().getTime());
    if (step === null || !(await advanceTotpStep(c, row.id, step, true)))
      throw new ApiError('SS_ERR_AUTH_MFA_CODE_INVALID');
    const recoveryCodes = generateRecoveryCodes(ctx.config.mfa.recoveryCodes);
    await replaceRecoveryCodes(c, row.id, recoveryCodes.map(hashRecoveryCode));
    await revokeAllOfUser(c, row.id, 'mfa-enrolled');
    const pair = await issueSession(ctx, c, row, ['pwd', 'otp']);
    return { ...pair, recoveryCodes };
  });
}
