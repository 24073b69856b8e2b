import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvroSchema, type StoredSchemaText } from './avro-schema.js';
import { canonicalForm, type SchemaReference } from './canonical.js';
import { RegistryError } from './errors.js';

const parse = (schema: unknown, refs: SchemaReference[] = [], known: Record<string, StoredSchemaText> = {}) =>
  parseAvroSchema(typeof schema === 'string' ? schema : JSON.stringify(schema), refs, (ref) => {
    const found = known[`${ref.subject}/${ref.version}`];
    if (!found) throw new Error(`test resolver: no ${ref.subject}/${ref.version}`);
    return found;
  });
const same = (a: unknown, b: unknown) => parse(a).fingerprint === parse(b).fingerprint;
const isInvalidSchema = (e: unknown) => e instanceof RegistryError && e.errorCode === 42201 && e.status === 422;

const booking = { type: 'record', name: 'Booking', namespace: 'seatstream', fields: [{ name: 'id', type: 'string' }] };

describe('canonical form: what does not make another schema', () => {
  it('whitespace and key order', () => {
    const text =
      '{ "fields": [ {"type":"string", "name":"id"} ],\n  "namespace": "seatstream", "type": "record", "name": "Booking" }';
    assert.equal(parse(text).canonical, parse(booking).canonical);
  });

  it('a primitive written as an object without other attributes', () => {
    assert.ok(same('"string"', { type: 'string' }));
    assert.ok(same({ ...booking, fields: [{ name: 'id', type: { type: 'string' } }] }, booking));
  });

  it('a namespace attribute versus a full name, and inherited namespaces', () => {
    const explicit = {
      type: 'record',
      name: 'seatstream.Booking',
      fields: [
        { name: 'seat', type: { type: 'record', name: 'seatstream.Seat', fields: [{ name: 'row', type: 'string' }] } },
        { name: 'previous', type: ['null', 'seatstream.Seat'], default: null },
      ],
    };
    const inherited = {
      type: 'record',
      name: 'Booking',
      namespace: 'seatstream',
      fields: [
        { name: 'seat', type: { type: 'record', name: 'Seat', fields: [{ name: 'row', type: 'string' }] } },
        { name: 'previous', type: ['null', 'Seat'], default: null },
      ],
    };
    assert.equal(parse(explicit).canonical, parse(inherited).canonical);
    assert.match(parse(inherited).canonical, /"seatstream\.Seat"/);
    assert.doesNotMatch(parse(inherited).canonical, /namespace/);
  });

  it('names inside arrays and maps are qualified too', () => {
    const status = { type: 'enum', name: 'Status', symbols: ['HELD'] };
    const a = {
      type: 'record',
      name: 'R',
      namespace: 'n',
      fields: [
        { name: 's', type: status },
        { name: 'all', type: { type: 'array', items: 'Status' } },
      ],
    };
    const b = {
      type: 'record',
      name: 'n.R',
      fields: [
        { name: 's', type: { ...status, name: 'n.Status' } },
        { name: 'all', type: { type: 'array', items: 'n.Status' } },
      ],
    };
    assert.equal(parse(a).canonical, parse(b).canonical);
    assert.equal(canonicalForm({ type: 'map', values: 'int' }), '{"type":"map","values":"int"}');
  });
});

describe('canonical form: what makes another schema (unlike Parsing Canonical Form)', () => {
  const withField = (field: Record<string, unknown>) => ({
    ...booking,
    fields: [{ name: 'id', type: 'string', ...field }],
  });

  it('a field default', () => {
    assert.equal(same(withField({}), withField({ default: 'x' })), false);
  });

  it('a logical type', () => {
    assert.equal(same('"long"', { type: 'long', logicalType: 'timestamp-millis' }), false);
  });

  it('doc, order and aliases', () => {
    assert.equal(same(withField({}), withField({ doc: 'the id' })), false);
    assert.equal(same(withField({}), withField({ order: 'descending' })), false);
    assert.equal(same(withField({}), withField({ aliases: ['bookingId'] })), false);
  });

  it('an enum default', () => {
    assert.equal(
      same(
        { type: 'enum', name: 'S', symbols: ['A', 'B'] },
        { type: 'enum', name: 'S', symbols: ['A', 'B'], default: 'A' },
      ),
      false,
    );
  });

  it('the references it was registered with', () => {
    const seat = {
      schema: JSON.stringify({ type: 'record', name: 'seatstream.Seat', fields: [{ name: 'row', type: 'string' }] }),
      references: [],
    };
    const main = { type: 'record', name: 'seatstream.Hold', fields: [{ name: 'seat', type: 'seatstream.Seat' }] };
    const v1 = parse(main, [{ name: 'seatstream.Seat', subject: 'seat', version: 1 }], {
      'seat/1': seat,
      'seat/2': seat,
    });
    const v2 = parse(main, [{ name: 'seatstream.Seat', subject: 'seat', version: 2 }], {
      'seat/1': seat,
      'seat/2': seat,
    });
    assert.equal(v1.canonical, v2.canonical);
    assert.notEqual(v1.fingerprint, v2.fingerprint);
  });
});

describe('parsing', () => {
  it('keeps the registered text without whitespace', () => {
    assert.equal(parse('{ "type" : "string" }').text, '{"type":"string"}');
  });

  it('refuses invalid schemas with error 42201', () => {
    const bad = [
      '',
      'not json',
      '{"type":"nope"}',
      '{"type":"record","name":"R"}',
      JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int', default: 'x' }] }),
      JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'A'] }),
      JSON.stringify(['null', 'null']),
      JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'Missing' }] }),
    ];
    for (const text of bad) assert.throws(() => parse(text), isInvalidSchema, text);
  });

  it('resolves named types from referenced schemas, and refuses a missing reference', () => {
    const seat = {
      schema: JSON.stringify({ type: 'record', name: 'seatstream.Seat', fields: [{ name: 'row', type: 'string' }] }),
      references: [],
    };
    const main = { type: 'record', name: 'seatstream.Hold', fields: [{ name: 'seat', type: 'seatstream.Seat' }] };
    const parsed = parse(main, [{ name: 'seatstream.Seat', subject: 'seat', version: 1 }], { 'seat/1': seat });
    assert.deepEqual(JSON.parse(JSON.stringify(parsed.type.fromBuffer(parsed.type.toBuffer({ seat: { row: 'A' } })))), {
      seat: { row: 'A' },
    });
    assert.throws(() => parse(main), isInvalidSchema);
    assert.throws(
      () =>
        parseAvroSchema(JSON.stringify(main), [{ name: 'seatstream.Seat', subject: 'seat', version: 9 }], () => {
          throw new RegistryError(422, 42201, 'missing');
        }),
      isInvalidSchema,
    );
  });
});
