/**
 * Observability end to end (issue #11), on the shared local stack, with the services as real child processes:
 * the API (api/main.ts), the seat-allocation service (fresh application id, its group at the end of the shared
 * inputs) and the read-model sink (fresh consumer name and group, starting at the end of the shared topics).
 *
 *   - each one's /metrics has the families the dashboards need, with their types: HTTP latency histogram and
 *     WebSocket connections gauge (API); consumer lag per task, commit latency histogram, decisions counter
 *     (allocator); lag and batch duration (sink);
 *   - a hold request with a `traceparent` of the test's choosing: the response names a span of that trace, the
 *     decision on reservation.events.v1 carries the trace id in its headers (a child span of the allocator), and the
 *     sink logs a line naming that trace and span once it applied the decision.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type IHeaders } from 'kafkajs';
import pg from 'pg';
import { kafkaBrokers, loadEndpoints, repoRoot, stackDir } from '../../infra/config.js';
import { spanContextOf } from '../../infra/telemetry/kafka-headers.js';
import { cleanUp, startAtEnd } from '../../connectors/postgres/testing.js';
import { createRedis } from '../../api/redis.js';
import { decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import type { ReservationDecision } from '../../processors/seat-allocation/model.js';
import { publishCatalog } from '../../processors/seat-allocation/publishDemo.js';
import { ORIGIN_HEADER } from '../../processors/seat-allocation/headers.js';
import { ServiceProcess, type LogLine } from '../../processors/seat-allocation/testing/service-process.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';

const { Kafka, logLevel } = kafkajs;

const STARTUP_MS = 90_000;
const WAIT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const scrape = async (url: string) => {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200, `${url}/metrics`);
  assert.match(String(res.headers.get('content-type')), /^text\/plain/);
  return res.text();
};

const assertFamily = (text: string, name: string, type: 'counter' | 'gauge' | 'histogram', where: string) =>
  assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${where}: ${name} is a ${type}`);

/** Stops a child: SIGTERM, then SIGKILL if it has not exited after a while. */
async function stop(p: ServiceProcess | undefined): Promise<void> {
  if (!p?.running) return;
  p.kill('SIGTERM');
  const exited = await Promise.race([p.exited.then(() => true), sleep(20_000).then(() => false)]);
  if (!exited) {
    p.kill('SIGKILL');
    await p.exited;
  }
}

