/**
 * The registry on a real broker (endpoints from infra/config.ts: KAFKA_BROKERS or the local stack).
 * Each test uses a log topic of its own and deletes it afterwards.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { parseAvroSchema } from './avro-schema.js';
import { deleteSchemasTopic } from './kafka-log.js';
import type { RegisterRecord } from './log-records.js';
import { createRegistryServer, type RegistryServer } from './server.js';

const brokers = kafkaBrokers(loadEndpoints());
const CT = 'application/vnd.schemaregistry.v1+json';

/** A log topic for this test, deleted (with the servers stopped) when the test ends. */
function testTopic(t: TestContext): { topic: string; servers: RegistryServer[] } {
  const topic = `_schemas-it-${randomUUID()}`;
  const servers: RegistryServer[] = [];
  t.after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await deleteSchemasTopic(brokers, topic);
  });
  return { topic, servers };
}

async function startServer(ctx: { topic: string; servers: RegistryServer[] }): Promise<RegistryServer> {
  const server = createRegistryServer({ brokers, topic: ctx.topic });
  ctx.servers.push(server);
  await server.start();
  return server;
}

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of the REST API
}

async function call(
  server: RegistryServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = CT,
): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Waits until every server has applied the log as far as the furthest one (a server answers its own writes once applied; the others follow). */
async function caughtUp(...servers: RegistryServer[]): Promise<void> {
  const target = Math.max(...servers.map((s) => s.store.offset));
  for (let i = 0; i < 300 && servers.some((s) => s.store.offset < target); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(
    servers.every((s) => s.store.offset >= target),
    `instances did not reach offset ${target}`,
  );
}

const record = (name: string, fields: unknown[]) => ({ type: 'record', name, namespace: 'seatstream.it', fields });
const asBody = (schema: unknown) => ({ schema: JSON.stringify(schema) });
const hold = record('Hold', [
  { name: 'holdId', type: 'string' },
  { name: 'seats', type: 'int' },
]);
const holdV2 = record('Hold', [
  { name: 'holdId', type: 'string' },
  { name: 'seats', type: 'int' },
  { name: 'note', type: 'string', default: '' },
]);
const holdBreaking = record('Hold', [
  { name: 'holdId', type: 'string' },
  { name: 'seats', type: 'int' },
  { name: 'price', type: 'long' },
]);

describe('schema registry on Kafka', () => {
  it('registers, looks up and serves schemas by id', async (t) => {
    const server = await startServer(testTopic(t));
    const first = await call(server, 'POST', '/subjects/holds-value/versions', asBody(hold));
    assert.deepEqual(first, { status: 200, body: { id: 1 } });
    // The same schema, written differently, under another subject: same id, version 1 there.
    const spaced = JSON.stringify(hold, null, 2);
    assert.deepEqual(
      await call(server, 'POST', '/subjects/archive-value/versions', { schema: spaced }, 'application/json'),
      { status: 200, body: { id: 1 } },
    );
    assert.deepEqual(await call(server, 'POST', '/subjects/holds-value/versions', asBody(hold)), {
      status: 200,
      body: { id: 1 },
    });

    const byId = await call(server, 'GET', '/schemas/ids/1');
    assert.equal(byId.status, 200);
    assert.deepEqual(JSON.parse(byId.body.schema), hold);
    assert.equal(byId.body.schemaType, undefined); // omitted for AVRO, as Confluent does

    const lookup = await call(server, 'POST', '/subjects/holds-value', { schema: spaced });
    assert.deepEqual(lookup, {
      status: 200,
      body: { subject: 'holds-value', version: 1, id: 1, schema: JSON.stringify(hold) },
    });
    assert.equal((await call(server, 'POST', '/subjects/holds-value', asBody(holdV2))).body.error_code, 40403);
    assert.equal((await call(server, 'POST', '/subjects/nobody', asBody(hold))).body.error_code, 40401);

    assert.deepEqual((await call(server, 'GET', '/subjects')).body, ['archive-value', 'holds-value']);
    assert.deepEqual((await call(server, 'GET', '/subjects/holds-value/versions/latest')).body, {
      subject: 'holds-value',
      version: 1,
      id: 1,
      schema: JSON.stringify(hold),
    });
    assert.deepEqual((await call(server, 'GET', '/schemas/ids/1/versions')).body, [
      { subject: 'archive-value', version: 1 },
      { subject: 'holds-value', version: 1 },
    ]);
    assert.equal((await call(server, 'GET', '/schemas/ids/2')).body.error_code, 40403);
    assert.equal((await call(server, 'GET', '/subjects/holds-value/versions/0')).body.error_code, 42202);
    assert.equal((await call(server, 'POST', '/subjects/x/versions', { schema: '{"type":"record"}' })).status, 422);
    assert.equal(
      (await call(server, 'POST', '/subjects/x/versions', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }))
        .body.error_code,
      42201,
    );
  });

  it('refuses an incompatible change with 409 and accepts a compatible one', async (t) => {
    const server = await startServer(testTopic(t));
    assert.equal((await call(server, 'POST', '/subjects/holds-value/versions', asBody(hold))).status, 200);

    const check = await call(
      server,
      'POST',
      '/compatibility/subjects/holds-value/versions/latest?verbose=true',
      asBody(holdBreaking),
    );
    assert.equal(check.body.is_compatible, false);
    assert.match(check.body.messages[0], /price/);
    const refused = await call(server, 'POST', '/subjects/holds-value/versions', asBody(holdBreaking));
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error_code, 409);

    assert.deepEqual(
      (await call(server, 'POST', '/compatibility/subjects/holds-value/versions/latest', asBody(holdV2))).body,
      { is_compatible: true },
    );
    assert.deepEqual(await call(server, 'POST', '/subjects/holds-value/versions', asBody(holdV2)), {
      status: 200,
      body: { id: 2 },
    });
    assert.deepEqual((await call(server, 'GET', '/subjects/holds-value/versions')).body, [1, 2]);

    // With NONE the breaking change goes in; deleting the setting brings BACKWARD back.
    assert.deepEqual((await call(server, 'PUT', '/config/holds-value', { compatibility: 'none' })).body, {
      compatibility: 'NONE',
    });
    assert.deepEqual(await call(server, 'POST', '/subjects/holds-value/versions', asBody(holdBreaking)), {
      status: 200,
      body: { id: 3 },
    });
    assert.deepEqual((await call(server, 'DELETE', '/config/holds-value')).body, { compatibilityLevel: 'NONE' });
    assert.equal((await call(server, 'GET', '/config/holds-value')).body.error_code, 40408);
    const needsZone = record('Hold', [...holdBreaking.fields, { name: 'zone', type: 'string' }]);
    assert.equal((await call(server, 'POST', '/subjects/holds-value/versions', asBody(needsZone))).status, 409);
  });

  it('works with @kafkajs/confluent-schema-registry: register, encode, decode, getLatestSchemaId', async (t) => {
    const server = await startServer(testTopic(t));
    const subject = `it-${randomUUID()}-value`;
    const registry = new SchemaRegistry({ host: server.url! });
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(hold) }, { subject });
    assert.equal(id, 1);
    // The client set the subject's level on first registration, and checks it on the next ones.
    assert.deepEqual((await call(server, 'GET', `/config/${subject}`)).body, { compatibilityLevel: 'BACKWARD' });
    assert.equal((await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(hold) }, { subject })).id, 1);

    const encoded = await registry.encode(id, { holdId: 'h-1', seats: 2 });
    assert.equal(encoded[0], 0); // Confluent wire format: magic byte, then the id
    assert.equal(encoded.readInt32BE(1), id);

    const { id: id2 } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(holdV2) }, { subject });
    assert.equal(id2, 2);
    assert.equal(await registry.getLatestSchemaId(subject), 2);

    // A client with an empty cache fetches the writer schema by id.
    const reader = new SchemaRegistry({ host: server.url! });
    assert.deepEqual({ ...(await reader.decode(encoded)) }, { holdId: 'h-1', seats: 2 });
    const encodedV2 = await reader.encode(id2, { holdId: 'h-2', seats: 1, note: 'aisle' });
    assert.deepEqual({ ...(await registry.decode(encodedV2)) }, { holdId: 'h-2', seats: 1, note: 'aisle' });

    await assert.rejects(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(holdBreaking) }, { subject }),
      (e: Error & { status?: number }) => e.status === 409,
    );
  });

  it('keeps its schemas, ids, versions, deletions and settings across a restart', async (t) => {
    const ctx = testTopic(t);
    const before = await startServer(ctx);
    await call(before, 'PUT', '/config', { compatibility: 'FULL' });
    await call(before, 'PUT', '/config/archive-value', { compatibility: 'NONE' });
    await call(before, 'POST', '/subjects/holds-value/versions', asBody(hold));
    await call(before, 'POST', '/subjects/holds-value/versions', asBody(holdV2));
    await call(before, 'POST', '/subjects/archive-value/versions', asBody(holdV2));
    await call(before, 'POST', '/subjects/gone-value/versions', asBody('string'));
    assert.deepEqual((await call(before, 'DELETE', '/subjects/gone-value')).body, [1]);
    const snapshot = async (s: RegistryServer) => ({
      subjects: (await call(s, 'GET', '/subjects')).body,
      deleted: (await call(s, 'GET', '/subjects?deleted=true')).body,
      holds: [
        (await call(s, 'GET', '/subjects/holds-value/versions/1')).body,
        (await call(s, 'GET', '/subjects/holds-value/versions/2')).body,
      ],
      archive: (await call(s, 'GET', '/subjects/archive-value/versions/latest')).body,
      ids: [
        (await call(s, 'GET', '/schemas/ids/1')).body,
        (await call(s, 'GET', '/schemas/ids/2')).body,
        (await call(s, 'GET', '/schemas/ids/3')).body,
      ],
      global: (await call(s, 'GET', '/config')).body,
      archiveLevel: (await call(s, 'GET', '/config/archive-value')).body,
    });
    const expected = await snapshot(before);
    assert.equal(expected.global.compatibilityLevel, 'FULL');
    assert.deepEqual(expected.deleted, ['archive-value', 'gone-value', 'holds-value']);
    await before.stop();

    const after = await startServer(ctx);
    assert.deepEqual(await snapshot(after), expected);
    // Numbering goes on from the log: the next new schema is id 4, the next version of holds-value 3.
    const holdV3 = record('Hold', [...holdV2.fields, { name: 'channel', type: 'string', default: 'web' }]);
    assert.deepEqual((await call(after, 'POST', '/subjects/holds-value/versions', asBody(holdV3))).body, { id: 4 });
    assert.equal((await call(after, 'GET', '/subjects/holds-value/versions/latest')).body.version, 3);
  });

  it('two instances on one log, registering concurrently, agree on every id and version', async (t) => {
    const ctx = testTopic(t);
    const [a, b] = [await startServer(ctx), await startServer(ctx)];
    const v1 = record('Seat', [{ name: 'seatId', type: 'string' }]);
    const subjects = ['s1', 's2', 's3', 's4'];
    await Promise.all(subjects.map((s) => call(a, 'POST', `/subjects/${s}/versions`, asBody(v1))));

    // Per subject, A and B race with two changes each compatible with v1 but not with each other:
    // exactly one must win, the same one on both instances. Both also register distinct new schemas
    // and the same schema under the same subject.
    const viaA = record('Seat', [
      { name: 'seatId', type: 'string' },
      { name: 'row', type: 'int', default: 0 },
    ]);
    const viaB = record('Seat', [
      { name: 'seatId', type: 'string' },
      { name: 'row', type: 'string', default: '' },
    ]);
    const distinct = (n: number) => record(`Other${n}`, [{ name: 'x', type: 'int' }]);
    const shared = record('Shared', [{ name: 'y', type: 'string' }]);
    const requests: Promise<Reply & { what: string }>[] = [];
    const send = (server: RegistryServer, what: string, subject: string, schema: unknown) =>
      requests.push(
        call(server, 'POST', `/subjects/${subject}/versions`, asBody(schema)).then((r) => ({ ...r, what })),
      );
    for (const s of subjects) {
      send(a, `${s}:A`, s, viaA);
      send(b, `${s}:B`, s, viaB);
    }
    for (let n = 0; n < 6; n++) send(n % 2 ? a : b, `other${n}`, `other-${n}`, distinct(n));
    send(a, 'sharedA', 'shared', shared);
    send(b, 'sharedB', 'shared', shared);
    const replies = await Promise.all(requests);

    for (const r of replies)
      assert.ok(r.status === 200 || r.status === 409, `${r.what}: ${r.status} ${JSON.stringify(r.body)}`);
    for (const s of subjects) {
      const outcomes = replies
        .filter((r) => r.what.startsWith(`${s}:`))
        .map((r) => r.status)
        .sort();
      assert.deepEqual(outcomes, [200, 409], `${s}: one change wins, the other is refused`);
      assert.equal(replies.find((r) => r.what.startsWith(`${s}:`) && r.status === 409)?.body.error_code, 409);
    }
    const sharedIds = replies.filter((r) => r.what.startsWith('shared')).map((r) => r.body.id);
    assert.equal(sharedIds[0], sharedIds[1]);
    // v1 is id 1; each distinct schema that got in has one id, numbered on from 2 without gaps.
    const winners = new Set(
      replies.filter((r) => r.status === 200 && r.what.includes(':')).map((r) => r.what.slice(-1)),
    );
    const newIds = [...new Set(replies.filter((r) => r.status === 200).map((r) => r.body.id as number))].sort(
      (x, y) => x - y,
    );
    assert.deepEqual(
      newIds,
      Array.from({ length: 6 + 1 + winners.size }, (_, i) => i + 2),
    );

    await caughtUp(a, b);
    const view = async (s: RegistryServer) => {
      const out: Record<string, unknown> = {};
      for (const subject of (await call(s, 'GET', '/subjects')).body as string[]) {
        const versions = (await call(s, 'GET', `/subjects/${subject}/versions`)).body as number[];
        out[subject] = await Promise.all(
          versions.map(async (v) => (await call(s, 'GET', `/subjects/${subject}/versions/${v}`)).body),
        );
      }
      return out;
    };
    const [viewA, viewB] = [await view(a), await view(b)];
    assert.equal(Object.keys(viewA).length, 4 + 6 + 1);
    assert.deepEqual(viewB, viewA);
  });

  it('two records checked on the same history, appended by two instances: the later in the log is refused on both', async (t) => {
    // What a race between both instances' pre-checks leaves in the log, made certain: both records
    // carry the basis they were checked on, so applying them must check the later one again.
    const ctx = testTopic(t);
    const [a, b] = [await startServer(ctx), await startServer(ctx)];
    const v1 = record('Seat', [{ name: 'seatId', type: 'string' }]);
    assert.equal((await call(a, 'POST', '/subjects/seats/versions', asBody(v1))).status, 200);
    await caughtUp(a, b);
    const registration = (server: RegistryServer, schema: unknown): RegisterRecord => {
      const parsed = parseAvroSchema(JSON.stringify(schema));
      return {
        kind: 'register',
        request: randomUUID(),
        subject: 'seats',
        schemaType: 'AVRO',
        schema: parsed.text,
        references: [],
        fingerprint: parsed.fingerprint,
        compatibility: 'BACKWARD',
        basis: server.store.state.basis('seats'),
      };
    };
    const viaA = registration(
      a,
      record('Seat', [
        { name: 'seatId', type: 'string' },
        { name: 'row', type: 'int', default: 0 },
      ]),
    );
    const viaB = registration(
      b,
      record('Seat', [
        { name: 'seatId', type: 'string' },
        { name: 'row', type: 'string', default: '' },
      ]),
    );
    assert.equal(viaA.basis, viaB.basis);
    const [outcomeA, outcomeB] = await Promise.all([a.store.write(viaA), b.store.write(viaB)]);
    const results = [outcomeA, outcomeB].map((o) => (o.ok ? 'ok' : o.error.errorCode)).sort();
    assert.deepEqual(results, [409, 'ok']);
    const winner = outcomeA.ok ? outcomeA : outcomeB;
    assert.ok(winner.ok);
    await caughtUp(a, b);
    for (const s of [a, b]) {
      assert.deepEqual((await call(s, 'GET', '/subjects/seats/versions')).body, [1, 2]);
      assert.equal((await call(s, 'GET', '/subjects/seats/versions/2')).body.id, winner.id);
    }
  });
});
