/** JSON Schemas of the auth area: request fields and token answers. */
import { locales } from '../accounts/users.js';
import { recoveryCodePattern } from './recovery-codes.js';
import { refreshTokenPattern } from './refresh-tokens.js';

export const email = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const;
/** 10 characters at least (NIST SP 800-63B asks 8; passphrases welcome), 128 at most: argon2 hashes are not free. */
export const newPassword = { type: 'string', minLength: 10, maxLength: 128 } as const;
export const password = { type: 'string', minLength: 1, maxLength: 128 } as const;
export const personName = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
export const locale = { type: 'string', enum: locales } as const;
export const opaqueToken = { type: 'string', pattern: refreshTokenPattern } as const;
export const totpCode = { type: 'string', pattern: '^[0-9]{6}$' } as const;
export const secondFactorCode = {
  type: 'string',
  description: 'A 6-digit TOTP code, or one of the recovery codes (XXXX-XXXX-XXXX-XXXX)',
  pattern: `^[0-9]{6}$|${recoveryCodePattern}`,
} as const;

export const TokenPair = {
  $id: 'TokenPair',
  type: 'object',
  required: ['tokenType', 'accessToken', 'expiresIn', 'refreshToken', 'refreshExpiresAt', 'mfaEnrolmentRequired'],
  additionalProperties: false,
  properties: {
    tokenType: { type: 'string', enum: ['Bearer'] },
    accessToken: { type: 'string', description: 'JWT (ES256, typ at+jwt), short-lived' },
    expiresIn: { type: 'integer', description: 'seconds until the access token expires' },
    refreshToken: { type: 'string', description: 'opaque; single use: each refresh returns a new one' },
    refreshExpiresAt: { type: 'string', format: 'date-time' },
    mfaEnrolmentRequired: {
      type: 'boolean',
      description: 'the role requires TOTP and this session has none: enrol at /v1/me/mfa/totp',
    },
  },
} as const;

export const MfaChallenge = {
  $id: 'MfaChallenge',
  type: 'object',
  required: ['mfaRequired', 'mfaToken', 'expiresIn'],
  additionalProperties: false,
  properties: {
    mfaRequired: { type: 'boolean', enum: [true] },
    mfaToken: { type: 'string', description: 'send it with the code to /v1/auth/login/totp' },
    expiresIn: { type: 'integer' },
  },
} as const;

export const authSchemas = [TokenPair, MfaChallenge];
