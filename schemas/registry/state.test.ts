import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAvroSchema } from './avro-schema.js';
import type { CompatibilityLevel } from './compatibility.js';
import { decodeRecord, encodeRecord, type LogRecord, type RegisterRecord } from './log-records.js';
import { RegistryState, type Outcome } from './state.js';

let requests = 0;
const nextRequest = () => `req-${++requests}`;

const register = (
  subject: string,
  schema: unknown,
  opts: { basis?: number; level?: CompatibilityLevel; request?: string } = {},
): RegisterRecord => {
  const parsed = parseAvroSchema(JSON.stringify(schema));
  return {
    kind: 'register',
    request: opts.request ?? nextRequest(),
    subject,
    schemaType: 'AVRO',
    schema: parsed.text,
    references: [],
    fingerprint: parsed.fingerprint,
    compatibility: opts.level ?? 'BACKWARD',
    basis: opts.basis ?? 0,
  };
};
const del = (subject: string, version: number | null, permanent = false): LogRecord => ({
  kind: 'delete',
  request: nextRequest(),
  subject,
  version,
  permanent,
});
const config = (subject: string | null, compatibility: CompatibilityLevel | null): LogRecord => ({
  kind: 'config',
  request: nextRequest(),
  subject,
  compatibility,
});

/** Applies records in order to a fresh state; returns the state and each record's outcome. */
const given = (...records: LogRecord[]) => {
  const state = new RegistryState();
  const outcomes = records.map((r) => state.apply(r));
  return { state, outcomes };
};
type Success = Extract<Outcome, { ok: true }>;
const ok = (o: Outcome | undefined): Success => {
  assert.ok(o?.ok, `expected success, got ${o && !o.ok ? o.error.message : 'nothing'}`);
  return o;
};
const idAndVersion = (o: Outcome | undefined) => {
  const s = ok(o);
  return [s.id, s.version];
};
const errorCode = (o: Outcome | undefined) => (o && !o.ok ? o.error.errorCode : undefined);

const rec = (fields: unknown[]) => ({ type: 'record', name: 'Hold', namespace: 'seatstream', fields });
const s1 = rec([{ name: 'id', type: 'string' }]);
const s2 = rec([
  { name: 'id', type: 'string' },
  { name: 'seats', type: 'int', default: 1 },
]);
const s2incompatible = rec([
  { name: 'id', type: 'string' },
  { name: 'seats', type: 'int' },
]);

describe('ids and versions', () => {
  it('a new distinct schema takes the highest id so far + 1, a subject numbers its versions from 1', () => {
    const { outcomes } = given(register('a', s1), register('a', s2, { basis: 1 }), register('b', 'string'));
    assert.deepEqual(outcomes.map(idAndVersion), [
      [1, 1],
      [2, 2],
      [3, 1],
    ]);
  });

  it('the same schema under another subject keeps its id', () => {
    const { outcomes } = given(register('a', s1), register('b', s1));
    assert.deepEqual(outcomes.map(idAndVersion), [
      [1, 1],
      [1, 1],
    ]);
  });

  it('registering a live schema again answers its version without a new one', () => {
    const { state, outcomes } = given(
      register('a', s1),
      register('a', s2, { basis: 1 }),
      register('a', s1, { basis: 2 }),
    );
    assert.deepEqual(idAndVersion(outcomes[2]), [1, 1]);
    assert.deepEqual(
      state.versions('a', 'live').map((v) => v.version),
      [1, 2],
    );
  });

  it('a request applied twice (producer retry) counts once', () => {
    const r = register('a', s1);
    const { state, outcomes } = given(r, { ...r }, register('a', s2, { basis: 1 }));
    assert.equal(outcomes[1], undefined);
    assert.deepEqual(
      state.versions('a', 'live').map((v) => [v.version, v.id]),
      [
        [1, 1],
        [2, 2],
      ],
    );
  });
});

