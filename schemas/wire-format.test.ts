import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SerdeError } from './errors.js';
import { frame, unframe } from './wire-format.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof SerdeError);
    assert.equal(err.retriable, false);
    return err.code;
  }
  assert.fail('did not throw');
};

describe('Confluent wire format', () => {
  it('is magic byte 0, the schema id as a big-endian int32, then the body', () => {
    const framed = frame(0x01020304, Buffer.from([0xaa, 0xbb]));
    assert.deepEqual([...framed], [0, 1, 2, 3, 4, 0xaa, 0xbb]);
    assert.deepEqual(unframe(framed), { schemaId: 0x01020304, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('round-trips ids up to 2^31 - 1 and an empty body', () => {
    for (const id of [0, 1, 255, 65536, 2 ** 31 - 1]) {
      assert.deepEqual(unframe(frame(id, Buffer.alloc(0))), { schemaId: id, body: Buffer.alloc(0) });
    }
  });

  it('rejects a value without the magic byte, and one shorter than the header', () => {
    assert.equal(
      code(() => unframe(Buffer.from('{"json":true}'))),
      'SS_ERR_SERDE_MAGIC_BYTE',
    );
    assert.equal(
      code(() => unframe(Buffer.from([0, 0, 0]))),
      'SS_ERR_SERDE_TRUNCATED',
    );
    assert.equal(
      code(() => unframe(Buffer.alloc(0))),
      'SS_ERR_SERDE_TRUNCATED',
    );
  });
});
