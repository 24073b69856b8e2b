/**
 * The chaos run (`npm run test:chaos`, started through run.ts, which points SEATSTREAM_STACK_DIR at the run's own
 * stack directory before anything reads it): its own 3-broker stack on port offset 2000, the platform's services as
 * child processes, virtual buyers for the whole run, faults one after another each followed by a wait until the
 * platform is healthy again, then quiescence and the reconciliation. Prints the tables, writes
 * bench/results/chaos.json, and exits non-zero on any violation. Everything it started is stopped on the way out,
 * on failure and on Ctrl-C too.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { createPool, type Pool } from '../../api/db/pool.js';
import { kafkaBrokers, loadEndpoints, localPorts, repoRoot, stackDir } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import {
  restartPostgres,
  stackDown,
  stackUp,
  startKafkaBroker,
  stopKafkaBroker,
  type StackOptions,
} from '../../infra/stack/index.js';
import { createClickhouse, selectRows, type ClickHouseClient } from '../../connectors/clickhouse/client.js';
import { defaultDatabase } from '../../connectors/clickhouse/config.js';
import { clickhouseModelsSource, clickhouseRawSource } from '../../connectors/clickhouse/figures-source.js';
import { quoteString } from '../../connectors/clickhouse/sql.js';
import { readToEnd } from '../../connectors/kafka-source/read-to-end.js';
import { reservationLogSource } from '../../connectors/reconcile/log-source.js';
import { postgresSource } from '../../connectors/reconcile/postgres-source.js';
import { formatReport, reconcile, type ReconcileReport } from '../../connectors/reconcile/reconcile.js';
import { commandFromAvro, decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import type { EventDefinition, ReservationDecision } from '../../processors/seat-allocation/model.js';
import { publishCatalog } from '../../processors/seat-allocation/publishDemo.js';
import { partitionOf } from '../../processors/seat-allocation/testing/partition-reader.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import {
  checkBookingsOnce,
  checkErrorCodes,
  checkNoDoubleAllocation,
  checkOneDecisionPerRequest,
  checkToldBookings,
  type Check,
} from './invariants.js';
import { LoadGenerator, type LoadEvent, type LoadResult } from './load.js';
import { formatTable, type FaultRecord } from './report.js';
import { probe, ServiceSet, type ServiceSpec } from './services.js';

const { Kafka, logLevel } = kafkajs;

export const PORT_OFFSET = 2000;
const EVENTS = 6;
const BUYERS = 16;
/** Exits on its own beyond which a service counts as crash-looping. */
const CRASH_LOOP = 2;
/** The seat-allocation application id (the services' default): its group and its decisions' origin. */
const ALLOCATOR_GROUP = 'seat-allocation';

const t0 = Date.now();
const since = (t: number) => ((t - t0) / 1000).toFixed(1);
const say = (line: string) => console.log(`[chaos ${since(Date.now()).padStart(6)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it answers true; throws naming `what` (and the last reason) after `timeoutMs`. */
async function until(what: string, timeoutMs: number, check: () => Promise<true | string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const r = await check().catch((err: Error) => `error: ${err.message}`);
    if (r === true) return;
    last = r;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${last})`);
    await sleep(500);
  }
}

/**
 * The run's ports: the API's default port shifted by the offset and 100 more, then one each. (Not 10080 itself:
 * fetch refuses it, one of the WHATWG fetch standard's "bad ports".)
 */
const port = (n: number) => localPorts.api + PORT_OFFSET + 100 + n;
const url = (n: number, path: string) => `http://127.0.0.1:${port(n)}${path}`;
const apiPorts = [0, 1];
const allocatorPorts = [10, 11];

