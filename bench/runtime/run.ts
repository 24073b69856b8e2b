/**
 * `npm run bench:runtime`: on the broker of infra/config.ts (KAFKA_BROKERS=… for a scratch one),
 * in one run over the same input:
 *   (a) a kafkajs consume→produce pipe, no state, no transactions;
 *   (b) the runtime with a RocksDB store and exactly-once, counting per key;
 *   (c) Kafka's kafka-producer-perf-test, the physical reference.
 * Prints records/s and b/a; writes bench/results/runtime.json. Topics and groups are random and
 * deleted afterwards. Options: BENCH_RECORDS (default 300000), BENCH_PARTITIONS (4), BENCH_KEYS (10000);
 * BENCH_ONLY=raw,eos (either or both) runs only those pipelines and writes nothing (for profiling with
 * node --cpu-prof, or comparing settings); BENCH_COMMIT_INTERVAL_MS changes the runtime's.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { kafkaBrokers, loadEndpoints, repoRoot } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { kafkajsSendLimits } from '../../processors/runtime/kafka/client.js';
import { runEosStateful } from './eos-stateful.js';
import { runProducerPerfTest } from './producer-perf-test.js';
import { runRawPipe } from './raw-pipe.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const VALUE_BYTES = 100;
const CONCURRENCY = PARTITIONS;
const COMMIT_INTERVAL_MS = Number(process.env.BENCH_COMMIT_INTERVAL_MS ?? 100);
const ONLY = process.env.BENCH_ONLY;

const log = logger('bench-runtime');
const brokers = kafkaBrokers(loadEndpoints());
const kafka = new Kafka({ brokers, clientId: 'bench-runtime', logLevel: logLevel.WARN });
const admin = kafka.admin();
const id = randomUUID().slice(0, 8);
const topics = {
  input: `bench-in-${id}`,
  rawOut: `bench-raw-out-${id}`,
  eosOut: `bench-eos-out-${id}`,
  perf: `bench-perf-${id}`,
};
const appId = `bench-eos-${id}`;
const rawGroup = `bench-raw-${id}`;

const produceInput = async () => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const started = performance.now();
  for (let i = 0; i < RECORDS;) {
    const batch = [];
    for (let j = 0; j < 1_000 && i < RECORDS; j++, i++) batch.push({ key: `key-${i % KEYS}`, value });
    await producer.send({ topic: topics.input, acks: -1, messages: batch });
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return seconds;
};

const cleanup = async () => {
  const existing = await admin.listTopics();
  const ours = existing.filter((t) => t.includes(id));
  if (ours.length) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
  const { groups } = await admin.listGroups();
  const groupIds = groups.map((g) => g.groupId).filter((g) => g.includes(id));
  if (groupIds.length) await admin.deleteGroups(groupIds).catch(() => undefined);
};

const main = async () => {
  await admin.connect();
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-runtime-'));
  try {
    await admin.createTopics({
      topics: Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    console.log(
      `input: ${RECORDS} records of ${VALUE_BYTES} B, ${KEYS} keys, ${PARTITIONS} partitions, broker ${brokers.join(',')}`,
    );
    const produceSeconds = await produceInput();
    console.log(`  produced the input in ${produceSeconds.toFixed(1)} s`);

    const want = (part: string) => !ONLY || ONLY.split(',').includes(part);
    const raw = want('raw')
      ? await runRawPipe({
          brokers,
          input: topics.input,
          output: topics.rawOut,
          groupId: rawGroup,
          records: RECORDS,
          partitionsConsumedConcurrently: CONCURRENCY,
        })
      : undefined;
    if (raw)
      console.log(
        `(a) kafkajs raw pipe:            ${Math.round(raw.perSec).toLocaleString('en')} records/s (${raw.seconds.toFixed(2)} s, ${raw.cpuMicrosPerRecord.toFixed(1)} µs CPU/record)`,
      );

    const eos = want('eos')
      ? await runEosStateful({
          brokers,
          input: topics.input,
          output: topics.eosOut,
          applicationId: appId,
          stateDir,
          records: RECORDS,
          partitions: PARTITIONS,
          partitionsConsumedConcurrently: CONCURRENCY,
          commitIntervalMs: COMMIT_INTERVAL_MS,
          log,
        })
      : undefined;
    if (eos)
      console.log(
        `(b) runtime, RocksDB + EOS:      ${Math.round(eos.perSec).toLocaleString('en')} records/s (${eos.seconds.toFixed(2)} s, ${eos.cpuMicrosPerRecord.toFixed(1)} µs CPU/record, ${eos.commits} transactions, ${(eos.commitSecondsMean * 1000).toFixed(1)} ms mean commit)`,
      );

    if (raw && eos)
      console.log(
        `b/a = ${(eos.perSec / raw.perSec).toFixed(2)} (CPU per record: a/b = ${(raw.cpuMicrosPerRecord / eos.cpuMicrosPerRecord).toFixed(2)})`,
      );
    if (ONLY || !raw || !eos) return; // a partial run (profiling) writes no result
    const perf = await runProducerPerfTest({
      bootstrap: brokers.join(','),
      topic: topics.perf,
      records: 1_000_000,
      recordSize: VALUE_BYTES,
    });
    console.log(
      `(c) kafka-producer-perf-test:    ${Math.round(perf.perSec).toLocaleString('en')} records/s (${perf.mbPerSec} MB/s, acks=all)`,
    );

    const ratio = eos.perSec / raw.perSec;
    const result = {
      rawPipePerSec: Math.round(raw.perSec),
      eosStatefulPerSec: Math.round(eos.perSec),
      ratio: Number(ratio.toFixed(3)),
      kafkaPerfTestProducePerSec: Math.round(perf.perSec),
      details: {
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        broker: brokers.join(','),
        input: {
          records: RECORDS,
          valueBytes: VALUE_BYTES,
          keys: KEYS,
          partitions: PARTITIONS,
          produceSeconds: Number(produceSeconds.toFixed(2)),
        },
        rawPipe: {
          ...raw,
          partitionsConsumedConcurrently: CONCURRENCY,
          sendLimits: kafkajsSendLimits,
          acks: 'all',
          transactions: false,
        },
        eosStateful: {
          ...eos,
          sendLimits: kafkajsSendLimits,
          topology:
            'count per key: RocksDB get+put per record, one output per record, changelog deduplicated per transaction',
          commitIntervalMs: COMMIT_INTERVAL_MS,
          partitionsConsumedConcurrently: CONCURRENCY,
        },
        kafkaPerfTest: { ...perf, recordSize: VALUE_BYTES, acks: 'all' },
        note: 'one machine: broker, benchmark and Java share its cores; rates are end-to-end from assignment to the last committed record',
      },
    };
    const dir = join(repoRoot, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'runtime.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written bench/results/runtime.json`);
  } finally {
    await cleanup();
    await admin.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
};

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
