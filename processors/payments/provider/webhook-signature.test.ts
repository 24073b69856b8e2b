import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSignature, signPayload } from './webhook-signature.js';

describe('webhook signatures (HMAC-SHA256 over t.body)', () => {
  const secret = 'whsec_unit';
  const body = Buffer.from('{"id":"evt_1"}');
  const now = 1_800_000_000;

  it('accepts its own signature within the tolerance', () => {
    assert.equal(checkSignature(secret, body, signPayload(secret, body, now), now + 10), null);
  });
  it('refuses another body, another secret, a missing or malformed header, an old timestamp', () => {
    const header = signPayload(secret, body, now);
    assert.equal(checkSignature(secret, Buffer.from('{"id":"evt_2"}'), header, now), 'mismatch');
    assert.equal(checkSignature('whsec_other', body, header, now), 'mismatch');
    assert.equal(checkSignature(secret, body, undefined, now), 'missing');
    assert.equal(checkSignature(secret, body, 'garbage', now), 'malformed');
    assert.equal(checkSignature(secret, body, `t=${now}`, now), 'malformed');
    assert.equal(checkSignature(secret, body, header, now + 301), 'expired');
  });
  it('accepts any of several v1 signatures (secret rotation)', () => {
    const good = signPayload(secret, body, now).split(',')[1]!;
    assert.equal(checkSignature(secret, body, `t=${now},v1=${'00'.repeat(32)},${good}`, now), null);
  });
});
