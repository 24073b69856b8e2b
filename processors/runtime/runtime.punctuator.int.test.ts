/**
 * Wall-clock punctuators on a real broker, the way hold expiry uses them: records put holds in a
 * store; a punctuator scans the store, forwards an "expired" record per hold and deletes it. Its
 * forwards and deletions go through the task's transactions: each hold expires exactly once, the
 * store ends empty and the changelog ends in tombstones.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster, brokers, eventually, type TopicReader } from './kafka/test-kit.js';
import type { Processor, ProcessorContext, StreamRecord } from './processor.js';
import { StreamRuntime } from './runtime.js';
import { jsonSerde, stringSerde } from './serde.js';
import type { KeyValueStore } from './state/key-value-store.js';
import { Topology } from './topology.js';

interface Hold {
  seat: string;
}

class HoldExpiry implements Processor<string, Hold, string, string> {
  private holds!: KeyValueStore<string, Hold>;

  init(ctx: ProcessorContext<string, string>) {
    this.holds = ctx.store('holds');
    ctx.schedule(150, 'wall-clock', async (now) => {
      for await (const { key, value } of this.holds.all()) {
        await ctx.forward({ key, value: `expired ${value.seat}`, timestamp: now, headers: {} });
        await this.holds.delete(key);
      }
    });
  }

  async process(record: StreamRecord<string, Hold>) {
    await this.holds.put(record.key, record.value);
  }
}

describe('wall-clock punctuators', () => {
  let cluster: TestCluster;
  let stateDir: string;
  let runtime: StreamRuntime | undefined;
  const readers: TopicReader[] = [];

  before(async () => {
    cluster = await new TestCluster().connect();
    stateDir = await mkdtemp(join(tmpdir(), 'runtime-punctuator-'));
  });
  after(async () => {
    await runtime?.close();
    for (const r of readers) await r.stop();
    await cluster.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('forwards and deletes through the task transactions: every hold expires exactly once', async () => {
    const input = await cluster.topic('holds-in', 3);
    const output = await cluster.topic('holds-expired', 3);
    const applicationId = cluster.appId('punctuator');
    const topology = new Topology()
      .addSource('holds', { topics: input, keySerde: stringSerde, valueSerde: jsonSerde<Hold>() })
      .addProcessor('expiry', () => new HoldExpiry(), 'holds')
      .addStateStore({ name: 'holds', keySerde: stringSerde, valueSerde: jsonSerde<Hold>() }, 'expiry')
      .addSink('expired', { topic: output, keySerde: stringSerde, valueSerde: stringSerde }, 'expiry');
    runtime = new StreamRuntime(topology, { applicationId, brokers: brokers(), stateDir, sessionTimeoutMs: 6_000 });
    await runtime.start();

    const holds = Array.from({ length: 30 }, (_, i) => ({
      key: `hold-${i}`,
      value: JSON.stringify({ seat: `A${i}` }),
    }));
    await cluster.produce(input, holds.slice(0, 15));
    const out = await cluster.reader(output);
    readers.push(out);
    await out.waitUntil(() => out.records.length >= 15, 30_000, 'the first holds to expire');
    await cluster.produce(input, holds.slice(15));
    await out.waitUntil(() => out.records.length >= 30, 30_000, 'every hold to expire');

    const expired = out.records.map((r) => `${r.key}:${r.value!.toString()}`).sort();
    assert.deepEqual(expired, holds.map((h, i) => `${h.key}:expired A${i}`).sort(), 'each hold expired once');
    const rt = runtime;
    await eventually(async () => (await rt.query('holds', 'hold-7')) === undefined, 10_000, 'the hold to be gone');

    await runtime.close();
    const changelog = await cluster.readAll(`${applicationId}-holds-changelog`);
    const last = new Map(changelog.map((r) => [r.key, r.value]));
    assert.equal(last.size, 30);
    assert.ok(
      [...last.values()].every((v) => v === null),
      'the changelog ends in a tombstone for every hold',
    );
    assert.match(await runtime.metricsText(), /seatstream_runtime_punctuations_total\{result="ok"[^}]*\} [1-9]/);
  });
});
