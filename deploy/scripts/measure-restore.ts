/**
 * `npm run release:measure-restore`: what a stateful processor's restart costs, for docs/deployment.md ("Processor
 * upgrades that keep state"). On the local stack, with the runtime's counting topology (one RocksDB store, its
 * compacted changelog):
 *
 *   1. process RESTORE_RECORDS records over RESTORE_KEYS keys (default 200,000 over 50,000) and stop;
 *   2. restart on the same state directory (a pod whose volume survived): restores only the changelog tail;
 *   3. restart on an empty state directory (a pod on a new volume, or no standby): restores the whole changelog.
 *
 * Prints the figures and writes bench/results/restore.json; removes its topics, groups and state directories.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { runEosStateful } from '../../bench/runtime/eos-stateful.js';
import { kafkaBrokers, loadEndpoints, repoRoot } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { StreamRuntime } from '../../processors/runtime/index.js';
import { countingTopology } from '../../processors/runtime/testing/counting.js';

const RECORDS = Number(process.env.RESTORE_RECORDS ?? 200_000);
const KEYS = Number(process.env.RESTORE_KEYS ?? 50_000);
const PARTITIONS = 4;
const log = logger('measure-restore');
const brokers = kafkaBrokers(loadEndpoints());
const kafka = new Kafka({ brokers, clientId: 'measure-restore', logLevel: logLevel.WARN });
const admin = kafka.admin();
const id = randomUUID().slice(0, 8);
const applicationId = `restore-${id}`;
const input = `restore-in-${id}`;
const output = `restore-out-${id}`;
const scratch = await mkdtemp(join(tmpdir(), 'seatstream-restore-'));

const sumOf = async (metric: { get(): Promise<{ values: { value: number; metricName?: string }[] }> }, suffix = '') =>
  (await metric.get()).values
    .filter((v) => (suffix ? v.metricName?.endsWith(suffix) : true))
    .reduce((s, v) => s + v.value, 0);

/** Starts the topology on `stateDir` and measures until every task is open (restored), then stops it. */
async function restart(stateDir: string) {
  const runtime = new StreamRuntime(countingTopology(input, output), { applicationId, brokers, stateDir, log });
  let opened = 0;
  const allOpen = new Promise<void>((resolve) =>
    runtime.on('taskOpened', () => {
      if (++opened === PARTITIONS) resolve();
    }),
  );
  const t0 = performance.now();
  await runtime.start();
  await allOpen;
  const untilOpenSeconds = (performance.now() - t0) / 1000;
  const restoreSeconds = await sumOf(runtime.metrics.restoreSeconds, '_sum');
  const restoredRecords = await sumOf(runtime.metrics.restoredRecords);
  await runtime.close();
  return { untilOpenSeconds, restoreSeconds, restoredRecords };
}

try {
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = Buffer.alloc(100, 'x');
  for (let i = 0; i < RECORDS;) {
    const batch = [];
    for (let j = 0; j < 1_000 && i < RECORDS; j++, i++) batch.push({ key: `key-${i % KEYS}`, value });
    await producer.send({ topic: input, acks: -1, messages: batch });
  }
  await producer.disconnect();

  const kept = join(scratch, 'kept');
  const processing = await runEosStateful({
    brokers,
    input,
    output,
    applicationId,
    stateDir: kept,
    records: RECORDS,
    partitions: PARTITIONS,
    partitionsConsumedConcurrently: PARTITIONS,
    commitIntervalMs: 100,
    log,
  });
  console.log(`processed ${processing.records} records in ${processing.seconds.toFixed(2)} s`);
  const withVolume = await restart(kept);
  console.log(
    `restart, volume kept:   tasks open in ${withVolume.untilOpenSeconds.toFixed(2)} s, ${withVolume.restoredRecords} changelog records restored (${withVolume.restoreSeconds.toFixed(3)} s)`,
  );
  const empty = await restart(join(scratch, 'empty'));
  console.log(
    `restart, empty volume:  tasks open in ${empty.untilOpenSeconds.toFixed(2)} s, ${empty.restoredRecords} changelog records restored (${empty.restoreSeconds.toFixed(3)} s)`,
  );
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length },
    input: { records: RECORDS, keys: KEYS, partitions: PARTITIONS },
    withVolume,
    emptyVolume: empty,
    ratio: empty.untilOpenSeconds / Math.max(withVolume.untilOpenSeconds, 1e-3),
  };
  await mkdir(join(repoRoot, 'bench', 'results'), { recursive: true });
  await writeFile(join(repoRoot, 'bench', 'results', 'restore.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`empty volume / kept volume: ${result.ratio.toFixed(1)}× (bench/results/restore.json)`);
} finally {
  const mine = (await admin.listTopics()).filter((t) => t.includes(id));
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.deleteGroups([applicationId]).catch(() => undefined);
  await admin.disconnect();
  await rm(scratch, { recursive: true, force: true });
}