function serviceSpecs(state: string): ServiceSpec[] {
  const sandboxUrl = `http://127.0.0.1:${port(14)}`;
  const apiEnv = (i: number) => ({
    API_PORT: String(port(apiPorts[i]!)),
    API_REPLICA_ID: `chaos-api-${i + 1}`,
    API_MIGRATE: '0',
    PAYMENTS_SANDBOX_URL: sandboxUrl,
    // Virtual buyers register and log in from one address, run after run.
    API_REGISTER_PER_IP_PER_HOUR: '100000',
    API_LOGIN_PER_IP_PER_MIN: '100000',
    API_ACCESS_TTL_SEC: '3600',
  });
  const allocator = (i: number): ServiceSpec => ({
    name: `seat-allocation-${i + 1}`,
    entry: 'processors/seat-allocation/main.ts',
    env: {
      SEAT_ALLOCATION_INSTANCE_ID: `chaos-${i + 1}`,
      SEAT_ALLOCATION_STATE_DIR: join(state, `seat-allocation-${i + 1}`),
      SEAT_ALLOCATION_HTTP_PORT: String(port(allocatorPorts[i]!)),
    },
    readyUrl: url(allocatorPorts[i]!, '/health'),
  });
  return [
    {
      name: 'payment-sandbox',
      entry: 'infra/payment-sandbox/main.ts',
      env: {
        PAYMENT_SANDBOX_PORT: String(port(14)),
        PAYMENT_SANDBOX_WEBHOOK_URL: url(apiPorts[0]!, '/v1/payments/webhooks/sandbox'),
      },
      readyUrl: `${sandboxUrl}/health`,
    },
    allocator(0),
    allocator(1),
    {
      name: 'sink-postgres',
      entry: 'connectors/postgres/main.ts',
      env: { SINK_POSTGRES_HTTP_PORT: String(port(12)), SINK_POSTGRES_MIGRATE: '0' },
      readyUrl: url(12, '/health'),
    },
    {
      name: 'sink-clickhouse',
      entry: 'connectors/clickhouse/main.ts',
      env: { SINK_METRICS_PORT: String(port(13)) },
      readyUrl: url(13, '/metrics'),
    },
    {
      name: 'push-router',
      entry: 'connectors/push-router/main.ts',
      env: { PUSH_ROUTER_HTTP_PORT: String(port(15)) },
      readyUrl: url(15, '/health'),
    },
    {
      name: 'payments',
      entry: 'processors/payments/main.ts',
      env: {
        PAYMENTS_INSTANCE_ID: 'chaos-1',
        PAYMENTS_STATE_DIR: join(state, 'payments-1'),
        PAYMENTS_SANDBOX_URL: sandboxUrl,
      },
    },
    { name: 'tickets', entry: 'processors/tickets/main.ts', env: {} },
    { name: 'api-1', entry: 'api/main.ts', env: apiEnv(0), readyUrl: url(apiPorts[0]!, '/ready') },
    { name: 'api-2', entry: 'api/main.ts', env: apiEnv(1), readyUrl: url(apiPorts[1]!, '/ready') },
  ];
}

/** Runs an idempotent setup command; `attempts` > 1 runs it again after a failure. */
async function runStep(label: string, entry: string, env: NodeJS.ProcessEnv, attempts = 1): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    say(`${label} …`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', entry], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code === 0) return;
    if (attempt >= attempts) throw new Error(`${label} failed (exit ${code})`);
    say(`${label} failed (exit ${code}); again (it is idempotent)`);
  }
}

/** Event definitions on distinct partitions (so that both allocator instances decide some of them). */
function chooseEvents(run: string): EventDefinition[] {
  const partitions = new Set<number>();
  const out: EventDefinition[] = [];
  for (let k = 0; out.length < EVENTS; k++) {
    const eventId = `chaos-${run}-${k}`;
    const p = partitionOf(eventId, topics.reservationCommands.partitions);
    if (partitions.has(p)) continue;
    partitions.add(p);
    out.push(
      concertHall({
        seed: 11 + k,
        eventId,
        onSaleAt: Date.now() - 60_000,
        saleDays: 1,
        holdDurationMs: 45_000,
        maxTicketsPerBuyer: 1_000,
      }),
    );
  }
  return out;
}

/** The first seats of the first seated section, in seat-map order: the block buyers fight over. */
function hotSeats(def: EventDefinition, n = 40): string[] {
  const ids: string[] = [];
  for (const s of def.venue.sections) {
    if (s.kind === 'generalAdmission') continue;
    for (const r of s.rows)
      for (const run of r.runs)
        for (let k = 0; k < run.count && ids.length < n; k++)
          ids.push(`${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`);
    if (ids.length >= n) break;
  }
  return ids;
}

