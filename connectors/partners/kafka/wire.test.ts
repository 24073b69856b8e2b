import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameRequest, openResponse, ProtocolError, Reader, Writer } from './wire.js';

describe('Kafka flexible-version encoding', () => {
  it('writes unsigned varints as LEB128, compact strings and arrays with length + 1, null arrays as 0', () => {
    assert.deepEqual(
      [...new Writer().uvarint(0).uvarint(127).uvarint(128).uvarint(300).toBuffer()],
      [0, 127, 0x80, 0x01, 0xac, 0x02],
    );
    assert.deepEqual([...new Writer().compactString('ab').toBuffer()], [3, 0x61, 0x62]);
    assert.deepEqual([...new Writer().compactArray([1, 2], (w, n) => w.int8(n)).toBuffer()], [3, 1, 2]);
    assert.deepEqual([...new Writer().compactArray(null, () => undefined).toBuffer()], [0]);
  });

  it('reads back what it writes, null strings included, and skips unknown tagged fields', () => {
    const buf = Buffer.concat([
      new Writer().int32(-7).int16(91).compactString('مرحبا').toBuffer(),
      Buffer.from([0]), // null compact string
      Buffer.from([1, 5, 2, 0xaa, 0xbb]), // one tagged field (tag 5, two bytes)
      new Writer().compactBytes(Buffer.from([9])).toBuffer(),
    ]);
    const r = new Reader(buf);
    assert.equal(r.int32(), -7);
    assert.equal(r.int16(), 91);
    assert.equal(r.compactString(), 'مرحبا');
    assert.equal(r.compactNullableString(), null);
    r.skipTags();
    assert.deepEqual(
      r.compactArray((x) => x.int8()),
      [9],
    );
    assert.equal(r.remaining, 0);
  });

  it('frames a request with header v2 and opens a response with header v1', () => {
    const frame = frameRequest(51, 0, 42, 'cid', Buffer.from([0xee]));
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    assert.deepEqual([...frame.subarray(4)], [0, 51, 0, 0, 0, 0, 0, 42, 0, 3, 0x63, 0x69, 0x64, 0, 0xee]);
    const r = openResponse(Buffer.from([0, 0, 0, 42, 0, 0, 0, 0, 9]), 42);
    assert.equal(r.int32(), 9);
    assert.throws(() => openResponse(Buffer.from([0, 0, 0, 41, 0]), 42), /correlation id 41/);
  });

  it('refuses a truncated response instead of reading garbage', () => {
    assert.throws(() => new Reader(Buffer.from([5, 0x61])).compactString(), ProtocolError);
    assert.throws(() => new Reader(Buffer.from([0, 0])).int32(), ProtocolError);
  });
});
