import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesSerde, jsonSerde, stringSerde } from './serde.js';

describe('serdes', () => {
  it('round-trip strings, JSON and bytes', async () => {
    assert.equal(
      await stringSerde.deserialize('t', await stringSerde.serialize('t', 'حجز — réservation')),
      'حجز — réservation',
    );
    const json = jsonSerde<{ seats: string[] }>();
    assert.deepEqual(await json.deserialize('t', await json.serialize('t', { seats: ['A1'] })), { seats: ['A1'] });
    const raw = Buffer.from([0, 255, 7]);
    assert.equal(await bytesSerde.deserialize('t', await bytesSerde.serialize('t', raw)), raw);
  });

  it('reject what they cannot decode or encode (poison records)', async () => {
    await assert.rejects(stringSerde.deserialize('t', Buffer.from([0xff, 0xfe])), TypeError);
    await assert.rejects(jsonSerde().deserialize('t', Buffer.from('{"a":')), SyntaxError);
    await assert.rejects(jsonSerde().serialize('t', undefined), TypeError);
    await assert.rejects(stringSerde.serialize('t', 42 as unknown as string), TypeError);
  });
});
