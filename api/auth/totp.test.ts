import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode } from './base32.js';
import { hotp, otpauthUri, totpAt, verifyTotp, type TotpAlgorithm } from './totp.js';

const ascii = (s: string) => Buffer.from(s, 'ascii');
// RFC 6238 Appendix B: the seed is repeated ASCII digits, of the hash's own length.
const seeds: Record<TotpAlgorithm, Buffer> = {
  sha1: ascii('12345678901234567890'),
  sha256: ascii('12345678901234567890123456789012'),
  sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};

describe('base32 (RFC 4648 §10 vectors)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [plain, encoded] of vectors) {
    it(`${JSON.stringify(plain)} <-> ${encoded}`, () => {
      assert.equal(base32Encode(ascii(plain)), encoded);
      assert.equal(base32Decode(encoded).toString('ascii'), plain);
      assert.equal(base32Decode(`${encoded.toLowerCase()}===`).toString('ascii'), plain);
    });
  }
  it('refuses characters outside the alphabet', () => assert.throws(() => base32Decode('MZ1W')));
});

describe('HOTP (RFC 4226 Appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) =>
    it(`counter ${counter} -> ${code}`, () => assert.equal(hotp(seeds.sha1, BigInt(counter)), code)),
  );
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  const table: [number, string, TotpAlgorithm][] = [
    [59, '94287082', 'sha1'],
    [59, '46119246', 'sha256'],
    [59, '90693936', 'sha512'],
    [1111111109, '07081804', 'sha1'],
    [1111111109, '68084774', 'sha256'],
    [1111111109, '25091201', 'sha512'],
    [1111111111, '14050471', 'sha1'],
    [1111111111, '67062674', 'sha256'],
    [1111111111, '99943326', 'sha512'],
    [1234567890, '89005924', 'sha1'],
    [1234567890, '91819424', 'sha256'],
    [1234567890, '93441116', 'sha512'],
    [2000000000, '69279037', 'sha1'],
    [2000000000, '90698825', 'sha256'],
    [2000000000, '38618901', 'sha512'],
    [20000000000, '65353130', 'sha1'],
    [20000000000, '77737706', 'sha256'],
    [20000000000, '47863826', 'sha512'],
  ];
  for (const [t, code, algorithm] of table) {
    it(`T=${t} ${algorithm} -> ${code}`, () =>
      assert.equal(totpAt(seeds[algorithm], t * 1000, { algorithm, digits: 8, periodSec: 30 }), code));
  }
});

describe('verifyTotp', () => {
  const secret = seeds.sha1;
  const now = 1_700_000_000_000;
  it('accepts the current code and the neighbouring steps (clock drift), not further', () => {
    const step = BigInt(Math.floor(now / 30_000));
    assert.equal(verifyTotp(secret, totpAt(secret, now), now), step);
    assert.equal(verifyTotp(secret, totpAt(secret, now - 30_000), now), step - 1n);
    assert.equal(verifyTotp(secret, totpAt(secret, now + 30_000), now), step + 1n);
    assert.equal(verifyTotp(secret, totpAt(secret, now - 90_000), now), null);
  });
  it('refuses a code whose step was already used (replay)', () => {
    const code = totpAt(secret, now);
    const step = verifyTotp(secret, code, now);
    assert.notEqual(step, null);
    assert.equal(verifyTotp(secret, code, now, { lastUsedStep: step }), null);
  });
  it('refuses malformed codes', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456', "1' OR 1=1"])
      assert.equal(verifyTotp(secret, bad, now), null);
  });
});

describe('otpauthUri', () => {
  it('carries the base32 secret, issuer and parameters', () => {
    const uri = new URL(otpauthUri(ascii('12345678901234567890'), 'SeatStream', 'ana@example.com'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/SeatStream:ana@example.com');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('issuer'), 'SeatStream');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});
