/**
 * The wire format, proven with clients no one here wrote: Confluent's Python client (confluent-kafka: Consumer,
 * Producer, SchemaRegistryClient, AvroDeserializer, AvroSerializer) and @kafkajs/confluent-schema-registry's
 * encode/decode, on every schema of the topic catalog, through the real broker and registry.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import confluent from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { kafkaBrokers, loadEndpoints, stackDir } from '../../infra/config.js';
import { readAvsc } from '../../schemas/avsc.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { createAvroSerde, type Serde } from '../../schemas/serde.js';
import { unframe } from '../../schemas/wire-format.js';
import { topics, valueSubject, type TopicSpec } from '../../topics/catalog.js';
import { fastavroJson, type Json } from './fastavro-json.js';
import { catalogEvent, eventAvailability, reservationCommands, reservationEvents } from './fixtures.js';

const { Kafka, logLevel } = kafkajs;
const { SchemaRegistry, SchemaType } = confluent;

const endpoints = loadEndpoints();
const python = join(stackDir, 'venv', 'bin', 'python');
const script = join(import.meta.dirname, 'confluent_client.py');
const randomPerSchema = 6;

/** avsc decodes to class instances; the data is their JSON. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as Json;

interface Case {
  spec: TopicSpec;
  schema: ReturnType<typeof readAvsc>;
  /** Values as decoded (floats rounded to float32 and so on): what a reader must get back. */
  values: unknown[];
  serde: Serde<unknown>;
  view: ReturnType<typeof fastavroJson>;
}

function makeCase(spec: TopicSpec, fixtures: unknown[]): Case {
  const schema = readAvsc(spec.valueSchema!);
  const canonical = (v: unknown) => schema.type.fromBuffer(schema.type.toBuffer(v)) as unknown;
  const random: unknown[] = [];
  while (random.length < randomPerSchema) {
    const v = canonical(schema.type.random());
    if (JSON.stringify(v).length < 20_000) random.push(v);
  }
  return {
    spec,
    schema,
    values: [...fixtures.map(canonical), ...random],
    serde: createAvroSerde({ registry: createRegistryClient(endpoints.schemaRegistry), schema }),
    view: fastavroJson(schema.json),
  };
}

