import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvroSchema } from './avro-schema.js';
import { checkCompatibility, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility.js';
import { RegistryError } from './errors.js';

const type = (schema: unknown) => parseAvroSchema(JSON.stringify(schema)).type;
const record = (fields: unknown[], name = 'Booking', extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name,
  namespace: 'seatstream',
  fields,
  ...extra,
});

/** Messages of checking `next` against `history` (oldest first) at `level`. */
const check = (level: CompatibilityLevel, history: unknown[], next: unknown) =>
  checkCompatibility(
    type(next),
    history.map((s, i) => ({ version: i + 1, type: type(s) })),
    level,
  );
const compatible = (level: CompatibilityLevel, history: unknown[], next: unknown) =>
  check(level, history, next).length === 0;

const v1 = record([{ name: 'id', type: 'string' }]);

describe('record fields', () => {
  it('a field added without a default breaks BACKWARD (new reader, old data lacks it)', () => {
    const next = record([
      { name: 'id', type: 'string' },
      { name: 'seats', type: 'int' },
    ]);
    assert.equal(compatible('BACKWARD', [v1], next), false);
    assert.match(check('BACKWARD', [v1], next)[0] ?? '', /version 1.*seats/);
    assert.equal(compatible('FORWARD', [v1], next), true); // old reader skips the new field
  });

  it('a field added with a default is FULL compatible', () => {
    const next = record([
      { name: 'id', type: 'string' },
      { name: 'seats', type: 'int', default: 1 },
    ]);
    assert.equal(compatible('FULL', [v1], next), true);
  });

  it('a removed field is BACKWARD compatible, FORWARD only if the old schema had a default for it', () => {
    const withDefault = record([
      { name: 'id', type: 'string' },
      { name: 'note', type: 'string', default: '' },
    ]);
    const withoutDefault = record([
      { name: 'id', type: 'string' },
      { name: 'note', type: 'string' },
    ]);
    assert.equal(compatible('BACKWARD', [withoutDefault], v1), true);
    assert.equal(compatible('FORWARD', [withoutDefault], v1), false);
    assert.equal(compatible('FORWARD', [withDefault], v1), true);
  });

  it('a field renamed with an alias on the reader resolves, without one it does not', () => {
    const renamed = record([{ name: 'bookingId', type: 'string', aliases: ['id'] }]);
    const renamedNoAlias = record([{ name: 'bookingId', type: 'string' }]);
    assert.equal(compatible('BACKWARD', [v1], renamed), true);
    assert.equal(compatible('BACKWARD', [v1], renamedNoAlias), false);
  });

  it('a changed field type without promotion breaks both ways', () => {
    const next = record([{ name: 'id', type: 'int' }]);
    assert.equal(compatible('BACKWARD', [v1], next), false);
    assert.equal(compatible('FORWARD', [v1], next), false);
  });

  it('a field added without a default in a nested record breaks BACKWARD', () => {
    const inner = (fields: unknown[]) => record([{ name: 'seat', type: { type: 'record', name: 'Seat', fields } }]);
    assert.equal(
      compatible(
        'BACKWARD',
        [inner([{ name: 'row', type: 'string' }])],
        inner([
          { name: 'row', type: 'string' },
          { name: 'n', type: 'int' },
        ]),
      ),
      false,
    );
  });
});

describe('enums', () => {
  const status = (symbols: string[], extra: Record<string, unknown> = {}) => ({
    type: 'enum',
    name: 'Status',
    symbols,
    ...extra,
  });

  it('an added symbol is BACKWARD compatible but not FORWARD (old readers do not know it)', () => {
    assert.equal(compatible('BACKWARD', [status(['HELD', 'SOLD'])], status(['HELD', 'SOLD', 'EXPIRED'])), true);
    assert.equal(compatible('FORWARD', [status(['HELD', 'SOLD'])], status(['HELD', 'SOLD', 'EXPIRED'])), false);
  });

  it('an added symbol is FORWARD compatible when the old enum has a default', () => {
    assert.equal(
      compatible('FORWARD', [status(['HELD', 'SOLD'], { default: 'HELD' })], status(['HELD', 'SOLD', 'EXPIRED'])),
      true,
    );
  });

  it('a removed symbol breaks BACKWARD unless the new enum has a default', () => {
    assert.equal(compatible('BACKWARD', [status(['HELD', 'SOLD', 'EXPIRED'])], status(['HELD', 'SOLD'])), false);
    assert.equal(
      compatible('BACKWARD', [status(['HELD', 'SOLD', 'EXPIRED'])], status(['HELD', 'SOLD'], { default: 'HELD' })),
      true,
    );
  });
});

