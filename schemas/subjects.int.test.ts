import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadEndpoints } from '../infra/config.js';
import { subjectFor, type TopicSpec } from '../topics/catalog.js';
import { readAvsc } from './avsc.js';
import { SubjectCheckError } from './errors.js';
import { createRegistryClient } from './registry-client.js';
import { assertSubjects, ensureSubjects } from './subjects.js';

const registry = createRegistryClient(loadEndpoints().schemaRegistry);
const local = readAvsc('reservation-command.avsc');
const localJson = local.json as { fields: { name: string; type: unknown }[] };
/** The local schema with one more field (with a default): the local schema can read its data. */
const withExtraField = JSON.stringify({
  ...localJson,
  fields: [...localJson.fields, { name: 'extra', type: 'int', default: 0 }],
});
/** The local schema with eventId an int: the local schema cannot read its data. */
const withIntEventId = JSON.stringify({
  ...localJson,
  fields: localJson.fields.map((f) => (f.name === 'eventId' ? { ...f, type: 'int' } : f)),
});

const subjects: string[] = [];
const topic = (compatibility?: TopicSpec['compatibility']): TopicSpec => {
  const spec: TopicSpec = {
    name: `it-subjects-${randomUUID()}`,
    partitions: 1,
    replicationFactor: 1,
    cleanupPolicy: 'delete',
    key: 'eventId',
    valueSchema: 'reservation-command.avsc',
    ...(compatibility ? { compatibility } : {}),
    doc: 'test',
  };
  subjects.push(subjectFor(spec));
  return spec;
};

const problemsOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SubjectCheckError, String(err));
    return err.problems.map((x) => x.code);
  }
  assert.fail('did not throw');
};

describe('schema subjects on a real registry', () => {
  after(async () => {
    for (const s of subjects) await registry.deleteSubject(s);
  });

  it('sets the compatibility level and registers the schema, then changes nothing', async () => {
    const spec = topic('FULL');
    const [first] = await ensureSubjects([spec], registry);
    assert.equal(first!.action, 'registered');
    assert.equal(first!.compatibilityWas, undefined);
    assert.ok('compatibilityWas' in first!);
    assert.equal(await registry.compatibilityLevel(subjectFor(spec)), 'FULL');
    assert.equal((await registry.latest(subjectFor(spec)))?.id, first!.id);

    const [second] = await ensureSubjects([spec], registry);
    const { compatibilityWas: _was, ...registered } = first!;
    assert.deepEqual(second, { ...registered, action: 'unchanged' });
    const ids = await assertSubjects([spec], registry);
    assert.equal(ids.get(subjectFor(spec)), first!.id);
  });

  it('defaults to BACKWARD', async () => {
    const spec = topic();
    await ensureSubjects([spec], registry);
    assert.equal(await registry.compatibilityLevel(subjectFor(spec)), 'BACKWARD');
  });

  it('names the subject and the registry reason when the registry refuses the schema, and goes on', async () => {
    const refused = topic('BACKWARD');
    await registry.register(subjectFor(refused), withIntEventId);
    const fine = topic();
    const outcomes = await ensureSubjects([refused, fine], registry);
    assert.deepEqual(
      outcomes.map((o) => o.action),
      ['failed', 'registered'],
    );
    const problem = outcomes[0]!.problem!;
    assert.equal(problem.code, 'SS_ERR_SCHEMA_INCOMPATIBLE');
    assert.equal(problem.subject, subjectFor(refused));
    assert.match(problem.message, /reservation-command\.avsc/);
    assert.match(problem.message, /409/);
    assert.match(problem.message, /eventId|int|string/);
  });

  it('fails boot on a missing subject', async () => {
    assert.deepEqual(await problemsOf(assertSubjects([topic()], registry)), ['SS_ERR_SCHEMA_SUBJECT_MISSING']);
  });

  it('fails boot on a compatibility level other than the catalog', async () => {
    const spec = topic('BACKWARD_TRANSITIVE');
    await ensureSubjects([spec], registry);
    await registry.setCompatibilityLevel(subjectFor(spec), 'NONE');
    assert.deepEqual(await problemsOf(assertSubjects([spec], registry)), ['SS_ERR_SCHEMA_COMPATIBILITY_LEVEL']);
  });

  it('fails boot when the local schema is not registered: compatible or not', async () => {
    const compatible = topic();
    await registry.setCompatibilityLevel(subjectFor(compatible), 'BACKWARD');
    await registry.register(subjectFor(compatible), withExtraField);
    const incompatible = topic();
    await registry.setCompatibilityLevel(subjectFor(incompatible), 'BACKWARD');
    await registry.register(subjectFor(incompatible), withIntEventId);
    const err = await assertSubjects([compatible, incompatible], registry).catch((e: unknown) => e);
    assert.ok(err instanceof SubjectCheckError);
    assert.deepEqual(
      err.problems.map((p) => [p.code, p.subject]),
      [
        ['SS_ERR_SCHEMA_NOT_REGISTERED', subjectFor(compatible)],
        ['SS_ERR_SCHEMA_INCOMPATIBLE', subjectFor(incompatible)],
      ],
    );
    assert.match(err.message, new RegExp(subjectFor(incompatible).replace(/[.-]/g, '\\$&')));
  });

  it('reports an unreachable registry as a registry problem', async () => {
    const down = createRegistryClient('http://127.0.0.1:9', { timeoutMs: 2000 });
    assert.deepEqual(await problemsOf(assertSubjects([topic()], down)), ['SS_ERR_SCHEMA_REGISTRY']);
  });
});