describe('concurrent registrations (same basis) are checked again when applied', () => {
  it('the later, incompatible one is refused with 409', () => {
    const { state, outcomes } = given(
      register('a', s1),
      register('a', s2, { basis: 1 }),
      register('a', 'string', { basis: 1 }),
    );
    ok(outcomes[1]);
    assert.equal(errorCode(outcomes[2]), 409);
    assert.equal(outcomes[2]?.ok === false && outcomes[2].error.status, 409);
    assert.deepEqual(
      state.versions('a', 'live').map((v) => v.id),
      [1, 2],
    );
  });

  it('the later, compatible one becomes the next version', () => {
    const s3 = rec([
      { name: 'id', type: 'string' },
      { name: 'note', type: 'string', default: '' },
    ]);
    const { outcomes } = given(register('a', s1), register('a', s2, { basis: 1 }), register('a', s3, { basis: 1 }));
    assert.deepEqual(
      outcomes.map((o) => ok(o).version),
      [1, 2, 3],
    );
  });

  it('the re-check uses the level the writer checked with', () => {
    const { outcomes } = given(
      register('a', s1),
      register('a', s2, { basis: 1 }),
      register('a', 'string', { basis: 1, level: 'NONE' }),
    );
    assert.equal(ok(outcomes[2]).version, 3);
  });

  it('an unchanged basis is trusted (the writer checked against exactly this history)', () => {
    const { outcomes } = given(register('a', s1), register('a', s2incompatible, { basis: 1 }));
    ok(outcomes[1]);
  });
});

describe('deletes', () => {
  it('a soft-deleted version is hidden but its id still resolves; a permanent delete needs a soft one first', () => {
    const { state, outcomes } = given(
      register('a', s1),
      register('a', s2, { basis: 1 }),
      del('a', 2, true),
      del('a', 2),
      del('a', 2),
    );
    assert.equal(errorCode(outcomes[2]), 40407);
    ok(outcomes[3]);
    assert.equal(errorCode(outcomes[4]), 40406);
    assert.deepEqual(
      state.versions('a', 'live').map((v) => v.version),
      [1],
    );
    assert.deepEqual(
      state.versions('a', 'all').map((v) => v.version),
      [1, 2],
    );
    assert.equal(state.schemaById(2)?.id, 2);
    assert.equal(state.version('a', 'latest', false).version, 1);
  });

  it('after a permanent delete the id no longer resolves, and the same schema gets the same id again', () => {
    const { outcomes } = given(
      register('a', s1),
      register('a', s2, { basis: 1 }),
      del('a', 2),
      del('a', 2, true),
      register('a', s2, { basis: 4 }),
    );
    ok(outcomes[3]);
    assert.deepEqual(idAndVersion(outcomes[4]), [2, 2]);
    const after = given(register('a', s1), register('a', s2, { basis: 1 }), del('a', 2), del('a', 2, true)).state;
    assert.equal(after.schemaById(2), undefined);
    assert.equal(after.schemaById(1)?.id, 1);
  });

  it('a subject: soft delete, then 40404 on a second soft delete, permanent only after soft (40405)', () => {
    const { state, outcomes } = given(
      register('a', s1),
      config('a', 'FULL'),
      del('a', null, true),
      del('a', null),
      del('a', null),
      del('a', null, true),
    );
    assert.equal(errorCode(outcomes[2]), 40405);
    assert.deepEqual(ok(outcomes[3]).versions, [1]);
    assert.equal(errorCode(outcomes[4]), 40404);
    assert.deepEqual(ok(outcomes[5]).versions, [1]);
    assert.deepEqual(state.subjectNames('all'), []);
    assert.equal(state.subjectCompatibility('a'), undefined); // a permanent delete drops the subject's level
    assert.equal(errorCode(given(del('nope', null)).outcomes[0]), 40401);
  });

  it('a version referenced by another schema cannot be deleted (42206)', () => {
    const seat = parseAvroSchema(
      JSON.stringify({ type: 'record', name: 'seatstream.Seat', fields: [{ name: 'row', type: 'string' }] }),
    );
    const holdText = JSON.stringify({
      type: 'record',
      name: 'seatstream.Hold',
      fields: [{ name: 'seat', type: 'seatstream.Seat' }],
    });
    const state = new RegistryState();
    ok(state.apply(register('seat', JSON.parse(seat.text))));
    const refs = [{ name: 'seatstream.Seat', subject: 'seat', version: 1 }];
    const hold = parseAvroSchema(holdText, refs, state.resolveReference);
    ok(
      state.apply({
        ...register('hold', 'string'),
        schema: hold.text,
        references: refs,
        fingerprint: hold.fingerprint,
      }),
    );
    assert.equal(errorCode(state.apply(del('seat', 1))), 42206);
    assert.equal(errorCode(state.apply(del('seat', null))), 42206);
    assert.equal(state.typeOf(2).name, 'seatstream.Hold');
  });
});