describe('unions', () => {
  it('widening a field to a nullable union is BACKWARD compatible, not FORWARD', () => {
    const next = record([{ name: 'id', type: ['null', 'string'], default: null }]);
    assert.equal(compatible('BACKWARD', [v1], next), true);
    assert.equal(compatible('FORWARD', [v1], next), false); // a null written by the new schema is unreadable as string
  });

  it('a branch added to a union is BACKWARD compatible, a removed branch is not', () => {
    assert.equal(compatible('BACKWARD', [['null', 'string']], ['null', 'string', 'int']), true);
    assert.equal(compatible('BACKWARD', [['null', 'string', 'int']], ['null', 'string']), false);
  });

  it('a writer branch may be read through a promotion into a reader branch', () => {
    assert.equal(compatible('BACKWARD', [['null', 'int']], ['null', 'long']), true);
  });
});

describe('promotions', () => {
  const cases: [string, string, boolean][] = [
    ['int', 'long', true],
    ['int', 'float', true],
    ['int', 'double', true],
    ['long', 'float', true],
    ['long', 'double', true],
    ['float', 'double', true],
    ['string', 'bytes', true],
    ['bytes', 'string', true],
    ['long', 'int', false],
    ['double', 'float', false],
    ['int', 'string', false],
    ['boolean', 'int', false],
  ];
  for (const [from, to, ok] of cases) {
    it(`${from} → ${to} is ${ok ? '' : 'not '}BACKWARD compatible`, () => {
      assert.equal(compatible('BACKWARD', [from], to), ok);
    });
  }

  it('promotion applies inside arrays and maps', () => {
    assert.equal(compatible('BACKWARD', [{ type: 'array', items: 'int' }], { type: 'array', items: 'long' }), true);
    assert.equal(compatible('BACKWARD', [{ type: 'map', values: 'long' }], { type: 'map', values: 'int' }), false);
  });
});

describe('named types', () => {
  const fields = [{ name: 'id', type: 'string' }];

  it('a renamed record is incompatible unless the reader lists the old name as an alias', () => {
    assert.equal(compatible('BACKWARD', [record(fields, 'Booking')], record(fields, 'Reservation')), false);
    assert.equal(
      compatible(
        'BACKWARD',
        [record(fields, 'Booking')],
        record(fields, 'Reservation', { aliases: ['seatstream.Booking'] }),
      ),
      true,
    );
  });

  it('a changed namespace is incompatible (avsc matches full names; Java Avro would accept it)', () => {
    assert.equal(
      compatible('BACKWARD', [record(fields, 'Booking')], record(fields, 'Booking', { namespace: 'other' })),
      false,
    );
  });

  it('a fixed of another size is incompatible', () => {
    assert.equal(
      compatible('BACKWARD', [{ type: 'fixed', name: 'Hash', size: 16 }], { type: 'fixed', name: 'Hash', size: 32 }),
      false,
    );
  });

  it('logical types are checked as their underlying type', () => {
    assert.equal(compatible('FULL', ['long'], { type: 'long', logicalType: 'timestamp-millis' }), true);
  });
});

describe('levels', () => {
  const a = record([{ name: 'a', type: 'int' }]);
  const ab = record([
    { name: 'a', type: 'int' },
    { name: 'b', type: 'int', default: 0 },
  ]);
  const abNoDefault = record([
    { name: 'a', type: 'int' },
    { name: 'b', type: 'int' },
  ]);

  it('BACKWARD checks the latest version only, BACKWARD_TRANSITIVE every version', () => {
    assert.equal(compatible('BACKWARD', [a, ab], abNoDefault), true); // reads v2 data, which has b
    assert.equal(compatible('BACKWARD_TRANSITIVE', [a, ab], abNoDefault), false); // v1 data lacks b
  });

  it('FORWARD checks the latest version only, FORWARD_TRANSITIVE every version', () => {
    // v1 requires b (no default), v2 has a default for it; the candidate drops b.
    assert.equal(compatible('FORWARD', [abNoDefault, ab], a), true);
    assert.equal(compatible('FORWARD_TRANSITIVE', [abNoDefault, ab], a), false);
  });

  it('FULL needs both directions, FULL_TRANSITIVE against every version', () => {
    assert.equal(compatible('FULL', [a], abNoDefault), false);
    assert.equal(compatible('FULL', [a], ab), true);
    assert.equal(compatible('FULL', [abNoDefault, a], ab), true);
    assert.equal(compatible('FULL_TRANSITIVE', [abNoDefault, a], ab), true);
    assert.equal(compatible('FULL_TRANSITIVE', [abNoDefault, a], a), false); // v1 cannot read data lacking b
  });

  it('NONE accepts anything, and a first version is always compatible', () => {
    assert.equal(compatible('NONE', ['string'], 'int'), true);
    assert.equal(compatible('FULL_TRANSITIVE', [], 'int'), true);
  });

  it('levels are read case-insensitively; anything else is error 42203', () => {
    assert.equal(parseCompatibilityLevel('full_transitive'), 'FULL_TRANSITIVE');
    assert.equal(parseCompatibilityLevel(' Backward '), 'BACKWARD');
    for (const bad of ['SIDEWAYS', '', 42, undefined]) {
      assert.throws(
        () => parseCompatibilityLevel(bad),
        (e: unknown) => e instanceof RegistryError && e.errorCode === 42203 && e.status === 422,
      );
    }
  });
});
