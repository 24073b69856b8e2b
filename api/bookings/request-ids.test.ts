import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { holdIdFor, bookingIdFor } from '../../processors/seat-allocation/model.js';
import {
  canonicalJson,
  fingerprint,
  parseIdempotencyKey,
  requestIdFor,
  requestIdOfBooking,
  requestIdOfHold,
} from './request-ids.js';

const uuidV8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are UUIDs of version 8 and variant 10, the same for the same buyer and key', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ minLength: 8, maxLength: 64 }), (buyer, key) => {
        const id = requestIdFor('hold', buyer, key);
        assert.match(id, uuidV8);
        assert.equal(requestIdFor('hold', buyer, key), id);
      }),
    );
  });

  it('differ between buyers, keys and operations (no ambiguity at the separators)', () => {
    const ids = new Set([
      requestIdFor('hold', 'u1', 'key-0001'),
      requestIdFor('hold', 'u2', 'key-0001'),
      requestIdFor('hold', 'u1', 'key-0002'),
      requestIdFor('release', 'u1', 'key-0001'),
      requestIdFor('cancel', 'u1', 'key-0001'),
      requestIdFor('hold', 'u1\0key', '-0001'),
    ]);
    assert.equal(ids.size, 6);
  });

  it("give back the request id of a hold or booking id made by the allocator's scheme", () => {
    const r = requestIdFor('hold', 'u1', 'key-0001');
    assert.equal(requestIdOfHold(holdIdFor(r)), r);
    assert.equal(requestIdOfBooking(bookingIdFor(holdIdFor(r))!), r);
    assert.equal(requestIdOfHold('B-x'), null);
    assert.equal(requestIdOfBooking('H-x'), null);
  });
});

describe('Idempotency-Key header', () => {
  it('takes 8 to 255 visible ASCII characters, quoted (structured-field string) or not', () => {
    assert.equal(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324'), '8e03978e-40d5-43e8-bc93-6894a57f9324');
    assert.equal(parseIdempotencyKey('"8e03978e-40d5"'), '8e03978e-40d5');
    assert.equal(parseIdempotencyKey('x'.repeat(255)), 'x'.repeat(255));
  });

  it('refuses missing, short, long, spaced, non-ASCII, repeated or quote-bearing values', () => {
    for (const bad of [
      undefined,
      '',
      'short',
      'x'.repeat(256),
      'has space1',
      'clé-de-requête',
      'a"bcdefgh',
      'a\\bcdefgh',
    ])
      assert.equal(parseIdempotencyKey(bad), null, String(bad));
    assert.equal(parseIdempotencyKey(['abcdefgh1', 'abcdefgh2']), null);
  });
});

describe('fingerprints', () => {
  it('do not depend on the order of object keys', () => {
    assert.equal(fingerprint({ a: 1, b: [1, { c: 2, d: 3 }] }), fingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.equal(canonicalJson({ b: 1, a: undefined, c: null }), '{"b":1,"c":null}');
  });

  it('tell different requests apart', () => {
    assert.notEqual(
      fingerprint({ eventId: 'e1', body: { quantity: 2 } }),
      fingerprint({ eventId: 'e1', body: { quantity: 3 } }),
    );
    assert.notEqual(fingerprint({ seatIds: ['A-1-1', 'A-1-2'] }), fingerprint({ seatIds: ['A-1-2', 'A-1-1'] }));
  });
});
