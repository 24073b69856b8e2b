/**
 * The read-model sink on the real stack (Kafka, schema registry, PostgreSQL), on the shared topics with random event
 * ids. Records are made by the real seat-allocation decider (stream-fixture.ts) and produced in Kafka transactions,
 * some aborted; a few are poison. What the tables hold is compared with a fold, written here independently of the
 * sink, of the log read back read_committed:
 *
 * - the sink as a child process, SIGKILLed twice while it applies the stream, then stopped with SIGTERM;
 * - the offsets in PostgreSQL win over the consumer group's, whether the group's are ahead or behind;
 * - two instances applying the same partitions at once (a zombie and its successor) apply each record once.
 *
 * The sales counters (event_sales) are sums, not idempotent: they equal the fold only if every record was applied
 * exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import pg from 'pg';
import { loadEndpoints, repoRoot } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { migrate } from '../../api/db/migrate.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { frame } from '../../schemas/wire-format.js';
import { dlqFor, topics } from '../../topics/catalog.js';
import { sleep } from '../kafka-source/retry.js';
import { sourceSpecs } from './inputs.js';
import { salesCounters } from './projection.js';
import { createPostgresSink, ORIGIN_HEADER } from './sink.js';
import { storedOffsets, tpKey } from './store.js';
import { EventScript, type ScriptRecord } from './stream-fixture.js';
import {
  cleanUp,
  commitGroupOffsets,
  endOffsets,
  readRange,
  startAtEnd,
  testKafka,
  waitApplied,
  type LoggedRecord,
  type Positions,
} from './testing.js';

const registry = createRegistryClient(loadEndpoints().schemaRegistry);
const serdes = {
  [topics.catalogEvents.name]: serdeFor(topics.catalogEvents, registry),
  [topics.reservationEvents.name]: serdeFor(topics.reservationEvents, registry),
  [topics.eventAvailability.name]: serdeFor(topics.eventAvailability, registry),
} as Record<
  string,
  { serialize(t: string, v: unknown): Promise<Buffer>; deserialize(t: string, b: Buffer): Promise<unknown> }
>;

/** Header naming the sink's expected refusal code of a record, set by the test on the records it makes poison. */
const EXPECT = 'it-expect';

/// The oracle: a fold of the log, record by record

type Counters = Record<(typeof salesCounters)[number], number>;

interface ReadModel {
  events: Record<string, { name: string; version: number; status: string }>;
  holds: Record<
    string,
    { eventId: string; buyerId: string; status: string; tickets: number; totalMinor: number; bookingId: string | null }
  >;
  bookings: Record<
    string,
    { holdId: string; buyerId: string; status: string; totalMinor: number; paymentReference: string }
  >;
  availability: Record<string, { version: number; catalogVersion: number; free: number; held: number; sold: number }>;
  decisions: Record<string, { kind: string; outcome: string; code: string | null }>;
  sales: Record<string, Counters>;
}

const emptyModel = (): ReadModel => ({
  events: {},
  holds: {},
  bookings: {},
  availability: {},
  decisions: {},
  sales: {},
});

const branch = <T extends object>(u: T): [string, Record<string, unknown>] => {
  const [k, v] = Object.entries(u)[0]!;
  return [k.slice(k.lastIndexOf('.') + 1), v as Record<string, unknown>];
};

