/**
 * The counting topology as a process, for the crash and rebalance tests:
 *   node --import tsx processors/runtime/testing/counting-app.ts '{"applicationId":…,"input":…,"output":…,"stateDir":…}'
 * Brokers come from infra/config.ts. It prints one JSON line per runtime event ({"event":…}) on
 * stdout and shuts down gracefully on SIGTERM (exit code 0).
 */
import { kafkaBrokers, loadEndpoints } from '../../../infra/config.js';
import { StreamRuntime } from '../runtime.js';
import { countingTopology } from './counting.js';

interface AppConfig {
  applicationId: string;
  input: string;
  output: string;
  stateDir: string;
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** Pause per record (see CountingProcessor). */
  delayMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as AppConfig;
const emit = (event: string, data: object = {}) =>
  process.stdout.write(`${JSON.stringify({ event, pid: process.pid, ...data })}\n`);

const runtime = new StreamRuntime(countingTopology(config.input, config.output, { delayMs: config.delayMs }), {
  applicationId: config.applicationId,
  brokers: kafkaBrokers(loadEndpoints()),
  stateDir: config.stateDir,
  commitIntervalMs: config.commitIntervalMs ?? 100,
  sessionTimeoutMs: config.sessionTimeoutMs ?? 6_000,
  handleSignals: true,
});
runtime.on('assigned', (partitions) => emit('assigned', { partitions }));
runtime.on('taskOpened', (e) => emit('taskOpened', e));
runtime.on('taskClosed', (e) => emit('taskClosed', e));

runtime.start().then(
  () => emit('started'),
  (err: unknown) => {
    emit('failed', { error: String(err) });
    process.exit(1);
  },
);
