import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, importJWK, type CryptoKey } from 'jose';
import { generateSigningKey, newKeySet, type JwtKeySet } from '../keys/jwt-keys.js';
import { AccessTokens } from './access-tokens.js';

const opts = { issuer: 'https://issuer.test', audience: 'seatstream-api', ttlSec: 600, clockToleranceSec: 30 };
const claims = {
  sub: '6f1d2a4e-1111-4c3b-9a55-000000000001',
  role: 'organizer' as const,
  amr: ['pwd' as const, 'otp' as const],
  sep: 3,
};
const now = new Date('2026-03-01T12:00:00Z');

async function setup(): Promise<{ set: JwtKeySet; tokens: AccessTokens }> {
  const set = newKeySet(await generateSigningKey());
  return { set, tokens: await AccessTokens.create(set, opts) };
}

describe('access tokens', () => {
  it('round-trips the claims; header says ES256, the kid and typ at+jwt', async () => {
    const { set, tokens } = await setup();
    const { token, claims: issued } = await tokens.sign(claims, now);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    assert.deepEqual(header, { alg: 'ES256', kid: set.current, typ: 'at+jwt' });
    const got = await tokens.verify(token, now);
    assert.deepEqual(got, issued);
    assert.equal(got.exp - got.iat, 600);
  });

  it('refuses an expired token with SS_ERR_AUTH_TOKEN_EXPIRED (beyond the clock tolerance)', async () => {
    const { tokens } = await setup();
    const { token } = await tokens.sign(claims, now);
    await tokens.verify(token, new Date(now.getTime() + 620_000)); // within tolerance
    await assert.rejects(tokens.verify(token, new Date(now.getTime() + 640_000)), {
      code: 'SS_ERR_AUTH_TOKEN_EXPIRED',
    });
  });

  it('refuses a wrong audience, a wrong issuer, a foreign key, a tampered payload and alg none', async () => {
    const { set, tokens } = await setup();
    const wrongAud = await (await AccessTokens.create(set, { ...opts, audience: 'partner-api' })).sign(claims, now);
    const wrongIss = await (await AccessTokens.create(set, { ...opts, issuer: 'https://evil.test' })).sign(claims, now);
    const foreign = await (await AccessTokens.create(newKeySet(await generateSigningKey()), opts)).sign(claims, now);
    const good = (await tokens.sign({ ...claims, role: 'organizer' }, now)).token;
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [h, Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url'), s].join('.');
    const none = new UnsecuredJWT({ role: 'admin', amr: ['pwd', 'otp'], sep: 0 })
      .setIssuer(opts.issuer)
      .setAudience(opts.audience)
      .setSubject(claims.sub)
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    for (const bad of [wrongAud.token, wrongIss.token, foreign.token, tampered, none, 'not.a.jwt', '']) {
      await assert.rejects(tokens.verify(bad, now), { code: 'SS_ERR_AUTH_TOKEN_INVALID' }, bad.slice(0, 40));
    }
  });

  it('refuses a token of our key without typ at+jwt or with an unknown role', async () => {
    const { set, tokens } = await setup();
    const key = set.keys[0]!;
    const priv = (await importJWK(key.privateJwk, 'ES256')) as CryptoKey;
    const base = (role: string, typ?: string) =>
      new SignJWT({ role, amr: ['pwd'], sep: 0 })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...(typ ? { typ } : {}) })
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setSubject(claims.sub)
        .setJti('j')
        .setIssuedAt(now)
        .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
        .sign(priv);
    await assert.rejects(tokens.verify(await base('customer'), now), { code: 'SS_ERR_AUTH_TOKEN_INVALID' });
    await assert.rejects(tokens.verify(await base('superuser', 'at+jwt'), now), { code: 'SS_ERR_AUTH_TOKEN_INVALID' });
    assert.equal((await tokens.verify(await base('customer', 'at+jwt'), now)).role, 'customer');
  });
});
