import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { emailIndex, generatePiiKeyFile, normalizeEmail, open, piiKeyRingFrom, seal } from './pii.js';

describe('personal data sealing (AES-256-GCM)', () => {
  const ring = piiKeyRingFrom(generatePiiKeyFile('k1'));
  const aad = 'users.email:2f4c7f1e-0000-4000-8000-000000000001';

  it('round-trips, and the sealed form reveals neither the value nor its length exactly', () => {
    const sealed = seal(ring, 'Ana.Sousa@example.com', aad);
    assert.match(sealed, /^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    // neither the value nor its base64url form appears (a test for the three letters 'ana' failed once in a while:
    // random ciphertext spells them about once in 500 seals)
    for (const form of ['Ana.Sousa@example.com', Buffer.from('Ana.Sousa@example.com').toString('base64url')])
      assert.ok(!sealed.includes(form), form);
    assert.equal(open(ring, sealed, aad), 'Ana.Sousa@example.com');
    assert.notEqual(seal(ring, 'Ana.Sousa@example.com', aad), sealed, 'a fresh IV each time');
  });

  it('refuses another row or column (AAD), a flipped bit, an unknown key', () => {
    const sealed = seal(ring, 'ana@example.com', aad);
    assert.throws(() => open(ring, sealed, 'users.email:someone-else'));
    assert.throws(() => open(ring, sealed, aad.replace('email', 'name')));
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0]! ^= 1;
    parts[3] = ct.toString('base64url');
    assert.throws(() => open(ring, parts.join('.'), aad));
    assert.throws(() => open(piiKeyRingFrom(generatePiiKeyFile('k9')), sealed, aad), /not in the ring/);
    assert.throws(() => open(ring, 'plaintext@example.com', aad), /not a sealed/);
  });

  it('a rotated ring seals with the new key and still opens fields of the old one', () => {
    const file = generatePiiKeyFile('k1');
    const before = piiKeyRingFrom(file);
    const old = seal(before, 'x@example.com', aad);
    const after = piiKeyRingFrom({
      ...file,
      encryption: { current: 'k2', keys: { ...file.encryption.keys, k2: randomBytes(32).toString('base64') } },
    });
    assert.equal(open(after, old, aad), 'x@example.com');
    assert.match(seal(after, 'x@example.com', aad), /^v1\.k2\./);
  });

  it('refuses malformed key files', () => {
    const f = generatePiiKeyFile();
    assert.throws(() => piiKeyRingFrom({ ...f, encryption: { current: 'nope', keys: f.encryption.keys } }), /current/);
    assert.throws(() => piiKeyRingFrom({ ...f, blindIndexKey: randomBytes(16).toString('base64') }), /32 bytes/);
    assert.throws(
      () =>
        piiKeyRingFrom({ ...f, encryption: { current: 'a.b', keys: { 'a.b': randomBytes(32).toString('base64') } } }),
      /must match/,
    );
  });
});

describe('e-mail blind index', () => {
  const ring = piiKeyRingFrom(generatePiiKeyFile());
  it('is the same for the same address whatever its case, spacing or Unicode form', () => {
    assert.equal(normalizeEmail('  Ana@Example.COM '), 'ana@example.com');
    assert.deepEqual(emailIndex(ring, 'Ana@Example.com'), emailIndex(ring, 'ana@example.com '));
    assert.deepEqual(emailIndex(ring, 'ｊｏｅ@example.com'), emailIndex(ring, 'joe@example.com')); // NFKC folds full-width letters
  });
  it('differs between addresses and between keys', () => {
    assert.notDeepEqual(emailIndex(ring, 'a@example.com'), emailIndex(ring, 'b@example.com'));
    assert.notDeepEqual(
      emailIndex(ring, 'a@example.com'),
      emailIndex(piiKeyRingFrom(generatePiiKeyFile()), 'a@example.com'),
    );
    assert.equal(emailIndex(ring, 'a@example.com').length, 32);
  });
});
