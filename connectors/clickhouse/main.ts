/**
 * `npm run sink:clickhouse`: runs the ClickHouse sink until SIGTERM or SIGINT, then writes and commits what it
 * holds and leaves its consumer group. Prometheus metrics on http://127.0.0.1:<SINK_METRICS_PORT>/metrics
 * (default 9464; 0 turns the endpoint off).
 *
 * Options (each also an environment variable): --database (CLICKHOUSE_DATABASE), --group (SINK_GROUP_ID),
 * --max-records (SINK_MAX_RECORDS), --max-wait-ms (SINK_MAX_WAIT_MS), --metrics-port (SINK_METRICS_PORT),
 * --session-timeout-ms (SINK_SESSION_TIMEOUT_MS, default 30000: how long a crashed instance keeps its partitions),
 * --reservation-topic and --catalog-topic (other topics than the catalog's, for tests).
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { httpHost } from '../../infra/http-host.js';
import { logger } from '../../infra/log.js';
import { initTracing } from '../../infra/telemetry/tracing.js';
import { analyticsDatabase } from './config.js';
import { createClickhouseSink, defaultSinkGroup } from './sink.js';

const log = logger('clickhouse-sink');
const tracing = initTracing('seatstream-sink-clickhouse');
const { values: a } = parseArgs({
  options: {
    database: { type: 'string' },
    group: { type: 'string' },
    'max-records': { type: 'string' },
    'max-wait-ms': { type: 'string' },
    'metrics-port': { type: 'string' },
    'session-timeout-ms': { type: 'string' },
    'reservation-topic': { type: 'string' },
    'catalog-topic': { type: 'string' },
  },
  strict: true,
});
const env = process.env;
const int = (v: string | undefined, fallback: number, name: string) => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not ${v}`);
  return n;
};

const sink = createClickhouseSink({
  database: a.database ?? analyticsDatabase(),
  groupId: a.group ?? env.SINK_GROUP_ID ?? defaultSinkGroup,
  topics: {
    ...(a['reservation-topic'] ? { reservationEvents: a['reservation-topic'] } : {}),
    ...(a['catalog-topic'] ? { catalogEvents: a['catalog-topic'] } : {}),
  },
  policy: {
    maxRecords: Math.max(1, int(a['max-records'] ?? env.SINK_MAX_RECORDS, 5_000, 'max-records')),
    maxWaitMs: Math.max(10, int(a['max-wait-ms'] ?? env.SINK_MAX_WAIT_MS, 1_000, 'max-wait-ms')),
  },
  sessionTimeoutMs: int(a['session-timeout-ms'] ?? env.SINK_SESSION_TIMEOUT_MS, 30_000, 'session-timeout-ms'),
  log,
  onFatal: (err) => {
    log.fatal({ err }, 'the Kafka consumer gave up; exiting to be restarted');
    process.exit(1);
  },
});

const metricsHost = httpHost(env);
const metricsPort = int(a['metrics-port'] ?? env.SINK_METRICS_PORT, 9464, 'metrics-port');
const server =
  metricsPort > 0
    ? createServer((req, res) => {
        if (req.url !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        sink.metrics.metrics().then(
          (text) => res.writeHead(200, { 'content-type': sink.metrics.contentType }).end(text),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      })
    : undefined;

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  server?.close();
  sink.stop().then(
    () => tracing.shutdown().finally(() => process.exit(0)),
    (err: unknown) => {
      log.error({ err }, 'stop failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

try {
  if (server) await new Promise<void>((resolve) => server.listen(metricsPort, metricsHost, resolve));
  await sink.start();
  if (server) log.info({ url: `http://${metricsHost}:${metricsPort}/metrics` }, 'metrics endpoint');
} catch (err) {
  log.fatal({ err }, 'the ClickHouse sink could not start');
  process.exit(1);
}
