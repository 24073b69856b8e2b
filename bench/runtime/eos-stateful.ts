/**
 * Benchmark (b): the runtime doing a trivial stateful step with exactly-once — the counting topology
 * (a RocksDB store read and written per record, one output per record, changelog, transactions).
 * Timed from the moment every task is open to the moment every record is committed.
 */
import type { Logger } from '../../infra/log.js';
import { StreamRuntime } from '../../processors/runtime/index.js';
import { countingTopology } from '../../processors/runtime/testing/counting.js';
import { cpuMicros, type PipeResult } from './raw-pipe.js';

export const runEosStateful = async (options: {
  brokers: string[];
  input: string;
  output: string;
  applicationId: string;
  stateDir: string;
  records: number;
  partitions: number;
  partitionsConsumedConcurrently: number;
  commitIntervalMs: number;
  log: Logger;
}): Promise<PipeResult & { commits: number; commitSecondsMean: number }> => {
  const runtime = new StreamRuntime(countingTopology(options.input, options.output), {
    applicationId: options.applicationId,
    brokers: options.brokers,
    stateDir: options.stateDir,
    commitIntervalMs: options.commitIntervalMs,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    log: options.log,
  });
  let started = 0;
  let cpuStarted = 0;
  let opened = 0;
  runtime.on('taskOpened', () => {
    if (++opened !== options.partitions) return;
    started = performance.now();
    cpuStarted = cpuMicros();
  });
  await runtime.start();
  const processed = async () => (await runtime.metrics.recordsIn.get()).values.reduce((sum, v) => sum + v.value, 0);
  while ((await processed()) < options.records) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - (started || performance.now())) / 1000;
  const cpuUsed = cpuMicros() - cpuStarted;
  const latency = await runtime.metrics.commitLatency.get();
  const sum = latency.values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  const count = latency.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const records = await processed();
  await runtime.close();
  return {
    records,
    seconds,
    perSec: records / seconds,
    cpuMicrosPerRecord: cpuUsed / records,
    commits: count,
    commitSecondsMean: count ? sum / count : 0,
  };
};