interface Context {
  services: ServiceSet;
  stack: StackOptions;
  kafka: kafkajs.Kafka;
  admin: kafkajs.Admin;
  load?: LoadGenerator;
}

/** What "healthy" means between faults; undefined when healthy, else what is not. */
async function unhealthy(ctx: Context, watched: string[]): Promise<true | string> {
  const down = await ctx.services.notReady();
  if (down.length) return `not ready: ${down.join(', ')}`;
  const partitions = new Set<number>();
  for (const p of allocatorPorts) {
    const res = await probe(url(p, '/health'));
    if (!res) return `seat-allocation on ${port(p)} does not answer`;
    const body = JSON.parse(res.text) as { partitions?: number[] };
    for (const n of body.partitions ?? []) partitions.add(n);
  }
  if (partitions.size < topics.reservationCommands.partitions)
    return `allocator runs ${partitions.size}/${topics.reservationCommands.partitions} partitions`;
  const meta = await ctx.admin.fetchTopicMetadata({ topics: watched });
  for (const t of meta.topics)
    for (const p of t.partitions)
      if (p.isr.length < p.replicas.length)
        return `${t.name}[${p.partitionId}] ISR ${p.isr.length}/${p.replicas.length}`;
  return true;
}

async function waitHealthy(ctx: Context, since: number): Promise<void> {
  const watched = [topics.reservationCommands.name, topics.reservationEvents.name, topics.paymentRequests.name];
  await until('the platform to be healthy', 240_000, async () => {
    const r = await unhealthy(ctx, watched);
    if (r !== true) return r;
    if (ctx.load && ctx.load.lastDecisionAt <= since) return 'no buyer request decided since the fault';
    return true;
  });
}

/** Lets the load run until `n` more requests were decided (pacing by progress, not by time). */
async function letLoadRun(ctx: Context, n: number): Promise<void> {
  const load = ctx.load!;
  const start = load.decided;
  await until(`${n} more decided requests`, 120_000, async () =>
    load.decided - start >= n ? true : `${load.decided - start} decided`,
  );
}

async function groupLag(admin: kafkajs.Admin, groupId: string, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let lag = 0;
  for (const e of ends) {
    const c = committed!.partitions.find((p) => p.partition === e.partition);
    const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(e.low);
    lag += Number(e.high) - at;
  }
  return lag;
}

/** Every decision on the log of the given events, in log order per partition (so per event). */
async function readDecisions(kafka: kafkajs.Kafka, eventIds: Set<string>): Promise<ReservationDecision[]> {
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  const serde = serdeFor(topics.reservationEvents, registry, { autoRegister: false });
  const out: ReservationDecision[] = [];
  await readToEnd({
    kafka,
    topics: [topics.reservationEvents.name],
    log: logger('chaos'),
    groupPrefix: 'chaos-read',
    onRecords: async (records) => {
      for (const r of records) {
        if (!r.value) continue;
        const d = decisionFromAvro((await serde.deserialize(r.topic, r.value)) as never);
        if (eventIds.has(d.meta.eventId)) out.push(d);
      }
    },
  });
  return out;
}

async function readCommandRequestIds(kafka: kafkajs.Kafka, eventIds: Set<string>): Promise<string[]> {
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  const serde = serdeFor(topics.reservationCommands, registry, { autoRegister: false });
  const out: string[] = [];
  await readToEnd({
    kafka,
    topics: [topics.reservationCommands.name],
    log: logger('chaos'),
    groupPrefix: 'chaos-read',
    onRecords: async (records) => {
      for (const r of records) {
        if (!r.value) continue;
        const c = commandFromAvro((await serde.deserialize(r.topic, r.value)) as never);
        if (eventIds.has(c.eventId)) out.push(c.requestId);
      }
    },
  });
  return out;
}

