/**
 * Stream tokens: short-lived JWTs that let one user join one event's live stream, in one role.
 *
 * Signed ES256 with the API's current signing key (api/keys), like access tokens, but told apart from them three ways:
 * `typ: stream+jwt`, audience `seatstream-stream` and the claims; so an access token is never a stream token and a
 * stream token never opens the REST API. Claims: `iss aud sub jti iat exp`, `eid` (event id), `bid` (the booking that
 * entitles a viewer; null for a broadcaster) and `srl` (`viewer` | `broadcaster`).
 *
 * The API signs them (POST /v1/events/:eventId/stream-token); the streaming service verifies them with the same key
 * set when a viewer or broadcaster joins.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { ApiError } from '../errors.js';
import { publicJwks, signingAlg, validateKeySet, type JwtKeySet } from '../keys/jwt-keys.js';

export const STREAM_TOKEN_AUDIENCE = 'seatstream-stream';
const tokenType = 'stream+jwt';

export type StreamRole = 'viewer' | 'broadcaster';

export const isStreamRole = (v: unknown): v is StreamRole => v === 'viewer' || v === 'broadcaster';

export interface StreamClaims {
  sub: string;
  eventId: string;
  /** The confirmed booking that entitles a viewer; null for a broadcaster. */
  bookingId: string | null;
  role: StreamRole;
  jti: string;
  iat: number;
  exp: number;
}

export interface StreamTokenOptions {
  issuer: string;
  ttlSec: number;
  clockToleranceSec: number;
}

export class StreamTokens {
  private constructor(
    private readonly opts: StreamTokenOptions,
    private readonly signingKid: string,
    private readonly signingKey: CryptoKey,
    private readonly verifyKeys: ReturnType<typeof createLocalJWKSet>,
  ) {}

  static async create(set: JwtKeySet, opts: StreamTokenOptions): Promise<StreamTokens> {
    validateKeySet(set);
    const current = set.keys.find((k) => k.kid === set.current)!;
    const signingKey = (await importJWK(current.privateJwk, signingAlg)) as CryptoKey;
    return new StreamTokens(opts, current.kid, signingKey, createLocalJWKSet(publicJwks(set)));
  }

  get ttlSec(): number {
    return this.opts.ttlSec;
  }

  async sign(
    input: { sub: string; eventId: string; bookingId: string | null; role: StreamRole },
    now: Date = new Date(),
    ttlSec: number = this.opts.ttlSec,
  ): Promise<{ token: string; claims: StreamClaims }> {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: StreamClaims = { ...input, jti: randomUUID(), iat, exp: iat + ttlSec };
    const token = await new SignJWT({ eid: claims.eventId, bid: claims.bookingId, srl: claims.role })
      .setProtectedHeader({ alg: signingAlg, kid: this.signingKid, typ: tokenType })
      .setIssuer(this.opts.issuer)
      .setAudience(STREAM_TOKEN_AUDIENCE)
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(iat)
      .setExpirationTime(claims.exp)
      .sign(this.signingKey);
    return { token, claims };
  }

  /**
   * Verifies signature, `typ`, `iss`, `aud`, `exp` and the claim shapes.
   * @throws ApiError SS_ERR_STREAM_TOKEN_EXPIRED when expired, SS_ERR_STREAM_TOKEN_INVALID for anything else.
   */
  async verify(token: string, now: Date = new Date()): Promise<StreamClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.verifyKeys, {
        algorithms: [signingAlg],
        issuer: this.opts.issuer,
        audience: STREAM_TOKEN_AUDIENCE,
        typ: tokenType,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        clockTolerance: this.opts.clockToleranceSec,
        currentDate: now,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new ApiError('SS_ERR_STREAM_TOKEN_EXPIRED');
      throw new ApiError('SS_ERR_STREAM_TOKEN_INVALID');
    }
    const { sub, jti, iat, exp, eid, bid, srl } = payload as Record<string, unknown>;
    if (
      typeof sub !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      typeof eid !== 'string' ||
      !isStreamRole(srl) ||
      !(typeof bid === 'string' || (bid === null && srl === 'broadcaster'))
    )
      throw new ApiError('SS_ERR_STREAM_TOKEN_INVALID');
    return { sub, jti, iat, exp, eventId: eid, bookingId: bid, role: srl };
  }
}

/**
 * What a joining peer's stream token must say, given who the access token says they are and which event they ask for.
 * @throws ApiError SS_ERR_STREAM_TOKEN_NOT_YOURS, SS_ERR_STREAM_WRONG_EVENT
 */
export function checkStreamClaims(claims: StreamClaims, expected: { userId: string; eventId: string }): void {
  if (claims.sub !== expected.userId) throw new ApiError('SS_ERR_STREAM_TOKEN_NOT_YOURS');
  if (claims.eventId !== expected.eventId) throw new ApiError('SS_ERR_STREAM_WRONG_EVENT');
}