async function fold(
  log: LoggedRecord[],
  eventIds: Set<string>,
): Promise<{ model: ReadModel; refused: Record<string, string> }> {
  const m = emptyModel();
  const refused: Record<string, string> = {};
  for (const r of log) {
    if (r.key === null || !eventIds.has(r.key)) continue;
    const expect = r.headers?.[EXPECT]?.toString();
    if (expect) {
      refused[`${r.topic}/${r.partition}/${r.offset}`] = expect;
      continue;
    }
    if (r.value === null) throw new Error('the test writes no tombstones before its cleanup');
    const value = await serdes[r.topic]!.deserialize(r.topic, r.value);
    if (r.topic === topics.catalogEvents.name) {
      const c = value as CatalogEvent;
      const had = m.events[c.eventId];
      if (!had || had.version < c.version) m.events[c.eventId] = { name: c.name, version: c.version, status: c.status };
    } else if (r.topic === topics.eventAvailability.name) {
      const a = value as EventAvailability;
      const had = m.availability[a.eventId];
      if (!had || had.version < a.version)
        m.availability[a.eventId] = {
          version: a.version,
          catalogVersion: a.catalogVersion,
          free: a.totals.free,
          held: a.totals.held,
          sold: a.totals.sold,
        };
    } else {
      const e = value as ReservationEvent;
      if (e.replay) continue;
      const s = (m.sales[e.eventId] ??= Object.fromEntries(salesCounters.map((c) => [c, 0])) as Counters);
      s.decisions++;
      const [kind, d] = branch(e.decision);
      const ga = (d.generalAdmission as null | Record<string, { quantity: number }>) ?? null;
      const places = ga ? Object.values(ga)[0]!.quantity : 0;
      const seatCount = ((d.seats as unknown[] | undefined) ?? (d.seatIds as unknown[] | undefined) ?? []).length;
      const tickets = seatCount + places;
      if (kind !== 'HoldExpired' && !m.decisions[e.requestId])
        m.decisions[e.requestId] = {
          kind,
          outcome: kind === 'HoldRejected' || kind === 'CommandRejected' ? 'REJECTED' : 'ACCEPTED',
          code: (d.code as string | undefined) ?? null,
        };
      const hold = m.holds[d.holdId as string];
      switch (kind) {
        case 'SeatsHeld':
          m.holds[d.holdId as string] ??= {
            eventId: e.eventId,
            buyerId: e.buyerId,
            status: 'HELD',
            tickets,
            totalMinor: d.totalMinor as number,
            bookingId: null,
          };
          s.holds++;
          s.tickets_held += tickets;
          break;
        case 'HoldRejected':
        case 'CommandRejected':
          s.rejections++;
          break;
        case 'HoldReleased':
        case 'HoldExpired':
          if (hold?.status === 'HELD') hold.status = kind === 'HoldReleased' ? 'RELEASED' : 'EXPIRED';
          s[kind === 'HoldReleased' ? 'releases' : 'expiries']++;
          s.tickets_held -= tickets;
          break;
        case 'BookingConfirmed':
          if (hold?.status === 'HELD') Object.assign(hold, { status: 'CONFIRMED', bookingId: d.bookingId });
          m.bookings[d.bookingId as string] ??= {
            holdId: d.holdId as string,
            buyerId: e.buyerId,
            status: 'CONFIRMED',
            totalMinor: d.totalMinor as number,
            paymentReference: d.paymentReference as string,
          };
          s.bookings++;
          s.tickets_held -= tickets;
          s.tickets_sold += tickets;
          s.revenue_minor += d.totalMinor as number;
          break;
        case 'BookingCancelled': {
          const b = m.bookings[d.bookingId as string];
          if (b?.status === 'CONFIRMED') b.status = 'CANCELLED';
          s.cancellations++;
          s.tickets_sold -= tickets;
          s.revenue_minor -= d.totalMinor as number;
          break;
        }
        default:
          throw new Error(`unknown decision ${kind}`);
      }
    }
  }
  return { model: m, refused };
}

/** What the tables hold for these events. */
async function readModelOf(pool: pg.Pool, eventIds: string[]): Promise<ReadModel> {
  const m = emptyModel();
  const q = async <R extends pg.QueryResultRow>(sql: string) => (await pool.query<R>(sql, [eventIds])).rows;
  for (const r of await q<{ event_id: string; name: string; version: string; status: string }>(
    'SELECT * FROM events WHERE event_id = ANY($1)',
  ))
    m.events[r.event_id] = { name: r.name, version: Number(r.version), status: r.status };
  for (const r of await q<{
    hold_id: string;
    event_id: string;
    buyer_id: string;
    status: string;
    tickets: number;
    total_minor: string;
    booking_id: string | null;
  }>('SELECT * FROM holds WHERE event_id = ANY($1)'))
    m.holds[r.hold_id] = {
      eventId: r.event_id,
      buyerId: r.buyer_id,
      status: r.status,
      tickets: r.tickets,
      totalMinor: Number(r.total_minor),
      bookingId: r.booking_id,
    };
  for (const r of await q<{
    booking_id: string;
    hold_id: string;
    buyer_id: string;
    status: string;
    total_minor: string;
    payment_reference: string;
  }>('SELECT * FROM bookings WHERE event_id = ANY($1)'))
    m.bookings[r.booking_id] = {
      holdId: r.hold_id,
      buyerId: r.buyer_id,
      status: r.status,
      totalMinor: Number(r.total_minor),
      paymentReference: r.payment_reference,
    };
  for (const r of await q<{
    event_id: string;
    version: string;
    catalog_version: string;
    totals: { free: number; held: number; sold: number };
  }>('SELECT * FROM availability WHERE event_id = ANY($1)'))
    m.availability[r.event_id] = {
      version: Number(r.version),
      catalogVersion: Number(r.catalog_version),
      free: r.totals.free,
      held: r.totals.held,
      sold: r.totals.sold,
    };
  for (const r of await q<{ request_id: string; kind: string; outcome: string; code: string | null }>(
    'SELECT * FROM decisions WHERE event_id = ANY($1)',
  ))
    m.decisions[r.request_id] = { kind: r.kind, outcome: r.outcome, code: r.code };
  for (const r of await q<Record<string, string>>('SELECT * FROM event_sales WHERE event_id = ANY($1)'))
    m.sales[r.event_id!] = Object.fromEntries(salesCounters.map((c) => [c, Number(r[c])])) as Counters;
  return m;
}

