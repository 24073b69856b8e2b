import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRtpPacket, parseRtpPacket, vp8Payload } from './rtp.js';
import { bitsPerSecond, framePayloads, packetsPerFrame, payloadBytes, readTrailer } from './video.js';

test('an RTP packet reads back as it was built', () => {
  const payload = Buffer.from('hello, viewers');
  const packet = buildRtpPacket({
    payloadType: 101,
    sequenceNumber: 65535,
    timestamp: 0xfffffff0,
    ssrc: 0x5eed0001,
    marker: true,
    payload,
  });
  assert.equal(packet.length, 12 + payload.length);
  assert.deepEqual(parseRtpPacket(packet), {
    payloadType: 101,
    sequenceNumber: 65535,
    timestamp: 0xfffffff0,
    ssrc: 0x5eed0001,
    marker: true,
    payload,
  });
});

test('parseRtpPacket skips CSRCs and a header extension, and drops padding', () => {
  const payload = Buffer.from([1, 2, 3, 4]);
  const header = Buffer.from([0xb1, 0x65, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5]); // V=2, P=1, X=1, CC=1; PT 101
  const csrc = Buffer.from([0, 0, 0, 42]);
  const extension = Buffer.from([0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]); // one 32-bit word of one-byte extensions
  const padding = Buffer.from([0, 0, 3]);
  const rtp = parseRtpPacket(Buffer.concat([header, csrc, extension, payload, padding]));
  assert.deepEqual(rtp.payload, payload);
  assert.equal(rtp.sequenceNumber, 7);
  assert.equal(rtp.ssrc, 5);
  assert.throws(() => parseRtpPacket(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), /version 2/);
});

test('a VP8 key frame starts with X, S and a picture id, then a frame tag whose P bit is 0', () => {
  const body = Buffer.from([9, 9]);
  const key = vp8Payload({ keyFrame: true, firstOfFrame: true, pictureId: 0x1234, body });
  assert.deepEqual([...key.subarray(0, 4)], [0x90, 0x80, 0x92, 0x34]);
  assert.equal(key[4]! & 0x01, 0);
  assert.deepEqual([...key.subarray(7, 10)], [0x9d, 0x01, 0x2a]);
  assert.deepEqual([...key.subarray(10)], [9, 9]);
  assert.equal(vp8Payload({ keyFrame: false, firstOfFrame: true, pictureId: 1, body })[4]! & 0x01, 1);
  const later = vp8Payload({ keyFrame: false, firstOfFrame: false, pictureId: 1, body });
  assert.equal(later[0], 0x80);
  assert.equal(later.length, 4 + body.length);
});

test('every packet of a frame is payloadBytes long and carries a trailer naming run, frame and place', () => {
  for (const frame of [0, 1, 60, 12345]) {
    const payloads = framePayloads(7, frame);
    assert.equal(payloads.length, packetsPerFrame);
    payloads.forEach((p, index) => {
      assert.equal(p.length, payloadBytes);
      const packet = buildRtpPacket({
        payloadType: 101,
        sequenceNumber: index,
        timestamp: 0,
        ssrc: 1,
        marker: false,
        payload: p,
      });
      assert.deepEqual(readTrailer(packet), { run: 7, frame, index, count: packetsPerFrame });
    });
  }
  assert.equal(readTrailer(Buffer.alloc(40)), undefined);
  assert.ok(bitsPerSecond > 1.4e6 && bitsPerSecond < 1.7e6);
});
