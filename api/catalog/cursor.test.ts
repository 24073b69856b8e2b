import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { cursorPatterns, decodeCursor, encodeCursor } from './cursor.js';

const fields = { s: cursorPatterns.timestamp, id: cursorPatterns.id };
const refused = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === 'SS_ERR_INVALID_CURSOR');

describe('pagination cursors', () => {
  it('round-trip the key of the last item', () => {
    for (const key of [
      { s: '2026-11-25T15:12:21.557644+00:00', id: 'evt-1' },
      { s: 'infinity', id: 'حفل-1' },
    ])
      assert.deepEqual(decodeCursor('events', encodeCursor('events', key), fields), key);
  });

  it('refuse garbage, another listing’s cursor, missing or extra fields and values their pattern does not allow', () => {
    refused(() => decodeCursor('events', 'not base64 json', fields));
    refused(() => decodeCursor('events', Buffer.from('[1,2]').toString('base64url'), fields));
    refused(() => decodeCursor('events', encodeCursor('holds', { s: 'infinity', id: 'x' }), fields));
    refused(() => decodeCursor('events', encodeCursor('events', { s: 'infinity' }), fields));
    refused(() => decodeCursor('events', encodeCursor('events', { s: 'infinity', id: 'x', more: 'y' }), fields));
    refused(() =>
      decodeCursor('events', encodeCursor('events', { s: "now'); DROP TABLE events; --", id: 'x' }), fields),
    );
    refused(() =>
      decodeCursor('search', encodeCursor('search', { r: '1e999x', s: 'infinity', id: 'x' }), {
        r: cursorPatterns.real,
        ...fields,
      }),
    );
  });
});