function runPython(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('interop with Confluent clients', () => {
  const kafka = new Kafka({ clientId: 'it-interop', brokers: kafkaBrokers(endpoints), logLevel: logLevel.NOTHING });
  const registry = createRegistryClient(endpoints.schemaRegistry);
  const library = new SchemaRegistry({ host: endpoints.schemaRegistry }, { [SchemaType.AVRO]: { wrapUnions: true } });
  const created = { topics: [] as string[], groups: [] as string[] };
  let admin: Admin;
  let producer: Producer;
  let cases: Case[];

  const newTopic = async (spec: TopicSpec) => {
    const topic = `it-interop-${spec.name}-${randomUUID()}`;
    created.topics.push(topic);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    return topic;
  };
  const newGroup = () => {
    const group = `it-interop-${randomUUID()}`;
    created.groups.push(group);
    return group;
  };

  before(async () => {
    assert.ok(existsSync(python), `no Python venv at ${python}: run npm run bootstrap`);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    cases = [
      makeCase(topics.catalogEvents, [catalogEvent]),
      makeCase(topics.reservationCommands, reservationCommands),
      makeCase(topics.reservationEvents, reservationEvents),
      makeCase(topics.eventAvailability, [eventAvailability]),
    ];
  });

  after(async () => {
    await producer?.disconnect();
    if (admin) {
      const groups = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
      const mine = created.groups.filter((g) => groups.has(g));
      if (mine.length > 0) await admin.deleteGroups(mine);
      if (created.topics.length > 0) await admin.deleteTopics({ topics: created.topics });
      await admin.disconnect();
    }
    for (const topic of created.topics) await registry.deleteSubject(valueSubject(topic));
  });

  it(
    "Confluent's Python consumer decodes what our serde and the kafkajs registry library wrote",
    { timeout: 180_000 },
    async () => {
      const sent = new Map<string, { c: Case; schemaId: number; byKey: Map<string, unknown> }>();
      for (const c of cases) {
        const topic = await newTopic(c.spec);
        const messages: { key: string; value: Buffer }[] = [];
        let schemaId = 0;
        for (const [i, value] of c.values.entries()) {
          // Even records through our serde, odd ones through the library's own encoder (same registered id).
          const bytes =
            i % 2 === 0 || schemaId === 0
              ? await c.serde.serialize(topic, value)
              : await library.encode(schemaId, value);
          schemaId = unframe(bytes).schemaId;
          assert.deepEqual(plain(await library.decode(bytes)), plain(value), 'the library decodes it too');
          messages.push({ key: `k-${i}`, value: bytes });
        }
        await producer.send({ topic, acks: -1, messages });
        sent.set(topic, { c, schemaId, byKey: new Map(c.values.map((v, i) => [`k-${i}`, v])) });
      }

      const total = [...sent.values()].reduce((n, s) => n + s.byKey.size, 0);
      const run = await runPython([
        'consume',
        ...['--bootstrap', endpoints.kafka, '--registry', endpoints.schemaRegistry, '--group', newGroup()],
        ...['--count', String(total), ...[...sent.keys()].flatMap((t) => ['--topic', t])],
      ]);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { topic: string; key: string; schemaId: number; value: Json });
      assert.equal(lines.length, total);
      const seen = new Set<string>();
      for (const line of lines) {
        const s = sent.get(line.topic)!;
        assert.ok(!seen.has(`${line.topic}/${line.key}`), `${line.key} read twice`);
        seen.add(`${line.topic}/${line.key}`);
        assert.equal(line.schemaId, s.schemaId);
        assert.deepEqual(line.value, s.c.view.printed(s.byKey.get(line.key)), `${s.c.spec.valueSchema} ${line.key}`);
      }
    },
  );

  it("our serde decodes what Confluent's Python producer wrote with AvroSerializer", { timeout: 180_000 }, async () => {
    const expected = new Map<string, { c: Case; schemaId: number; byKey: Map<string, unknown> }>();
    for (const c of cases) {
      const topic = await newTopic(c.spec);
      const input = c.values.map((v, i) => JSON.stringify({ key: `k-${i}`, value: c.view.input(v) })).join('\n');
      const run = await runPython(
        [
          'produce',
          ...['--bootstrap', endpoints.kafka, '--registry', endpoints.schemaRegistry, '--topic', topic],
          ...['--schema', join(import.meta.dirname, '../../schemas', c.spec.valueSchema!)],
        ],
        input,
      );
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { produced: number; schemaId: number };
      assert.equal(result.produced, c.values.length);
      // Python registered the same .avsc under the subject: our serde finds the same id.
      assert.equal(unframe(await c.serde.serialize(topic, c.values[0])).schemaId, result.schemaId);
      expected.set(topic, { c, schemaId: result.schemaId, byKey: new Map(c.values.map((v, i) => [`k-${i}`, v])) });
    }

    const total = [...expected.values()].reduce((n, s) => n + s.byKey.size, 0);
    const received: { topic: string; key: string; schemaId: number; value: unknown }[] = [];
    const consumer = kafka.consumer({ groupId: newGroup() });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...expected.keys()], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ topic, message }) => {
              const { c } = expected.get(topic)!;
              const value = await c.serde.deserialize(topic, message.value!);
              received.push({ topic, key: message.key!.toString(), schemaId: unframe(message.value!).schemaId, value });
              if (received.length >= total) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    assert.equal(received.length, total);
    for (const r of received) {
      const e = expected.get(r.topic)!;
      assert.equal(r.schemaId, e.schemaId);
      assert.deepEqual(plain(r.value), plain(e.byKey.get(r.key)), `${e.c.spec.valueSchema} ${r.key}`);
    }
  });
});
