/**
 * Tokens. An access token is accepted only when it is an ES256 JWT of `typ: at+jwt`, signed by a key of our key set,
 * for our issuer and audience, within its lifetime, not revoked, of a live account. Every other bearer is refused
 * with 401, a stable code and a `WWW-Authenticate: Bearer error="invalid_token"` challenge, on a representative route
 * of each role family: customer, organizer, admin, partner.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWTPayload } from 'jose';
import type { Role } from '../../api/auth/roles.js';
import type { Harness } from '../../api/testing/harness.js';
import { assertRefused, oneOfEachRole, securityHarness, type SignedIn } from './testing.js';

/** A route each role family reaches (partners reach what any signed-in account reaches). */
const representative: Record<Role, string> = {
  customer: '/v1/me/bookings',
  organizer: '/v1/organizer/venues',
  admin: '/v1/admin/partners',
  partner: '/v1/me',
};

const b64 = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

describe('security: access tokens', () => {
  let h: Harness;
  let who: Record<Role, SignedIn>;
  let ourKey: CryptoKey;
  let kid: string;

  before(async () => {
    h = await securityHarness();
    who = await oneOfEachRole(h);
    const current = h.secrets.jwtKeys.keys.find((k) => k.kid === h.secrets.jwtKeys.current)!;
    kid = current.kid;
    ourKey = (await importJWK(current.privateJwk, 'ES256')) as CryptoKey;
  });
  after(async () => {
    await h.close();
  });

  /** The claims of a signed-in account's real token, to re-sign with changes. */
  const claimsOf = (s: SignedIn): JWTPayload => decodeJwt(s.accessToken);
  const nowSec = () => Math.floor(h.now().getTime() / 1000);

  const signOurs = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header }).sign(ourKey);

  /** Every bad bearer for an account, with the code it must get. */
  async function badTokensFor(s: SignedIn): Promise<[string, string, string][]> {
    const claims = claimsOf(s);
    const [head, payload] = s.accessToken.split('.') as [string, string, string];
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const foreignSigned = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .sign(attacker.privateKey);
    // Key confusion: HS256 with our public key (as published in the JWKS, and as PEM) used as the HMAC secret.
    const jwks = (await h.inject({ url: '/.well-known/jwks.json' })).json() as { keys: Record<string, string>[] };
    const publicJwk = jwks.keys.find((k) => k.kid === kid)!;
    const publicPem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hs256 = (secret: string | Buffer) => {
      const signingInput = `${b64({ alg: 'HS256', kid, typ: 'at+jwt' })}.${payload}`;
      return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
    };
    const unsigned = `${b64({ alg: 'none', kid, typ: 'at+jwt' })}.${payload}`;
    const t = nowSec();
    const refreshShaped = s.refreshToken;
    const other = s === who.customer ? who.partner : who.customer;
    return [
      ['forged signature (an attacker key, our kid)', foreignSigned, 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'signature of another token',
        `${head}.${payload}.${other.accessToken.split('.')[2]}`,
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
      ['alg none, empty signature', `${unsigned}.`, 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['alg none, any signature', `${unsigned}.${b64('x')}`, 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['HS256 keyed with the public JWK', hs256(JSON.stringify(publicJwk)), 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['HS256 keyed with the public key PEM', hs256(String(publicPem)), 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'an embedded attacker key (jwk header)',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: attackerJwk })
          .sign(attacker.privateKey),
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
      ['an unknown kid', await signOurs(claims, { kid: `k-${randomUUID()}` }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'no typ at+jwt',
        await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(ourKey),
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
      ['expired', await signOurs({ ...claims, iat: t - 3600, exp: t - 600 }), 'SS_ERR_AUTH_TOKEN_EXPIRED'],
      ['not yet valid (nbf in an hour)', await signOurs({ ...claims, nbf: t + 3600 }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'issued in the future (iat in an hour)',
        await signOurs({ ...claims, iat: t + 3600, exp: t + 4200 }),
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
      ['wrong audience', await signOurs({ ...claims, aud: 'another-api' }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['wrong issuer', await signOurs({ ...claims, iss: 'https://evil.example' }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['without exp', await signOurs({ ...claims, exp: undefined }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['an unknown role', await signOurs({ ...claims, role: 'root' }), 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'payload changed after signing (role admin, another subject)',
        `${head}.${b64({ ...claims, sub: other.user.id, role: 'admin', amr: ['pwd', 'otp'] })}.${s.accessToken.split('.')[2]}`,
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
      ['a refresh token as access token', refreshShaped, 'SS_ERR_AUTH_TOKEN_INVALID'],
      [
        'a refresh token dressed as a JWT',
        `${head}.${b64(refreshShaped)}.${refreshShaped}`,
        'SS_ERR_AUTH_TOKEN_INVALID',
      ],
    ];
  }

  for (const role of ['customer', 'organizer', 'admin', 'partner'] as const) {
    it(`${role}: ${representative[role]} takes the real token and refuses every bad one with 401 and its code`, async () => {
      const s = who[role];
      const ok = await h.inject({ url: representative[role], token: s.accessToken });
      assert.equal(ok.statusCode, 200, `the real token: ${ok.body}`);
      for (const [what, token, code] of await badTokensFor(s)) {
        const res = await h.inject({ url: representative[role], headers: { authorization: `Bearer ${token}` } });
        assertRefused(res, `${role}, ${what}`, 401, code);
        assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/, `${role}, ${what}`);
      }
      for (const authorization of ['', 'Bearer ', `Basic ${b64('a:b')}`, `Bearer ${s.accessToken}, Bearer x.y.z`]) {
        const res = await h.inject({ url: representative[role], headers: { authorization } });
        assertRefused(res, `${role}, Authorization "${authorization.slice(0, 20)}"`, 401);
      }
    });
  }

  it('a token of an erased account is refused on every role family (401 SS_ERR_AUTH_TOKEN_REVOKED), and a copy re-signed with an old epoch too', async () => {
    // Fresh accounts: erasing ends them.
    const erased = await oneOfEachRole(h);
    for (const role of ['customer', 'organizer', 'admin', 'partner'] as const) {
      const s = erased[role];
      const del = await h.inject({
        method: 'DELETE',
        url: '/v1/me',
        token: s.accessToken,
        payload: { password: s.user.password },
      });
      assert.equal(del.statusCode, 204, `${role} erasure: ${del.body}`);
      const res = await h.inject({ url: representative[role], token: s.accessToken });
      assertRefused(res, `${role} after erasure`, 401, 'SS_ERR_AUTH_TOKEN_REVOKED');
      // Even a token minted now with the erased account's old session epoch (a leaked key aside, only we can).
      const again = await signOurs({ ...claimsOf(s), jti: randomUUID(), iat: nowSec(), exp: nowSec() + 600 });
      assertRefused(
        await h.inject({ url: representative[role], token: again }),
        `${role} re-signed`,
        401,
        'SS_ERR_AUTH_TOKEN_REVOKED',
      );
      // The refresh token of the erased account gets nothing either.
      const refresh = await h.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken: s.refreshToken },
      });
      assertRefused(refresh, `${role} refresh after erasure`, 401, 'SS_ERR_AUTH_REFRESH_INVALID');
    }
  });

  it('a token of a role that was taken away is refused (the role change ends the sessions: 401 SS_ERR_AUTH_TOKEN_REVOKED)', async () => {
    const s = (await oneOfEachRole(h)).organizer;
    await h.setRole(s.user, 'customer');
    assertRefused(
      await h.inject({ url: representative.organizer, token: s.accessToken }),
      'demoted organizer',
      401,
      'SS_ERR_AUTH_TOKEN_REVOKED',
    );
  });
});
