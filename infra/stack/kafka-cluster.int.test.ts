/**
 * The 3-broker Kafka cluster of the local stack, for real: three KRaft nodes elect a controller, a topic with
 * replication factor 3 is created, a transaction commits; a broker crashes (SIGKILL) and its partitions get new
 * leaders while transactions still commit on the two left (min ISR 2); it comes back into the ISR; then the stack
 * returns to a single broker, on its own data, and down leaves nothing.
 *
 * Throwaway stack in its own directory on free ports, as in stack.int.test.ts (hence the dynamic imports).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'seatstream-cluster-it-'));
chmodSync(dir, 0o755);
process.env.SEATSTREAM_STACK_DIR = dir;
for (const v of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL', 'CLICKHOUSE_URL'])
  delete process.env[v];

const { loadEndpoints, kafkaBrokers } = await import('../config.js');
const { stackUp, stackDown, stackStatus, stopKafkaBroker, startKafkaBroker, stackLayout } = await import('./index.js');
const { eventually, freePortOffset, kafkaRoundTrip, processesMentioning, testKafka } =
  await import('./test-support.js');

const portOffset = freePortOffset();
const layout = stackLayout(dir, portOffset);
const quiet = { portOffset, log: () => undefined };

async function partitionState(brokers: string[], topic: string) {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions ?? [];
  } finally {
    await admin.disconnect();
  }
}

describe('local stack: 3-broker Kafka cluster, then back to one', { timeout: 900_000 }, () => {
  after(async () => {
    try {
      await stackDown(quiet);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const topic = `it-cluster-${randomUUID()}`;

  it('starts three KRaft nodes that all register and elect leaders for a topic with replication factor 3', async () => {
    await stackUp({ ...quiet, brokers: 3, only: ['kafka', 'schemaRegistry'] });
    const brokers = kafkaBrokers(loadEndpoints());
    assert.deepEqual(
      brokers,
      layout.kafka.nodes(3).map((n) => `127.0.0.1:${n.port}`),
    );
    const admin = testKafka(brokers).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.deepEqual(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const partitions = await partitionState(brokers, topic);
    assert.equal(partitions.length, 3);
    for (const p of partitions) {
      assert.equal(p.replicas.length, 3);
      assert.ok([1, 2, 3].includes(p.leader), `partition ${p.partitionId} has leader ${p.leader}`);
    }
    const st = await stackStatus({ portOffset });
    assert.equal(st.components.find((c) => c.name === 'kafka')?.state, 'up');
  });

  it('commits a transaction on the cluster (transaction log and offsets replicated 3 times)', async () => {
    assert.deepEqual(await kafkaRoundTrip(kafkaBrokers(loadEndpoints()), { replicationFactor: 3 }), [
      'plain-1',
      'plain-2',
      'plain-3',
      'committed',
    ]);
  });

  it('the schema registry runs on the cluster when it is available', async (t) => {
    const reg = (await stackStatus({ portOffset })).components.find((c) => c.name === 'schemaRegistry');
    if (reg?.state === 'unavailable') return t.skip('schemas/registry/main.ts is not there yet');
    const res = await fetch(`${loadEndpoints().schemaRegistry}/subjects`);
    assert.equal(res.status, 200);
  });

  it('survives a broker crash: new leaders, transactions still commit, the broker rejoins the ISR', async () => {
    const all = kafkaBrokers(loadEndpoints());
    const before = await partitionState(all, topic);
    const victim = before.find((p) => p.partitionId === 0)!.leader;
    await stopKafkaBroker(victim, { ...quiet, signal: 'SIGKILL' });
    const alive = layout.kafka
      .nodes(3)
      .filter((n) => n.id !== victim)
      .map((n) => `127.0.0.1:${n.port}`);

    const after = await eventually('partition 0 has a new leader', async () => {
      const ps = await partitionState(alive, topic);
      return ps.every((p) => p.leader !== victim && p.leader >= 0) ? ps : undefined;
    });
    for (const p of after)
      assert.ok(!p.isr.includes(victim), `partition ${p.partitionId} still has ${victim} in its ISR`);
    assert.equal((await stackStatus({ portOffset })).components.find((c) => c.name === 'kafka')?.state, 'degraded');

    assert.deepEqual(await kafkaRoundTrip(alive, { topic }), ['plain-1', 'plain-2', 'plain-3', 'committed']);

    await startKafkaBroker(victim, quiet);
    await eventually(
      'the restarted broker is back in every ISR',
      async () => {
        const ps = await partitionState(all, topic);
        return ps.every((p) => p.isr.length === 3) ? true : undefined;
      },
      120_000,
    );
    assert.equal((await stackStatus({ portOffset })).components.find((c) => c.name === 'kafka')?.state, 'up');
  });

  it('returns to a single broker on its own data, stopping the cluster (and the registry that used it)', async () => {
    await stackUp({ ...quiet, brokers: 1, only: ['kafka'] });
    const st = await stackStatus({ portOffset });
    assert.equal(st.kafkaBrokers, 1);
    assert.equal(st.components.find((c) => c.name === 'kafka')?.state, 'up');
    assert.notEqual(st.components.find((c) => c.name === 'schemaRegistry')?.state, 'up');
    assert.deepEqual(processesMentioning(layout.kafka.modeDir(3)), []);
    assert.ok(
      existsSync(join(layout.kafka.modeDir(3), 'node-1', 'data', 'meta.properties')),
      'the cluster keeps its data for next time',
    );
    const brokers = kafkaBrokers(loadEndpoints());
    assert.deepEqual(brokers, [`127.0.0.1:${layout.kafka.nodes(1)[0]!.port}`]);
    const admin = testKafka(brokers).admin();
    await admin.connect();
    try {
      assert.ok(!(await admin.listTopics()).includes(topic), 'the single broker does not see the cluster topic');
    } finally {
      await admin.disconnect();
    }
    assert.deepEqual(await kafkaRoundTrip(brokers), ['plain-1', 'plain-2', 'plain-3', 'committed']);
  });

  it('down leaves no process of either mode', async () => {
    await stackDown(quiet);
    assert.deepEqual(processesMentioning(dir), []);
  });
});
