import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorAnswer, okFrame, parseStreamRequest } from './protocol.js';

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const id = '3f1c2f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const req = (o: unknown) => parseStreamRequest(JSON.stringify(o));

describe('signalling requests', () => {
  it('reads every method with its data', () => {
    assert.deepEqual(req({ id: 1, method: 'join', data: { eventId: 'evt-1', streamToken: jwt } }), {
      id: 1,
      method: 'join',
      data: { eventId: 'evt-1', streamToken: jwt },
    });
    assert.deepEqual(req({ id: 'a2', method: 'createTransport', data: { direction: 'recv' } }), {
      id: 'a2',
      method: 'createTransport',
      data: { direction: 'recv' },
    });
    const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] };
    assert.deepEqual(req({ id: 3, method: 'connectTransport', data: { transportId: id, dtlsParameters } }), {
      id: 3,
      method: 'connectTransport',
      data: { transportId: id, dtlsParameters },
    });
    assert.deepEqual(req({ id: 4, method: 'produce', data: { transportId: id, kind: 'video', rtpParameters: {} } }), {
      id: 4,
      method: 'produce',
      data: { transportId: id, kind: 'video', rtpParameters: {} },
    });
    assert.deepEqual(
      req({ id: 5, method: 'consume', data: { transportId: id, producerId: id, rtpCapabilities: { codecs: [] } } }),
      { id: 5, method: 'consume', data: { transportId: id, producerId: id, rtpCapabilities: { codecs: [] } } },
    );
    assert.deepEqual(req({ id: 6, method: 'resumeConsumer', data: { consumerId: id } }), {
      id: 6,
      method: 'resumeConsumer',
      data: { consumerId: id },
    });
    assert.deepEqual(req({ id: 7, method: 'setPreferredLayers', data: { consumerId: id, spatialLayer: 1 } }), {
      id: 7,
      method: 'setPreferredLayers',
      data: { consumerId: id, spatialLayer: 1, temporalLayer: null },
    });
    assert.deepEqual(req({ id: 8, method: 'closeProducer', data: { producerId: id } }), {
      id: 8,
      method: 'closeProducer',
      data: { producerId: id },
    });
    assert.deepEqual(req({ id: 9, method: 'ping' }), { id: 9, method: 'ping', data: {} });
  });

  it('explains what is wrong, with the id to answer when there is one', () => {
    assert.deepEqual(parseStreamRequest('nope'), { error: 'not JSON', id: null });
    assert.deepEqual(parseStreamRequest('[1]'), { error: 'not a JSON object', id: null });
    assert.equal((req({ method: 'ping' }) as { id: unknown }).id, null);
    assert.equal((req({ id: -1, method: 'ping' }) as { id: unknown }).id, null);
    const cases: [unknown, RegExp][] = [
      [{ id: 1, method: 'shout' }, /unknown method shout/],
      [{ id: 1, method: 'ping', extra: 1 }, /unknown field extra/],
      [{ id: 1, method: 'ping', data: [] }, /data must be an object/],
      [{ id: 1, method: 'join', data: { eventId: 'evt 1', streamToken: jwt } }, /eventId/],
      [{ id: 1, method: 'join', data: { eventId: 'evt-1', streamToken: 'not-a-jwt' } }, /streamToken/],
      [{ id: 1, method: 'join', data: { eventId: 'evt-1', streamToken: jwt, role: 'broadcaster' } }, /data.role/],
      [{ id: 1, method: 'createTransport', data: { direction: 'both' } }, /direction/],
      [{ id: 1, method: 'connectTransport', data: { transportId: '../x', dtlsParameters: {} } }, /transportId/],
      [{ id: 1, method: 'connectTransport', data: { transportId: id, dtlsParameters: 'x' } }, /dtlsParameters/],
      [{ id: 1, method: 'produce', data: { transportId: id, kind: 'text', rtpParameters: {} } }, /kind/],
      [{ id: 1, method: 'setPreferredLayers', data: { consumerId: id, spatialLayer: 9 } }, /spatialLayer/],
      [
        { id: 1, method: 'setPreferredLayers', data: { consumerId: id, spatialLayer: 0, temporalLayer: -1 } },
        /temporal/,
      ],
    ];
    for (const [message, why] of cases) {
      const r = req(message);
      assert.ok('error' in r, JSON.stringify(message));
      assert.match(r.error, why);
      assert.equal(r.id, 1);
    }
  });

  it('answers with the request id', () => {
    assert.deepEqual(JSON.parse(okFrame(4, { producerId: id })), { id: 4, ok: true, data: { producerId: id } });
    assert.deepEqual(JSON.parse(errorAnswer(5, 'SS_ERR_STREAM_WRONG_EVENT', 'other event')), {
      id: 5,
      ok: false,
      error: { code: 'SS_ERR_STREAM_WRONG_EVENT', message: 'other event' },
    });
  });
});
