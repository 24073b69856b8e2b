/**
 * Access tokens: short-lived JWTs (RFC 9068 profile, `typ: at+jwt`) signed ES256 with the current key
 * of the key set, verified against every key of the set (the `kid` header picks one).
 *
 * Claims: `iss`, `aud`, `sub` (user id), `role`, `jti`, `iat`, `exp`, `amr` (RFC 8176: `pwd`, plus
 * `otp` once a TOTP code was verified in this session) and `sep`, the user's session epoch: bumping
 * it (role change, erasure) revokes every access token issued before (see sessions.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { ApiError } from '../errors.js';
import { publicJwks, signingAlg, validateKeySet, type JwtKeySet } from '../keys/jwt-keys.js';
import { isRole, type Role } from './roles.js';

export type AuthMethod = 'pwd' | 'otp';

export interface AccessClaims {
  sub: string;
  role: Role;
  jti: string;
  amr: AuthMethod[];
  sep: number;
  iat: number;
  exp: number;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSec: number;
  /** Tolerated clock difference when checking `exp`/`iat`. */
  clockToleranceSec: number;
}

const tokenType = 'at+jwt';

export class AccessTokens {
  private constructor(
    private readonly opts: AccessTokenOptions,
    private readonly signingKid: string,
    private readonly signingKey: CryptoKey,
    private readonly jwks: { keys: JWK[] },
    private readonly verifyKeys: ReturnType<typeof createLocalJWKSet>,
  ) {}

  static async create(set: JwtKeySet, opts: AccessTokenOptions): Promise<AccessTokens> {
    validateKeySet(set);
    const current = set.keys.find((k) => k.kid === set.current)!;
    const signingKey = (await importJWK(current.privateJwk, signingAlg)) as CryptoKey;
    const jwks = publicJwks(set);
    return new AccessTokens(opts, current.kid, signingKey, jwks, createLocalJWKSet(jwks));
  }

  get ttlSec(): number {
    return this.opts.ttlSec;
  }

  /** The public JWKS document, for `/.well-known/jwks.json`. */
  publicJwks(): { keys: JWK[] } {
    return this.jwks;
  }

  async sign(
    input: { sub: string; role: Role; amr: AuthMethod[]; sep: number },
    now: Date = new Date(),
  ): Promise<{ token: string; claims: AccessClaims }> {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: AccessClaims = { ...input, jti: randomUUID(), iat, exp: iat + this.opts.ttlSec };
    const token = await new SignJWT({ role: claims.role, amr: claims.amr, sep: claims.sep })
      .setProtectedHeader({ alg: signingAlg, kid: this.signingKid, typ: tokenType })
      .setIssuer(this.opts.issuer)
      .setAudience(this.opts.audience)
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(iat)
      .setExpirationTime(claims.exp)
      .sign(this.signingKey);
    return { token, claims };
  }

  /**
   * Verifies signature, `typ`, `iss`, `aud`, `exp`, `nbf`, an `iat` not in the future and the claim shapes.
   * @throws ApiError SS_ERR_AUTH_TOKEN_EXPIRED when expired, SS_ERR_AUTH_TOKEN_INVALID for anything else.
   */
  async verify(token: string, now: Date = new Date()): Promise<AccessClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.verifyKeys, {
        algorithms: [signingAlg],
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        typ: tokenType,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        // Also refuses an `iat` in the future (beyond the tolerance): a token is never valid before it was issued.
        maxTokenAge: this.opts.ttlSec,
        clockTolerance: this.opts.clockToleranceSec,
        currentDate: now,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new ApiError('SS_ERR_AUTH_TOKEN_EXPIRED');
      throw new ApiError('SS_ERR_AUTH_TOKEN_INVALID');
    }
    const { sub, jti, iat, exp, role, amr, sep } = payload as Record<string, unknown>;
    const amrOk = Array.isArray(amr) && amr.every((m) => m === 'pwd' || m === 'otp');
    if (
      typeof sub !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      !isRole(role) ||
      !amrOk ||
      !Number.isInteger(sep)
    ) {
      throw new ApiError('SS_ERR_AUTH_TOKEN_INVALID');
    }
    return { sub, jti, iat, exp, role, amr: amr as AuthMethod[], sep: sep as number };
  }
}
