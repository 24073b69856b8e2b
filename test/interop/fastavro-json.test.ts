import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastavroJson } from './fastavro-json.js';

const schema = {
  type: 'record',
  name: 'Hold',
  namespace: 'it.fa',
  fields: [
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'] },
    { name: 'status', type: 'bytes' },
    {
      name: 'what',
      type: [{ type: 'record', name: 'Seats', fields: [{ name: 'ids', type: { type: 'array', items: 'string' } }] }],
    },
    { name: 'tags', type: { type: 'map', values: ['null', 'long'] } },
  ],
};
const value = {
  at: 1_700_000_000_123,
  note: { string: 'نعم' },
  status: Buffer.from([0x5a, 0x00]),
  what: { 'it.fa.Seats': { ids: ['A-1-1'] } },
  tags: { a: null, b: { long: 7 } },
};

describe('fastavroJson', () => {
  it("gives the value as Confluent's Python consumer prints it", () => {
    assert.deepEqual(fastavroJson(schema).printed(value), {
      at: { $epoch_us: 1_700_000_000_123_000 },
      note: 'نعم',
      status: { $bytes: '5a00' },
      what: ['it.fa.Seats', { ids: ['A-1-1'] }],
      tags: { a: null, b: 7 },
    });
  });

  it('gives the value as the Python producer reads it: union branches named, timestamps raw', () => {
    assert.deepEqual(fastavroJson(schema).input(value), {
      at: 1_700_000_000_123,
      note: { $union: ['string', 'نعم'] },
      status: { $bytes: '5a00' },
      what: { $union: ['it.fa.Seats', { ids: ['A-1-1'] }] },
      tags: { a: null, b: { $union: ['long', 7] } },
    });
  });

  it('refuses what it does not model', () => {
    const decimal = { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 };
    assert.throws(() => fastavroJson(decimal).printed(Buffer.from([1])), /decimal/);
    const enumUnion = ['null', { type: 'enum', name: 'E', symbols: ['A'] }];
    assert.throws(() => fastavroJson(enumUnion).printed({ E: 'A' }), /enum/);
  });
});