async function deadLettersOf(pool: pg.Pool, consumer: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ topic: string; partition: number; offset: string; code: string }>(
    'SELECT topic, partition, "offset", code FROM sink_dead_letters WHERE consumer = $1',
    [consumer],
  );
  return Object.fromEntries(rows.map((r) => [`${r.topic}/${r.partition}/${r.offset}`, r.code]));
}

/// Producing

interface Tx {
  records: (ScriptRecord & { headers?: Record<string, string> })[];
  abort: boolean;
}

/** Rounds of each event's script as transactions; some aborted ones carrying forged records that must never show. */
function script(scripts: EventScript[], rounds: number): Tx[] {
  const txs: Tx[] = [{ records: scripts.map((s) => s.catalog()), abort: false }];
  for (let round = 1; round <= rounds; round++) {
    for (const s of scripts) {
      const records: Tx['records'] = [];
      for (let k = 0; k < 4; k++) records.push(...s.step());
      const snap = s.snapshot();
      if (snap) records.push(snap);
      if (round === Math.floor(rounds / 3)) records.push(s.revise());
      if (round === Math.floor(rounds / 2)) records.push(s.staleRevision(1));
      if (round === Math.floor((2 * rounds) / 3))
        records.push({ ...s.inconsistentRevision(), headers: { [EXPECT]: 'SS_ERR_SINK_INVALID_CATALOG' } });
      if (round % 5 === 0) {
        const stale = s.staleSnapshot();
        if (stale) records.push(stale);
      }
      txs.push({ records, abort: false });
    }
    if (round % 6 === 0) {
      // Forged records in a transaction that aborts: a read_committed consumer never sees them.
      const s = scripts[round % scripts.length]!;
      const forged = s.staleRevision(9_999);
      txs.push({
        abort: true,
        records: [
          forged,
          {
            topic: topics.eventAvailability.name,
            key: s.eventId,
            value: { ...(s.snapshot()!.value as EventAvailability), version: 999_999 },
          },
          ...s.step().map(
            (r) =>
              ({
                ...r,
                value: { ...(r.value as ReservationEvent), requestId: `aborted-${randomUUID()}` },
              }) as ScriptRecord,
          ),
        ],
      });
    }
  }
  return txs;
}

async function toMessages(records: Tx['records']): Promise<Map<string, Message[]>> {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const value = await serdes[r.topic]!.serialize(r.topic, r.value);
    byTopic.set(r.topic, [
      ...(byTopic.get(r.topic) ?? []),
      { key: r.key, value, ...(r.headers ? { headers: r.headers } : {}) },
    ]);
  }
  return byTopic;
}