describe('compatibility settings', () => {
  it('subject level overrides the global one; deleting it falls back; deleting an absent one is 40401', () => {
    const { state, outcomes } = given(config(null, 'FULL'), config('a', 'NONE'), config('a', null), config('a', null));
    assert.equal(state.globalCompatibility(), 'FULL');
    assert.equal(state.effectiveCompatibility('a'), 'FULL');
    assert.deepEqual(ok(outcomes[2]).compatibility, 'NONE');
    assert.equal(errorCode(outcomes[3]), 40401);
    assert.throws(() => state.configOf('a', false), { errorCode: 40408 });
    assert.equal(state.configOf('a', true), 'FULL');
  });

  it('the global level defaults to BACKWARD and DELETE resets it', () => {
    assert.equal(given().state.globalCompatibility(), 'BACKWARD');
    assert.equal(given(config(null, 'NONE'), config(null, null)).state.globalCompatibility(), 'BACKWARD');
  });
});

describe('replicas agree', () => {
  const pool = [s1, s2, s2incompatible, 'string', 'int', rec([{ name: 'id', type: 'long' }])];
  const anyRecord = fc.oneof(
    fc
      .record({
        subject: fc.constantFrom('a', 'b', 'c'),
        schema: fc.integer({ min: 0, max: pool.length - 1 }),
        basis: fc.integer({ min: 0, max: 6 }),
        level: fc.constantFrom<CompatibilityLevel>('BACKWARD', 'NONE', 'FULL_TRANSITIVE'),
      })
      .map((r) => register(r.subject, pool[r.schema], { basis: r.basis, level: r.level })),
    fc
      .record({
        subject: fc.constantFrom('a', 'b', 'c'),
        version: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
        permanent: fc.boolean(),
      })
      .map((r) => del(r.subject, r.version, r.permanent)),
  );

  it('applying the same log (through its encoding) gives the same ids and versions, ids dense and one per schema', () => {
    fc.assert(
      fc.property(fc.array(anyRecord, { maxLength: 25 }), (records) => {
        const a = given(...records);
        const b = given(...records.map((r) => decodeRecord(encodeRecord(r).key, encodeRecord(r).value)!));
        assert.deepEqual(b.outcomes, a.outcomes);
        const ids = new Map<string, number>();
        for (const subject of a.state.subjectNames('all')) {
          const versions = a.state.versions(subject, 'all');
          assert.deepEqual(
            versions.map((v) => v.version),
            [...versions.map((v) => v.version)].sort((x, y) => x - y),
          );
          for (const v of versions) {
            const fp = a.state.stored(v.id)!.fingerprint;
            assert.equal(ids.get(fp) ?? v.id, v.id);
            ids.set(fp, v.id);
          }
        }
        const registered = a.outcomes.flatMap((o) => (o?.ok && o.id !== undefined ? [o.id] : []));
        const distinct = [...new Set(registered)].sort((x, y) => x - y);
        assert.deepEqual(
          distinct,
          distinct.map((_, i) => i + 1),
        );
      }),
      { numRuns: 200 },
    );
  });
});
