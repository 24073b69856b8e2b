import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addKey,
  generateSigningKey,
  newKeySet,
  promote,
  prune,
  publicJwks,
  rotate,
  validateKeySet,
} from './jwt-keys.js';
import { AccessTokens } from '../auth/access-tokens.js';

const opts = { issuer: 'https://issuer.test', audience: 'seatstream-api', ttlSec: 600, clockToleranceSec: 0 };
const claims = {
  sub: '6f1d2a4e-1111-4c3b-9a55-000000000001',
  role: 'customer' as const,
  amr: ['pwd' as const],
  sep: 0,
};

describe('JWT key set rotation', () => {
  it('a new key set signs with its only key, and its kid is the RFC 7638 thumbprint', async () => {
    const k = await generateSigningKey();
    const set = newKeySet(k);
    assert.equal(set.current, k.kid);
    assert.match(k.kid, /^[A-Za-z0-9_-]{43}$/);
    validateKeySet(set);
  });

  it('rotate: the new key signs, the old one still verifies tokens it signed', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const old = newKeySet(await generateSigningKey(t0));
    const before = await (await AccessTokens.create(old, opts)).sign(claims, t0);
    const t1 = new Date('2026-01-01T00:05:00Z');
    const rotated = rotate(old, await generateSigningKey(t1), t1);
    assert.notEqual(rotated.current, old.current);
    assert.equal(rotated.keys.find((k) => k.kid === old.current)?.retiredAt, t1.toISOString());
    const tokens = await AccessTokens.create(rotated, opts);
    const after = await tokens.sign(claims, t1);
    assert.equal((await tokens.verify(before.token, t1)).jti, before.claims.jti);
    assert.equal((await tokens.verify(after.token, t1)).jti, after.claims.jti);
    const header = JSON.parse(Buffer.from(after.token.split('.')[0]!, 'base64url').toString()) as { kid: string };
    assert.equal(header.kid, rotated.current);
  });

  it('addKey publishes a key without signing with it; promote switches the signer', async () => {
    const set = newKeySet(await generateSigningKey());
    const next = await generateSigningKey();
    const staged = addKey(set, next);
    assert.equal(staged.current, set.current);
    assert.deepEqual(
      publicJwks(staged)
        .keys.map((k) => k.kid)
        .sort(),
      [set.current, next.kid].sort(),
    );
    const promoted = promote(staged, next.kid);
    assert.equal(promoted.current, next.kid);
    assert.throws(() => addKey(promoted, next), /already/);
    assert.throws(() => promote(promoted, 'nope'), /not in the set/);
  });

  it('prune drops keys retired longer ago than the grace period, never the current key; their tokens stop verifying', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const first = newKeySet(await generateSigningKey(t0));
    const token = (await (await AccessTokens.create(first, { ...opts, ttlSec: 60 })).sign(claims, t0)).token;
    const rotated = rotate(first, await generateSigningKey(t0), t0);
    const soon = prune(rotated, new Date(t0.getTime() + 300_000), 600);
    assert.equal(soon.keys.length, 2);
    const later = prune(rotated, new Date(t0.getTime() + 700_000), 600);
    assert.deepEqual(
      later.keys.map((k) => k.kid),
      [rotated.current],
    );
    const verifier = await AccessTokens.create(later, { ...opts, clockToleranceSec: 10_000 });
    await assert.rejects(verifier.verify(token, new Date(t0.getTime() + 30_000)), {
      code: 'SS_ERR_AUTH_TOKEN_INVALID',
    });
  });

  it('the JWKS document carries public parts only', async () => {
    const set = rotate(newKeySet(await generateSigningKey()), await generateSigningKey());
    for (const k of publicJwks(set).keys) {
      assert.equal(k.d, undefined);
      assert.deepEqual(Object.keys(k).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
  });

  it('validateKeySet refuses a set whose current key is missing, duplicated kids, or non-ES256 keys', async () => {
    const k = await generateSigningKey();
    assert.throws(() => validateKeySet({ current: 'other', keys: [k] }), /current key/);
    assert.throws(() => validateKeySet({ current: k.kid, keys: [k, k] }), /duplicate/);
    assert.throws(
      () => validateKeySet({ current: k.kid, keys: [{ ...k, privateJwk: { ...k.privateJwk, d: undefined } }] }),
      /ES256/,
    );
  });
});
