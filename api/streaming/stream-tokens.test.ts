import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AccessTokens } from '../auth/access-tokens.js';
import { ApiError } from '../errors.js';
import { generateSigningKey, newKeySet } from '../keys/jwt-keys.js';
import { checkStreamClaims, StreamTokens } from './stream-tokens.js';

const opts = { issuer: 'https://seatstream.test', ttlSec: 300, clockToleranceSec: 5 };
const viewer = { sub: 'u-1', eventId: 'evt-1', bookingId: 'B-1', role: 'viewer' as const };

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof ApiError ? err.code : String(err)),
  );

describe('stream tokens', () => {
  it('round-trips the claims of a viewer and of a broadcaster', async () => {
    const tokens = await StreamTokens.create(newKeySet(await generateSigningKey()), opts);
    const now = new Date('2026-01-01T10:00:00Z');
    const { token, claims } = await tokens.sign(viewer, now);
    assert.equal(claims.exp - claims.iat, 300);
    assert.deepEqual(await tokens.verify(token, now), claims);
    const b = await tokens.sign({ sub: 'org-1', eventId: 'evt-1', bookingId: null, role: 'broadcaster' }, now);
    assert.deepEqual(await tokens.verify(b.token, now), b.claims);
  });

  it('refuses an expired token with its own code, a forged or foreign one as invalid', async () => {
    const set = newKeySet(await generateSigningKey());
    const tokens = await StreamTokens.create(set, opts);
    const now = new Date('2026-01-01T10:00:00Z');
    const { token } = await tokens.sign(viewer, now);
    assert.equal(await code(tokens.verify(token, new Date(now.getTime() + 306_000))), 'SS_ERR_STREAM_TOKEN_EXPIRED');

    const other = await StreamTokens.create(newKeySet(await generateSigningKey()), opts);
    const forged = (await other.sign(viewer, now)).token;
    assert.equal(await code(tokens.verify(forged, now)), 'SS_ERR_STREAM_TOKEN_INVALID');
    const [h, p] = token.split('.');
    assert.equal(await code(tokens.verify(`${h}.${p}.${'A'.repeat(86)}`, now)), 'SS_ERR_STREAM_TOKEN_INVALID');
    const elsewhere = await StreamTokens.create(set, { ...opts, issuer: 'https://elsewhere.test' });
    assert.equal(
      await code(tokens.verify((await elsewhere.sign(viewer, now)).token, now)),
      'SS_ERR_STREAM_TOKEN_INVALID',
    );
  });

  it('is never an access token, and an access token is never a stream token', async () => {
    const set = newKeySet(await generateSigningKey());
    const streams = await StreamTokens.create(set, opts);
    const access = await AccessTokens.create(set, { ...opts, audience: 'seatstream-api' });
    const now = new Date();
    const at = await access.sign({ sub: 'u-1', role: 'customer', amr: ['pwd'], sep: 0 }, now);
    assert.equal(await code(streams.verify(at.token, now)), 'SS_ERR_STREAM_TOKEN_INVALID');
    const st = await streams.sign(viewer, now);
    assert.equal(await code(access.verify(st.token, now)), 'SS_ERR_AUTH_TOKEN_INVALID');
  });

  it('refuses a viewer token without a booking, even when properly signed', async () => {
    const set = newKeySet(await generateSigningKey());
    const tokens = await StreamTokens.create(set, opts);
    const { importJWK } = await import('jose');
    const key = await importJWK(set.keys[0]!.privateJwk, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ eid: 'evt-1', bid: null, srl: 'viewer' })
      .setProtectedHeader({ alg: 'ES256', kid: set.current, typ: 'stream+jwt' })
      .setIssuer(opts.issuer)
      .setAudience('seatstream-stream')
      .setSubject('u-1')
      .setJti('j-1')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    assert.equal(await code(tokens.verify(token)), 'SS_ERR_STREAM_TOKEN_INVALID');
  });

  it("checks that the token is the connection's user's, for the event asked", () => {
    const claims = { ...viewer, jti: 'j', iat: 0, exp: 1 };
    assert.doesNotThrow(() => checkStreamClaims(claims, { userId: 'u-1', eventId: 'evt-1' }));
    assert.throws(() => checkStreamClaims(claims, { userId: 'u-2', eventId: 'evt-1' }), {
      code: 'SS_ERR_STREAM_TOKEN_NOT_YOURS',
    });
    assert.throws(() => checkStreamClaims(claims, { userId: 'u-1', eventId: 'evt-2' }), {
      code: 'SS_ERR_STREAM_WRONG_EVENT',
    });
  });
});
