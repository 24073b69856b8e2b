/**
 * Poison records on a real broker: an undecodable value and a value the processor keeps failing on
 * both land in `<topic>.dlq` with the reason in headers, inside the task's transaction, and the
 * stream goes on. The failed record's store writes are rolled back.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dlqHeaders } from './dead-letter.js';
import { TestCluster, brokers, eventually, type TopicReader } from './kafka/test-kit.js';
import type { Processor, ProcessorContext, StreamRecord } from './processor.js';
import { StreamRuntime } from './runtime.js';
import { jsonSerde, stringSerde, type Serde } from './serde.js';
import type { KeyValueStore } from './state/key-value-store.js';
import { readTaskStore } from './testing/stores.js';
import { Topology } from './topology.js';

interface Order {
  n: number;
}

/** The sink's serde refuses 14 (a forward that fails after the processor returned). */
const refusing14: Serde<number> = {
  serialize: async (topic, value) => {
    if (value === 14) throw new RangeError('14 is not accepted downstream');
    return jsonSerde<number>().serialize(topic, value);
  },
  deserialize: (topic, data) => jsonSerde<number>().deserialize(topic, data),
};

/** Doubles n; counts what it processed per key; throws on 13 after writing to its store. */
class Doubler implements Processor<string, Order, string, number> {
  private ctx!: ProcessorContext<string, number>;
  private seen!: KeyValueStore<string, number>;

  constructor(private readonly onThrow: () => void) {}

  init(ctx: ProcessorContext<string, number>) {
    this.ctx = ctx;
    this.seen = ctx.store('seen');
  }

  async process(record: StreamRecord<string, Order>) {
    await this.seen.put(record.key, ((await this.seen.get(record.key)) ?? 0) + 1);
    if (record.value.n === 13) {
      this.onThrow();
      throw new Error('unlucky number');
    }
    // Not awaited on purpose: the runtime still waits for it, and its failure fails the record.
    void this.ctx.forward('doubled', record.key, record.value.n * 2);
  }
}

describe('poison records', () => {
  let cluster: TestCluster;
  let stateDir: string;
  let runtime: StreamRuntime | undefined;
  const readers: TopicReader[] = [];

  before(async () => {
    cluster = await new TestCluster().connect();
    stateDir = await mkdtemp(join(tmpdir(), 'runtime-poison-'));
  });
  after(async () => {
    await runtime?.close();
    for (const r of readers) await r.stop();
    await cluster.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('sends undecodable and failing records to the DLQ with the reason and keeps going', async () => {
    const input = await cluster.topic('poison-in', 2);
    const output = await cluster.topic('poison-out', 2);
    const applicationId = cluster.appId('poison');
    let attempts = 0;
    const topology = new Topology()
      .addSource('orders', { topics: input, keySerde: stringSerde, valueSerde: jsonSerde<Order>() })
      .addProcessor('double', () => new Doubler(() => attempts++), 'orders')
      .addStateStore({ name: 'seen', keySerde: stringSerde, valueSerde: jsonSerde<number>() }, 'double')
      .addSink('doubled', { topic: output, keySerde: stringSerde, valueSerde: refusing14 }, 'double');

    const key = 'customer-1'; // one key: one partition, strict order
    await cluster.produce(input, [
      { key, value: JSON.stringify({ n: 1 }) },
      { key, value: '{"n": 2', headers: { trace: 'abc' } }, // not JSON
      { key, value: JSON.stringify({ n: 13 }) }, // the processor throws
      { key, value: JSON.stringify({ n: 7 }) }, // its forward fails
      { key, value: JSON.stringify({ n: 3 }) },
    ]);
    runtime = new StreamRuntime(topology, {
      applicationId,
      brokers: brokers(),
      stateDir,
      processingRetries: 2,
      sessionTimeoutMs: 6_000,
    });
    await runtime.start();

    const out = await cluster.reader(output);
    const dlq = await cluster.reader(`${input}.dlq`);
    readers.push(out, dlq);
    await out.waitUntil(() => out.records.length >= 2, 30_000, 'the two good records');
    await dlq.waitUntil(() => dlq.records.length >= 3, 30_000, 'three dead letters');

    assert.deepEqual(
      out.records.map((r) => JSON.parse(r.value!.toString())),
      [2, 6],
      'records after the poison ones are processed, in order',
    );
    const [undecodable, failing, unforwardable] = dlq.records;
    assert.equal(undecodable!.headers[dlqHeaders.code], 'SS_ERR_RUNTIME_DESERIALIZATION');
    assert.match(undecodable!.headers[dlqHeaders.message]!, /JSON/);
    assert.equal(undecodable!.headers[dlqHeaders.topic], input);
    assert.equal(undecodable!.headers[dlqHeaders.offset], '1');
    assert.equal(undecodable!.headers.trace, 'abc', 'the source headers are kept');
    assert.equal(undecodable!.value!.toString(), '{"n": 2', 'the source bytes are kept');
    assert.equal(undecodable!.key, key);
    assert.equal(
      undecodable!.partition,
      Number(undecodable!.headers[dlqHeaders.partition]),
      'same partition as the source',
    );
    assert.ok(Number(undecodable!.headers[dlqHeaders.timestamp]) > 0);

    assert.equal(failing!.headers[dlqHeaders.code], 'SS_ERR_RUNTIME_PROCESSING');
    assert.equal(failing!.headers[dlqHeaders.message], 'unlucky number');
    assert.equal(failing!.headers[dlqHeaders.attempts], '3', 'tried once and retried twice');
    assert.equal(failing!.headers[dlqHeaders.offset], '2');
    assert.equal(attempts, 3);
    assert.equal(unforwardable!.headers[dlqHeaders.code], 'SS_ERR_RUNTIME_PROCESSING');
    assert.equal(unforwardable!.headers[dlqHeaders.message], '14 is not accepted downstream');
    assert.equal(unforwardable!.headers[dlqHeaders.offset], '3');

    // The failing record's store write was rolled back on every attempt: 2 records counted, not 3
    // or 5. The store is written right after the Kafka commit, so the query may lag a moment.
    const rt = runtime;
    await eventually(async () => (await rt.query<string, number>('seen', key)) !== undefined, 10_000, 'the store');
    await eventually(async () => (await rt.query<string, number>('seen', key)) === 2, 10_000, 'seen = 2');
    const metrics = await runtime.metricsText();
    assert.match(metrics, /seatstream_runtime_dead_letters_total\{[^}]*code="SS_ERR_RUNTIME_PROCESSING"[^}]*\} 2/);
    assert.match(metrics, /seatstream_runtime_dead_letters_total\{[^}]*code="SS_ERR_RUNTIME_DESERIALIZATION"[^}]*\} 1/);

    await runtime.close();
    const partition = out.records[0]!.partition;
    const { entries } = await readTaskStore(
      stateDir,
      applicationId,
      partition,
      'seen',
      `${applicationId}-seen-changelog`,
    );
    assert.deepEqual([...entries], [[key, '2']]);
  });
});