async function bookingCounts(pool: Pool, ch: ClickHouseClient, eventIds: string[]) {
  const pg = new Map<string, number>();
  for (const r of (
    await pool.query<{ booking_id: string; n: string }>(
      `SELECT booking_id, count(*) AS n FROM bookings WHERE event_id = ANY($1::text[]) AND status = 'CONFIRMED' GROUP BY 1`,
      [eventIds],
    )
  ).rows)
    pg.set(r.booking_id, Number(r.n));
  const clickhouse = new Map<string, number>();
  for (const r of await selectRows<{ booking_id: string; n: string }>(
    ch,
    `SELECT booking_id, count() AS n FROM reservation_events FINAL
     WHERE topic = ${quoteString(topics.reservationEvents.name)} AND decision = 'BookingConfirmed' AND replay = 0
       AND event_id IN (${eventIds.map(quoteString).join(', ')}) GROUP BY booking_id`,
  ))
    clickhouse.set(r.booking_id, Number(r.n));
  return { postgres: pg, clickhouse };
}

export async function main(): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const stack: StackOptions = { stackDir, portOffset: PORT_OFFSET, log: (l) => say(l) };
  const services = new ServiceSet(join(stackDir, 'logs', `run-${run}`), say);
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      say('stopping the services …');
      await services.stopAll().catch((err: Error) => say(`stopping services: ${err.message}`));
      say('stopping the chaos stack …');
      await stackDown(stack).catch((err: Error) => say(`stack down: ${err.message}`));
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: stopping everything`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => services.killAllNow());

  const faults: FaultRecord[] = [];
  const checks: Check[] = [];
  let load: LoadResult | undefined;
  let report: ReconcileReport | undefined;
  let failure: string | undefined;
  try {
    say(`run ${run}: stack in ${stackDir}, 3 brokers, port offset ${PORT_OFFSET}; service logs in ${services.logDir}`);
    const st = await stackUp({ ...stack, brokers: 3 });
    const e = st.endpoints;
    // Children and this process find the run's stack through the environment (which wins over any file).
    Object.assign(process.env, {
      SEATSTREAM_STACK_DIR: stackDir,
      KAFKA_BROKERS: e.kafka,
      SCHEMA_REGISTRY_URL: e.schemaRegistry,
      DATABASE_URL: e.postgres,
      REDIS_URL: e.redis,
      CLICKHOUSE_URL: e.clickhouse,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    });
    const env = { ...process.env };
    // On a fresh 3-broker cluster topics:apply reports UNKNOWN_TOPIC_OR_PARTITION for topics it has just created
    // (kafkajs' waitForLeaders asks a broker that has not yet seen them); a second pass finds them and checks them.
    await runStep('topics', 'topics/apply.ts', env, 3);
    await runStep('schemas', 'schemas/check.ts', env);
    await runStep('PostgreSQL migrations', 'api/db/migrate.ts', env);
    await runStep('ClickHouse migrations', 'connectors/clickhouse/migrate.ts', env);

    const kafka = new Kafka({ brokers: kafkaBrokers(), clientId: 'chaos', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const ctx: Context = { services, stack, kafka, admin };
    try {
      // Services inherit this process's environment: never start one that could fall back to another stack.
      if (process.env.KAFKA_BROKERS !== e.kafka || process.env.SEATSTREAM_STACK_DIR !== stackDir)
        throw new Error('the endpoints of the run are not in the environment the services inherit');
      const state = join(stackDir, 'state', `chaos-${run}`);
      mkdirSync(state, { recursive: true });
      for (const spec of serviceSpecs(state)) {
        say(`starting ${spec.name}`);
        services.start(spec);
        // One at a time: each makes its local keys and files once, the next finds them.
        await until(`${spec.name} to be ready`, 180_000, async () =>
          (await services.ready(spec.name)) ? true : 'not ready',
        );
      }
      const definitions = chooseEvents(run);
      await publishCatalog(definitions);
      say(`published ${definitions.length} events`);
      await until('the allocator to have every event', 120_000, async () => {
        let missing = 0;
        for (const def of definitions) {
          let found = false;
          for (const p of allocatorPorts) {
            const res = await probe(url(p, `/events/${encodeURIComponent(def.eventId)}/availability`));
            if (res?.status === 200) found = true;
          }
          if (!found) missing++;
        }
        return missing === 0 ? true : `${missing} events missing`;
      });

      const events: LoadEvent[] = definitions.map((d) => ({ eventId: d.eventId, hotSeats: hotSeats(d) }));
      const generator = new LoadGenerator({
        apis: apiPorts.map((p) => url(p, '')),
        events,
        buyers: BUYERS,
        giveUpMs: 120_000,
        say,
      });
      ctx.load = generator;
      say(`registering ${BUYERS} buyers`);
      await generator.start();
      const loadStart = Date.now();
      say('on-sale running');
      await letLoadRun(ctx, 100);

      const fault = async (name: string, inject: () => Promise<void>, recover: () => Promise<void>) => {
        const at = Date.now();
        say(`FAULT ${name}`);
        await inject();
        await recover();
        await waitHealthy(ctx, at);
        const rec: FaultRecord = { fault: name, atSec: (at - loadStart) / 1000, recoverySec: (Date.now() - at) / 1000 };
        faults.push(rec);
        say(`recovered from ${name} in ${rec.recoverySec.toFixed(1)} s`);
        await letLoadRun(ctx, 60);
      };
      const restart = (name: string) => async () => services.restart(name);
      await fault(
        'SIGKILL seat-allocation-1, restart',
        () => services.kill('seat-allocation-1'),
        restart('seat-allocation-1'),
      );
      await fault(
        'SIGKILL seat-allocation-2, restart',
        () => services.kill('seat-allocation-2'),
        restart('seat-allocation-2'),
      );
      await fault(
        'stop Kafka broker 2, start it again',
        () => stopKafkaBroker(2, stack),
        async () => {
          await letLoadRun(ctx, 40); // the on-sale goes on on two brokers
          await startKafkaBroker(2, stack);
        },
      );
      await fault(
        'SIGKILL sink-postgres and sink-clickhouse, restart',
        async () => {
          await Promise.all([services.kill('sink-postgres'), services.kill('sink-clickhouse')]);
        },
        async () => {
          services.restart('sink-postgres');
          services.restart('sink-clickhouse');
        },
      );
      await fault('SIGKILL api-2, restart', () => services.kill('api-2'), restart('api-2'));
      await fault(
        'restart PostgreSQL (immediate: crash-like)',
        () => restartPostgres({ ...stack, mode: 'immediate' }),
        async () => undefined,
      );

      say('stopping the load');
      load = await generator.stop();
      say(`load: ${load.operations} operations, ${load.accepted.length} accepted requests`);

      // Quiescence: nothing moves on the command, decision and payment topics for 5 s (a stuck consumer is caught
      // by the checks that follow: a command without its decision, a store behind the log).
      const quiet = [
        topics.reservationCommands.name,
        topics.reservationEvents.name,
        topics.paymentRequests.name,
        topics.paymentResults.name,
      ];
      let lastEnds = '';
      let stillSince = Date.now();
      await until('quiescence (the logs still for 5 s)', 180_000, async () => {
        const ends = JSON.stringify(await Promise.all(quiet.map((t) => admin.fetchTopicOffsets(t))));
        if (ends !== lastEnds) {
          lastEnds = ends;
          stillSince = Date.now();
        }
        return Date.now() - stillSince >= 5_000 ? true : 'logs moving';
      });
      say(
        `quiet; allocator group lag ${await groupLag(admin, ALLOCATOR_GROUP, topics.reservationCommands.name)} ` +
          `(offsets past the last record count: transaction markers)`,
      );

      const eventIds = definitions.map((d) => d.eventId);
      const ids = new Set(eventIds);
      const decisions = await readDecisions(kafka, ids);
      const commandIds = await readCommandRequestIds(kafka, ids);
      say(`log: ${decisions.length} decisions, ${commandIds.length} commands of the run's events`);
      checks.push(checkOneDecisionPerRequest([...load.accepted.map((a) => a.requestId), ...commandIds], decisions));
      const byEvent = new Map<string, ReservationDecision[]>();
      for (const d of decisions) byEvent.set(d.meta.eventId, [...(byEvent.get(d.meta.eventId) ?? []), d]);
      checks.push(checkNoDoubleAllocation(definitions, byEvent));

      const logBookings = decisions.filter((d) => d.type === 'BookingConfirmed' && !d.meta.replay) as Extract<
        ReservationDecision,
        { type: 'BookingConfirmed' }
      >[];
      const logCounts = new Map<string, number>();
      for (const b of logBookings) logCounts.set(b.bookingId, (logCounts.get(b.bookingId) ?? 0) + 1);
      const bookingIds = [...logCounts.keys()];

      const pool = createPool(undefined, { statementTimeoutMs: 30_000 });
      const ch = createClickhouse({ database: defaultDatabase });
      try {
        const registry = createRegistryClient(loadEndpoints().schemaRegistry);
        const sources = () => [
          reservationLogSource({ kafka, registry, log: logger('chaos'), eventIds }),
          postgresSource(pool, { eventIds }),
          clickhouseRawSource(ch, topics.reservationEvents.name, { eventIds }),
          clickhouseModelsSource(ch, { eventIds }),
        ];
        // The sinks catch up on their own time: poll until the stores agree, or report where they do not.
        await until('the log, PostgreSQL and ClickHouse to agree', 180_000, async () => {
          report = await reconcile(sources());
          return report.agree ? true : `${report.differences.length} differences`;
        }).catch((err: Error) => say(err.message));
        say(formatReport(report!));
        checks.push({
          invariant: 'log, PostgreSQL, ClickHouse raw and models agree (connectors/reconcile)',
          checked: Object.values(report!.figures).reduce((n, f) => n + f.size, 0),
          violations: report!.differences.map(
            (d) =>
              `${d.key}: ${Object.entries(d.values)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}`,
          ),
        });
        const stores = await bookingCounts(pool, ch, eventIds);
        checks.push(checkBookingsOnce(bookingIds, { log: logCounts, ...stores }));
      } finally {
        await pool.end();
        await ch.close();
      }
      checks.push(checkToldBookings(load.confirmedBookings, bookingIds));
      checks.push(checkErrorCodes(load.outcomes));
      checks.push({
        invariant: 'every buyer request answered (retrying up to 120 s)',
        checked: load.accepted.length + load.gaveUp.length,
        violations: load.gaveUp.map((g) => `${g.what}: last ${g.lastCode}`),
      });
      // A service that exits on its own and comes back healthy after a restart is reported (the table lists it);
      // one that keeps exiting is a crash loop, a violation.
      checks.push({
        invariant: `no service crash-looped (more than ${CRASH_LOOP} exits on its own)`,
        checked: services.records().length,
        violations: services
          .records()
          .filter((r) => r.unplannedExits.length > CRASH_LOOP)
          .map((r) => `${r.name}: ${r.unplannedExits.length} exits on its own`),
      });
    } finally {
      await admin.disconnect();
    }
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    say(`FAILED: ${failure}`);
  } finally {
    await cleanUp();
  }

  const violations = checks.reduce((n, c) => n + c.violations.length, 0);
  console.log(`\n${formatTable(faults, checks, load?.outcomes)}`);
  const exits = services.records().flatMap((r) => r.unplannedExits.map((x) => ({ name: r.name, ...x })));
  if (exits.length) {
    console.log('\nservices that exited on their own (restarted after 1 s; their logs are in the run directory):');
    for (const x of exits) console.log(`  ${x.name}: ${x.signal ?? `exit ${x.code}`} at ${since(x.at)} s`);
  }
  for (const c of checks.filter((x) => x.violations.length)) {
    console.log(`\n${c.invariant}:`);
    for (const v of c.violations.slice(0, 20)) console.log(`  ${v}`);
    if (c.violations.length > 20) console.log(`  … ${c.violations.length - 20} more`);
  }
  const resultsDir = join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'chaos.json'),
    `${JSON.stringify(
      {
        run,
        at: new Date(t0).toISOString(),
        durationSec: (Date.now() - t0) / 1000,
        ok: !failure && violations === 0 && checks.length > 0,
        failure: failure ?? null,
        faults,
        invariants: checks.map((c) => ({
          ...c,
          violations: c.violations.slice(0, 100),
          violationCount: c.violations.length,
        })),
        outcomes: load ? Object.fromEntries(load.outcomes) : {},
        operations: load?.operations ?? 0,
        acceptedRequests: load?.accepted.length ?? 0,
        services: services.records(),
      },
      null,
      2,
    )}\n`,
  );
  const ok = !failure && violations === 0 && checks.length > 0;
  console.log(
    `\nchaos: ${ok ? 'PASSED' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s (${faults.length} faults, ${checks.length} invariants, ${violations} violations${failure ? `, ${failure}` : ''}); bench/results/chaos.json`,
  );
  return ok ? 0 : 1;
}
