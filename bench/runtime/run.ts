/**
 * `npm run bench:runtime`: on the broker of infra/config.ts (KAFKA_BROKERS=… for a scratch one),
 * in one run over the same input:
 *   (a) a kafkajs consume→produce pipe, no state, no transactions;
 *   (b) the runtime with a RocksDB store and exactly-once, counting per key (commitIntervalMs 100,
 *       Kafka Streams' default under exactly-once), and once more with 1 s (commits per fetched batch);
 *   (c) Kafka's kafka-producer-perf-test, the physical reference.
 * (a) and (b) run twice, interleaved (a b a b), and the better run of each counts: the machine is
 * shared, and a run slowed by someone else's work says nothing about the code. Every run, the load
 * average and the CPU time per record (steadier than rates on a busy machine) are in the details.
 * Prints records/s and b/a; writes bench/results/runtime.json. Topics and groups are random and
 * deleted afterwards. Options: BENCH_RECORDS (default 300000), BENCH_PARTITIONS (4), BENCH_KEYS (10000);
 * BENCH_ONLY=raw,eos (either or both) runs each once and writes nothing (for profiling with
 * node --cpu-prof, or comparing settings); BENCH_COMMIT_INTERVAL_MS changes (b)'s first setting.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { kafkaBrokers, loadEndpoints, repoRoot } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { kafkajsSendLimits } from '../../processors/runtime/kafka/client.js';
import { runEosStateful } from './eos-stateful.js';
import { runProducerPerfTest } from './producer-perf-test.js';
import { runRawPipe, type PipeResult } from './raw-pipe.js';

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
let runs = 0;

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

const load = () => Number(loadavg()[0]!.toFixed(2));
const rate = (r: PipeResult) =>
  `${Math.round(r.perSec).toLocaleString('en')} records/s (${r.seconds.toFixed(2)} s, ${r.cpuMicrosPerRecord.toFixed(1)} µs CPU/record)`;

const raw = async () => {
  const loadBefore = load();
  const result = await runRawPipe({
    brokers,
    input: topics.input,
    output: topics.rawOut,
    groupId: `bench-raw-${id}-${++runs}`,
    records: RECORDS,
    partitionsConsumedConcurrently: CONCURRENCY,
  });
  console.log(`(a) kafkajs raw pipe:              ${rate(result)}`);
  return { ...result, loadBefore, loadAfter: load() };
};

const eos = async (commitIntervalMs: number, stateDir: string) => {
  const loadBefore = load();
  const result = await runEosStateful({
    brokers,
    input: topics.input,
    output: topics.eosOut,
    applicationId: `bench-eos-${id}-${++runs}`,
    stateDir,
    records: RECORDS,
    partitions: PARTITIONS,
    partitionsConsumedConcurrently: CONCURRENCY,
    commitIntervalMs,
    log,
  });
  console.log(
    `(b) runtime, RocksDB + EOS, ${String(commitIntervalMs).padStart(4)} ms: ${rate(result)}, ${result.commits} transactions, ${(result.commitSecondsMean * 1000).toFixed(0)} ms mean commit`,
  );
  return { ...result, commitIntervalMs, loadBefore, loadAfter: load() };
};

const best = <T extends PipeResult>(results: T[]): T => results.reduce((a, b) => (b.perSec > a.perSec ? b : a));

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
      `input: ${RECORDS} records of ${VALUE_BYTES} B, ${KEYS} keys, ${PARTITIONS} partitions, broker ${brokers.join(',')}, load ${load()}`,
    );
    const produceSeconds = await produceInput();
    console.log(`  produced the input in ${produceSeconds.toFixed(1)} s`);

    if (ONLY) {
      const a = ONLY.includes('raw') ? await raw() : undefined;
      const b = ONLY.includes('eos') ? await eos(COMMIT_INTERVAL_MS, stateDir) : undefined;
      if (a && b)
        console.log(
          `b/a = ${(b.perSec / a.perSec).toFixed(2)} (CPU per record a/b = ${(a.cpuMicrosPerRecord / b.cpuMicrosPerRecord).toFixed(2)})`,
        );
      return; // a partial run (profiling) writes no result
    }

    const rawRuns = [];
    const eosRuns = [];
    for (let i = 0; i < 2; i++) {
      rawRuns.push(await raw());
      eosRuns.push(await eos(COMMIT_INTERVAL_MS, stateDir));
    }
    const eosPerBatch = await eos(1_000, stateDir);
    const perf = await runProducerPerfTest({
      bootstrap: brokers.join(','),
      topic: topics.perf,
      records: 1_000_000,
      recordSize: VALUE_BYTES,
    });
    console.log(
      `(c) kafka-producer-perf-test:      ${Math.round(perf.perSec).toLocaleString('en')} records/s (${perf.mbPerSec} MB/s, acks=all)`,
    );

    const a = best(rawRuns);
    const b = best(eosRuns);
    const ratio = b.perSec / a.perSec;
    console.log(
      `b/a = ${ratio.toFixed(2)} (best runs; CPU per record a/b = ${(a.cpuMicrosPerRecord / b.cpuMicrosPerRecord).toFixed(2)}); with 1 s commits: ${(eosPerBatch.perSec / a.perSec).toFixed(2)}`,
    );
    const result = {
      rawPipePerSec: Math.round(a.perSec),
      eosStatefulPerSec: Math.round(b.perSec),
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
        method:
          'a and b run twice, interleaved; the better run of each is reported. Rates are end-to-end: from assignment (a) or from every task open (b) to the last record produced (a) or committed (b). cpuMicrosPerRecord is this process (all threads) per record.',
        cpuRatio: Number((a.cpuMicrosPerRecord / b.cpuMicrosPerRecord).toFixed(3)),
        rawPipe: {
          runs: rawRuns,
          partitionsConsumedConcurrently: CONCURRENCY,
          sendLimits: kafkajsSendLimits,
          acks: 'all',
          transactions: false,
        },
        eosStateful: {
          runs: eosRuns,
          topology:
            'count per key: RocksDB get+put per record, one output per record, changelog deduplicated per transaction',
          partitionsConsumedConcurrently: CONCURRENCY,
          sendLimits: kafkajsSendLimits,
        },
        eosStatefulCommitEverySecond: { ...eosPerBatch, ratio: Number((eosPerBatch.perSec / a.perSec).toFixed(3)) },
        kafkaPerfTest: { ...perf, recordSize: VALUE_BYTES, acks: 'all' },
        note: 'one machine: broker, benchmark and Java share its 2 cores with whatever else runs (see the load averages)',
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