async function produce(kafka: Kafka, txs: Tx[], poison: (index: number) => Promise<void>): Promise<void> {
  const producer = kafka.producer({
    transactionalId: `it-sink-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (const [i, tx] of txs.entries()) {
      const messages = await toMessages(tx.records);
      const t = await producer.transaction();
      for (const [topic, ms] of messages) await t.send({ topic, messages: ms });
      await (tx.abort ? t.abort() : t.commit());
      await poison(i);
    }
  } finally {
    await producer.disconnect();
  }
}

/// The sink as a child process

interface Child {
  process: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnSink(consumer: string, groupId: string): Child {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SINK_POSTGRES_CONSUMER: consumer,
    SINK_POSTGRES_GROUP_ID: groupId,
    SINK_POSTGRES_MIGRATE: '0',
    SINK_POSTGRES_SESSION_TIMEOUT_MS: '6000',
    // Small fetches: many small transactions, so that a kill lands in the middle of the stream.
    SINK_POSTGRES_MAX_BYTES_PER_PARTITION: '2048',
    LOG_LEVEL: 'warn',
  };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'connectors/postgres/main.ts'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output, exited };
}

/** Records applied so far by `consumer` since `start`, over the source partitions. */
async function progress(pool: pg.Pool, consumer: string, start: Positions): Promise<number> {
  const stored = await storedOffsets(pool, consumer);
  let n = 0;
  for (const [k, s] of start) n += Math.max(0, (stored.get(k) ?? s.offset) - s.offset);
  return n;
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The last record offset per partition of a log range (what "applied up to the end" means for the sink). */
const lastOf = (log: LoggedRecord[]): Positions => {
  const out: Positions = new Map();
  for (const r of log) {
    const had = out.get(tpKey(r));
    if (!had || had.offset < r.offset) out.set(tpKey(r), { topic: r.topic, partition: r.partition, offset: r.offset });
  }
  return out;
};

/** The log from `start` up to the offsets `consumer` stored: exactly what its rows must be the fold of. */
async function appliedLog(pool: pg.Pool, kafka: Kafka, consumer: string, start: Positions): Promise<LoggedRecord[]> {
  const stored = await storedOffsets(pool, consumer);
  const upTo: Positions = new Map([...start].map(([k, s]) => [k, { ...s, offset: stored.get(k) ?? s.offset }]));
  return readRange(kafka, start, upTo);
}

const buyersOf = (tag: string) => Array.from({ length: 8 }, (_, i) => `buyer-${tag}-${i}`);

describe('read-model sink (Kafka + schema registry + PostgreSQL)', () => {
  let pool: pg.Pool;
  let kafka: Kafka;
  const eventIds: string[] = [];
  const consumers: string[] = [];
  const groupIds: string[] = [];
  const children = new Set<ChildProcess>();

  before(async () => {
    await migrate(loadEndpoints().postgres);
    pool = new pg.Pool({ connectionString: loadEndpoints().postgres, max: 6 });
    kafka = testKafka();
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cleanUp(pool, kafka, { eventIds, consumers, groupIds });
    await pool.end();
  });

  it('applies a realistic stream exactly once though SIGKILLed twice midway: rows equal the fold of the read_committed log', async () => {
    const consumer = `it-${randomUUID()}`;
    const groupId = `it-sink-${randomUUID()}`;
    consumers.push(consumer);
    groupIds.push(groupId);
    const ids = [0, 1, 2].map(() => `it-evt-${randomUUID()}`);
    eventIds.push(...ids);
    const scripts = ids.map(
      (eventId, i) =>
        new EventScript({ eventId, seed: 100 + i, buyers: buyersOf(eventId), onSaleAt: Date.UTC(2026, 0, 1) }),
    );
    const txs = script(scripts, 36);
    const total = txs.reduce((n, t) => n + t.records.length + 1, 0);

    const start = await startAtEnd(pool, kafka, consumer);
    const dlqStart = await endOffsets(
      kafka,
      sourceSpecs.map((s) => dlqFor(s).name),
    );

    // Poison, outside transactions: not the wire format, an unknown schema id, a key that is not the value's event.
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    const rsv = topics.reservationEvents.name;
    const poison = async (i: number) => {
      if (i === 5)
        await plain.send({
          topic: rsv,
          acks: -1,
          messages: [
            { key: ids[0], value: Buffer.from('not an avro record'), headers: { [EXPECT]: 'SS_ERR_SERDE_MAGIC_BYTE' } },
          ],
        });
      if (i === 30)
        await plain.send({
          topic: rsv,
          acks: -1,
          messages: [
            {
              key: ids[1],
              value: frame(2_000_000_000, Buffer.from([0, 1, 2])),
              headers: { [EXPECT]: 'SS_ERR_SERDE_UNKNOWN_SCHEMA_ID' },
            },
          ],
        });
      if (i === 60) {
        const wrong = {
          ...(scripts[2]!.step()[0]!.value as ReservationEvent),
          requestId: `misrouted-${randomUUID()}`,
          eventId: 'some-other-event',
        };
        await plain.send({
          topic: rsv,
          acks: -1,
          messages: [
            {
              key: ids[2],
              value: await serdes[rsv]!.serialize(rsv, wrong),
              headers: { [EXPECT]: 'SS_ERR_SINK_KEY_MISMATCH' },
            },
          ],
        });
      }
    };

    let child = spawnSink(consumer, groupId);
    children.add(child.process);
    const production = produce(kafka, txs, poison).finally(() => plain.disconnect());
    try {
      for (const fraction of [0.2, 0.55]) {
        await until(
          `${fraction * 100} % applied`,
          async () => (await progress(pool, consumer, start)) >= fraction * total,
        );
        const at = await progress(pool, consumer, start);
        child.process.kill('SIGKILL');
        const { signal } = await child.exited;
        assert.equal(signal, 'SIGKILL');
        assert.ok(at > 0 && at < total, `killed midway: ${at} of about ${total} offsets applied`);
        child = spawnSink(consumer, groupId);
        children.add(child.process);
      }
      await production;

      const ends = await endOffsets(
        kafka,
        sourceSpecs.map((s) => s.name),
      );
      await waitApplied(pool, consumer, lastOf(await readRange(kafka, start, ends)), 120_000);
      child.process.kill('SIGTERM');
      const stopped = await child.exited;
      assert.equal(stopped.code, 0, `graceful stop: ${child.output.join('')}`);

      // Others write to the shared topics too: the sink may have applied records after ours. Its rows are the fold of
      // the log up to the offsets it stored.
      const log = await appliedLog(pool, kafka, consumer, start);
      const expected = await fold(log, new Set(ids));
      const actual = await readModelOf(pool, ids);
      assert.deepEqual(actual, expected.model);
      // Sanity of the stream itself: it did exercise what the test is about.
      const kinds = new Set(Object.values(expected.model.decisions).map((d) => d.kind));
      for (const k of [
        'SeatsHeld',
        'HoldRejected',
        'CommandRejected',
        'HoldReleased',
        'BookingConfirmed',
        'BookingCancelled',
      ])
        assert.ok(kinds.has(k), `the stream has ${k}`);
      assert.ok(
        Object.values(expected.model.sales).some((s) => s.expiries > 0),
        'the stream has expiries',
      );
      assert.ok(
        Object.values(expected.model.events).every((e) => e.version === 2),
        'revision 2 wins over the stale and the inconsistent ones',
      );
      assert.ok(
        !Object.keys(actual.decisions).some((r) => r.startsWith('aborted-')),
        'no record of an aborted transaction applied',
      );

      // Each poison record refused once, with its reason, in PostgreSQL; and dead-lettered (at least once) on the DLQ.
      const ours = new Set(
        log.filter((r) => r.key !== null && ids.includes(r.key)).map((r) => `${r.topic}/${r.partition}/${r.offset}`),
      );
      const refused = Object.fromEntries(
        Object.entries(await deadLettersOf(pool, consumer)).filter(([k]) => ours.has(k)),
      );
      assert.deepEqual(refused, expected.refused);
      assert.equal(
        Object.keys(expected.refused).length,
        3 + ids.length,
        'three poison records and one inconsistent revision per event',
      );
      const dlqEnds = await endOffsets(
        kafka,
        sourceSpecs.map((s) => dlqFor(s).name),
      );
      const dead = await readRange(kafka, dlqStart, dlqEnds);
      for (const [where, code] of Object.entries(expected.refused)) {
        const [topic, partition, offset] = where.split('/');
        const h = (d: LoggedRecord, name: string) => d.headers?.[name]?.toString();
        // Other consumers of the shared topics (the seat allocator) dead-letter some of the same records their way.
        const letter = dead.find(
          (d) =>
            h(d, ORIGIN_HEADER) === `sink-postgres/${consumer}` &&
            h(d, 'dlq.source.topic') === topic &&
            h(d, 'dlq.source.partition') === partition &&
            h(d, 'dlq.source.offset') === offset,
        );
        assert.ok(letter, `dead letter of ${where}`);
        assert.equal(letter.headers?.['dlq.error.code']?.toString(), code);
      }

      // Offsets: past every record, never past the end of the log (which others may have extended meanwhile).
      const stored = await storedOffsets(pool, consumer);
      const now = await endOffsets(
        kafka,
        sourceSpecs.map((s) => s.name),
      );
      for (const [k, last] of lastOf(log)) {
        const next = stored.get(k)!;
        assert.ok(
          next > last.offset && next <= now.get(k)!.offset,
          `${k}: stored ${next}, last record ${last.offset}, end ${now.get(k)!.offset}`,
        );
      }
    } finally {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await production.catch(() => undefined);
    }
  });

  it("resumes from the offsets stored in PostgreSQL, whether the consumer group's are ahead or behind", async () => {
    const consumer = `it-${randomUUID()}`;
    const groupId = `it-sink-${randomUUID()}`;
    consumers.push(consumer);
    groupIds.push(groupId);
    const id = `it-evt-${randomUUID()}`;
    eventIds.push(id);
    const s = new EventScript({ eventId: id, seed: 7, buyers: buyersOf(id), onSaleAt: Date.UTC(2026, 0, 1) });
    const start = await startAtEnd(pool, kafka, consumer);
    await produce(kafka, script([s], 4), async () => undefined);
    const afterFirst = await endOffsets(
      kafka,
      sourceSpecs.map((x) => x.name),
    );

    // The group says everything is consumed; PostgreSQL says nothing is.
    const setGroup = (to: Positions) => commitGroupOffsets(kafka, groupId, to);
    {
      await setGroup(afterFirst);
      const run = async () => {
        const sink = createPostgresSink({
          pool,
          kafka,
          registry,
          consumer,
          groupId,
          log: logger('it.sink'),
          sessionTimeoutMs: 6_000,
        });
        await sink.start();
        return sink;
      };
      let sink = await run();
      await waitApplied(pool, consumer, lastOf(await readRange(kafka, start, afterFirst)));
      await sink.stop();
      let log = await appliedLog(pool, kafka, consumer, start);
      const once = (await fold(log, new Set([id]))).model;
      assert.deepEqual(await readModelOf(pool, [id]), once);
      assert.ok(once.sales[id]!.decisions > 0);

      // Now the group is behind (at the start): the records are not applied again.
      await setGroup(start);
      let more: ScriptRecord[] = [];
      while (more.length === 0) more = s.step();
      await produce(kafka, [{ records: more, abort: false }], async () => undefined);
      const afterSecond = await endOffsets(
        kafka,
        sourceSpecs.map((x) => x.name),
      );
      sink = await run();
      await waitApplied(pool, consumer, lastOf(await readRange(kafka, start, afterSecond)));
      await sink.stop();
      log = await appliedLog(pool, kafka, consumer, start);
      assert.deepEqual(await readModelOf(pool, [id]), (await fold(log, new Set([id]))).model);
    }
  });

  it('two instances applying the same partitions at once (a zombie and its successor) apply each record once', async () => {
    const consumer = `it-${randomUUID()}`;
    const groups = [`it-sink-${randomUUID()}`, `it-sink-${randomUUID()}`];
    consumers.push(consumer);
    groupIds.push(...groups);
    const ids = [0, 1].map(() => `it-evt-${randomUUID()}`);
    eventIds.push(...ids);
    const scripts = ids.map(
      (eventId, i) =>
        new EventScript({ eventId, seed: 40 + i, buyers: buyersOf(eventId), onSaleAt: Date.UTC(2026, 0, 1) }),
    );
    const start = await startAtEnd(pool, kafka, consumer);
    // Two groups: each instance is assigned every partition, as a zombie still holding partitions would be.
    const sinks = groups.map((groupId) =>
      createPostgresSink({
        pool,
        kafka,
        registry,
        consumer,
        groupId,
        log: logger('it.sink'),
        sessionTimeoutMs: 6_000,
        maxBytesPerPartition: 2048,
      }),
    );
    await Promise.all(sinks.map((x) => x.start()));
    try {
      await produce(kafka, script(scripts, 12), async () => undefined);
      const ends = await endOffsets(
        kafka,
        sourceSpecs.map((x) => x.name),
      );
      await waitApplied(pool, consumer, lastOf(await readRange(kafka, start, ends)));
    } finally {
      await Promise.all(sinks.map((x) => x.stop()));
    }
    const log = await appliedLog(pool, kafka, consumer, start);
    assert.deepEqual(await readModelOf(pool, ids), (await fold(log, new Set(ids))).model);
  });
});