describe('observability: metrics on every service, one trace from HTTP through Kafka to the sink', () => {
  const endpoints = loadEndpoints();
  const brokers = kafkaBrokers(endpoints);
  const kafka = new Kafka({ brokers, clientId: 'observability-it', logLevel: logLevel.NOTHING });
  const registry = createRegistryClient(endpoints.schemaRegistry);
  const pool = new pg.Pool({ connectionString: endpoints.postgres, max: 2 });
  const run = randomUUID().slice(0, 8);
  const applicationId = `it-obs-${run}`;
  const sinkConsumer = `it-obs-${run}`;
  const sinkGroup = `it-obs-sink-${run}`;
  const readerGroup = `it-obs-reader-${run}`;
  const redisPrefix = `ss:test:obs-${run}:`;
  const stateDir = join(stackDir, 'test', `observability-${run}`);
  const eventId = `it-obs-${randomUUID()}`;
  const userIds: string[] = [];
  let api: ServiceProcess | undefined;
  let allocator: ServiceProcess | undefined;
  let sink: ServiceProcess | undefined;
  let apiUrl = '';
  let allocatorUrl = '';
  let sinkUrl = '';

  before(
    async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        // The allocator's group starts at the end of its shared inputs: it decides this test's commands only.
        for (const spec of [topics.reservationCommands, topics.catalogEvents]) {
          const ends = await admin.fetchTopicOffsets(spec.name);
          await admin.setOffsets({
            groupId: applicationId,
            topic: spec.name,
            partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
          });
        }
      } finally {
        await admin.disconnect();
      }
      await startAtEnd(pool, kafka, sinkConsumer);

      const port = await freePort();
      api = new ServiceProcess(
        'api',
        {
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
          API_MIGRATE: '0',
          API_REDIS_PREFIX: redisPrefix,
          API_REPLICA_ID: `it-obs-${run}`,
          PUSH_CHANNEL_PREFIX: `it:obs:${run}:`,
          BOOKINGS_DECISION_WAIT_MS: '0',
        },
        join(repoRoot, 'api', 'main.ts'),
      );
      allocator = new ServiceProcess('allocator', {
        SEAT_ALLOCATION_APPLICATION_ID: applicationId,
        SEAT_ALLOCATION_INSTANCE_ID: `it-obs-${run}`,
        SEAT_ALLOCATION_STATE_DIR: join(stateDir, 'allocator'),
      });
      sink = new ServiceProcess(
        'sink-postgres',
        {
          SINK_POSTGRES_CONSUMER: sinkConsumer,
          SINK_POSTGRES_GROUP_ID: sinkGroup,
          SINK_POSTGRES_HTTP_PORT: '0',
          SINK_POSTGRES_MIGRATE: '0',
          SINK_POSTGRES_SESSION_TIMEOUT_MS: '6000',
        },
        join(repoRoot, 'connectors', 'postgres', 'main.ts'),
      );
      apiUrl = (await api.waitForLine((l) => l.msg === 'API listening', STARTUP_MS, 'the API listening')).url as string;
      allocatorUrl = await allocator.url(STARTUP_MS);
      sinkUrl = (await sink.waitForLine((l) => l.msg === 'read-model sink running', STARTUP_MS, 'the sink running'))
        .http as string;
      // The allocator runs tasks (its group is joined) before the catalog record is published.
      await eventually(async () => (await allocator!.partitions()).length > 0, STARTUP_MS, 'allocator tasks');
      await publishCatalog([concertHall({ eventId, onSaleAt: Date.now() - 60_000 })], { brokers, registry });
    },
    { timeout: 4 * STARTUP_MS },
  );

  after(async () => {
    await Promise.all([stop(api), stop(allocator), stop(sink)]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
      if (ours.length) await admin.deleteTopics({ topics: ours });
      const { groups } = await admin.listGroups();
      const mine = groups
        .map((g) => g.groupId)
        .filter((g) => g === readerGroup || g === applicationId || g.startsWith(`${applicationId}.`));
      if (mine.length) await admin.deleteGroups(mine).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
    await cleanUp(pool, kafka, { eventIds: [eventId], consumers: [sinkConsumer], groupIds: [sinkGroup] });
    if (userIds.length) {
      await pool.query('DELETE FROM role_changes WHERE user_id = ANY($1::uuid[])', [userIds]);
      await pool.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [userIds]);
    }
    await pool.end();
    const redis = createRedis(endpoints.redis);
    try {
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(
    'a trace id sent with a hold request is in the decision headers and in the sink log line; /metrics everywhere',
    { timeout: 3 * WAIT_MS },
    async () => {
      // A buyer, through the API process.
      const email = `obs-${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${apiUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const reg = await post('/v1/auth/register', { email, password, name: 'Obs Buyer', locale: 'en' });
      assert.equal(reg.status, 201, await reg.clone().text());
      userIds.push(((await reg.json()) as { id: string }).id);
      const login = await post('/v1/auth/login', { email, password });
      assert.equal(login.status, 200);
      const { accessToken } = (await login.json()) as { accessToken: string };

      // Read the decisions topic from its end now, before the request (read_committed).
      const admin = kafka.admin();
      await admin.connect();
      const start = await admin.fetchTopicOffsets(topics.reservationEvents.name);
      await admin.disconnect();
      const serde = serdeFor(topics.reservationEvents, registry, { autoRegister: false });
      const decisions: { decision: ReservationDecision; headers: IHeaders }[] = [];
      const reader = kafka.consumer({ groupId: readerGroup, readUncommitted: false, maxWaitTimeInMs: 200 });
      reader.on(reader.events.GROUP_JOIN, (e) => {
        for (const partition of e.payload.memberAssignment[topics.reservationEvents.name] ?? [])
          reader.seek({
            topic: topics.reservationEvents.name,
            partition,
            offset: start.find((p) => p.partition === partition)!.high,
          });
      });
      await reader.connect();
      try {
        await reader.subscribe({ topics: [topics.reservationEvents.name] });
        await reader.run({
          eachMessage: async ({ message }) => {
            if (!message.value) return;
            const decision = decisionFromAvro(
              (await serde.deserialize(topics.reservationEvents.name, message.value)) as ReservationEvent,
            );
            decisions.push({ decision, headers: message.headers ?? {} });
          },
        });

        // The hold, in a trace of the test's own.
        const traceId = randomBytes(16).toString('hex');
        const callerSpan = randomBytes(8).toString('hex');
        const hold = await post(
          `/v1/events/${eventId}/holds`,
          { seatIds: ['ST3-A-3'] },
          {
            authorization: `Bearer ${accessToken}`,
            'idempotency-key': randomUUID(),
            traceparent: `00-${traceId}-${callerSpan}-01`,
          },
        );
        assert.ok([201, 202].includes(hold.status), `hold answered ${hold.status}: ${await hold.clone().text()}`);
        const { requestId } = (await hold.json()) as { requestId: string };
        const answered = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(hold.headers.get('traceparent')));
        assert.equal(answered?.[1], traceId, 'the response names a span of the caller trace');
        assert.notEqual(answered?.[2], callerSpan, 'the API server span is a child, not the caller span');

        // The decision: its headers carry the trace (the allocator's span, a descendant of the API's).
        const decided = await eventually(
          // Other tests' allocators may decide the same command: the one this test started is named in the origin.
          async () =>
            decisions.find(
              (d) =>
                d.decision.meta.requestId === requestId &&
                String(d.headers[ORIGIN_HEADER]).startsWith(`${applicationId}/`),
            ),
          WAIT_MS,
          `the decision of ${requestId} on ${topics.reservationEvents.name}`,
        );
        const carried = spanContextOf(decided.headers);
        assert.equal(carried?.traceId, traceId, 'the decision headers carry the trace id');
        assert.notEqual(carried?.spanId, callerSpan);
        assert.notEqual(carried?.spanId, answered?.[2], "the allocator's own span");

        // The sink applies the decision and says so at its default level, naming the trace and the span.
        const line: LogLine = await sink!.waitForLine(
          (l) =>
            l.msg === 'batch applied' &&
            Array.isArray(l.traces) &&
            (l.traces as { traceId: string; spanId: string }[]).some(
              (t) => t.traceId === traceId && t.spanId === carried!.spanId,
            ),
          WAIT_MS,
          `a sink log line with trace ${traceId} and span ${carried!.spanId}`,
        );
        assert.equal(line.topic, topics.reservationEvents.name);
        assert.match(String(line.trace_id), /^[0-9a-f]{32}$/, "the line is written in the sink's batch span");
      } finally {
        await reader.disconnect();
      }

      // The API's metrics: HTTP latency by route template, WebSocket connections.
      const apiMetrics = await scrape(apiUrl);
      assertFamily(apiMetrics, 'http_request_duration_seconds', 'histogram', 'API');
      assert.match(
        apiMetrics,
        /^http_request_duration_seconds_count\{method="POST",route="\/v1\/events\/:eventId\/holds",status_code="20[12]"\} [1-9]/m,
      );
      assertFamily(apiMetrics, 'seatstream_push_connections', 'gauge', 'API');
      assert.match(apiMetrics, /^seatstream_push_connections \d+$/m);

      // The allocator's: lag per task, commit latency, decisions (a counter: rate() gives decisions per second).
      const allocatorMetrics = await eventually(
        async () => {
          const text = await scrape(allocatorUrl);
          return /^seatstream_seat_allocation_decisions_total\{[^}]*\} [1-9]/m.test(text) &&
            /^seatstream_runtime_consumer_lag\{task="[^"]+",topic="[^"]+",partition="\d+"/m.test(text)
            ? text
            : undefined;
        },
        WAIT_MS,
        'decisions and per-task lag in the allocator metrics',
      );
      assertFamily(allocatorMetrics, 'seatstream_runtime_consumer_lag', 'gauge', 'allocator');
      assertFamily(allocatorMetrics, 'seatstream_runtime_commit_seconds', 'histogram', 'allocator');
      assert.match(allocatorMetrics, /^seatstream_runtime_commit_seconds_count\{[^}]*\} [1-9]/m);
      assertFamily(allocatorMetrics, 'seatstream_seat_allocation_decisions_total', 'counter', 'allocator');

      // The sink's: lag per partition, batch duration.
      const sinkMetrics = await scrape(sinkUrl);
      assertFamily(sinkMetrics, 'seatstream_sink_postgres_lag_records', 'gauge', 'sink');
      assertFamily(sinkMetrics, 'seatstream_sink_postgres_batch_seconds', 'histogram', 'sink');
      assert.match(sinkMetrics, /^seatstream_sink_postgres_batch_seconds_count [1-9]/m);
    },
  );
});
