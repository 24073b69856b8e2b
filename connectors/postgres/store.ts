/**
 * The read models' writes, in PostgreSQL: the offsets the sink has applied (`sink_offsets`, locked for the duration
 * of a batch's transaction), a write plan (projection.ts) as a few set-based statements (rows travel as one JSON
 * array per statement, unpacked with jsonb_to_recordset), and the refused records.
 */
import type pg from 'pg';
import type { Position } from './inputs.js';
import { salesCounters, type WritePlan } from './projection.js';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}:${tp.partition}`;

/** The stored next offsets of `consumer`, for the given partitions (all of its partitions when omitted). */
export async function storedOffsets(
  db: Queryable,
  consumer: string,
  tps?: TopicPartition[],
): Promise<Map<string, number>> {
  const { rows } = tps
    ? await db.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT o.topic, o.partition, o.next_offset FROM sink_offsets o
           JOIN unnest($2::text[], $3::int[]) AS a(topic, partition) USING (topic, partition)
          WHERE o.consumer = $1`,
        [consumer, tps.map((t) => t.topic), tps.map((t) => t.partition)],
      )
    : await db.query<{ topic: string; partition: number; next_offset: string }>(
        'SELECT topic, partition, next_offset FROM sink_offsets WHERE consumer = $1',
        [consumer],
      );
  return new Map(rows.map((r) => [tpKey(r), Number(r.next_offset)]));
}

/**
 * Inside a transaction: locks the offset row of a partition (creating it at 0) and answers the next offset to apply.
 * Another instance applying the same partition (a zombie after a rebalance) waits here until this transaction ends,
 * then sees the offset it left: records below it are not applied twice.
 */
export async function lockOffset(db: Queryable, consumer: string, tp: TopicPartition): Promise<number> {
  await db.query(
    'INSERT INTO sink_offsets (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING',
    [consumer, tp.topic, tp.partition],
  );
  const { rows } = await db.query<{ next_offset: string }>(
    'SELECT next_offset FROM sink_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
    [consumer, tp.topic, tp.partition],
  );
  return Number(rows[0]!.next_offset);
}

export async function saveOffset(db: Queryable, consumer: string, tp: TopicPartition, next: number): Promise<void> {
  await db.query(
    `UPDATE sink_offsets SET next_offset = $4, updated_at = now()
      WHERE consumer = $1 AND topic = $2 AND partition = $3 AND next_offset < $4`,
    [consumer, tp.topic, tp.partition, next],
  );
}

/** Sets the offsets of `consumer` (operators rewinding a read model, tests starting at the end of the log). */
export async function setOffsets(
  db: Queryable,
  consumer: string,
  offsets: (TopicPartition & { next: number })[],
): Promise<void> {
  await db.query(
    `INSERT INTO sink_offsets (consumer, topic, partition, next_offset)
     SELECT $1, topic, partition, next FROM unnest($2::text[], $3::int[], $4::bigint[]) AS a(topic, partition, next)
     ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
    [consumer, offsets.map((o) => o.topic), offsets.map((o) => o.partition), offsets.map((o) => o.next)],
  );
}

export async function recordRefusals(
  db: Queryable,
  consumer: string,
  refused: { at: Position; code: string; message: string }[],
): Promise<void> {
  if (refused.length === 0) return;
  await db.query(
    `INSERT INTO sink_dead_letters (consumer, topic, partition, "offset", code, message)
     SELECT $1, r.topic, r.partition, r.offset, r.code, r.message
       FROM jsonb_to_recordset($2::jsonb) AS r(topic text, partition int, "offset" bigint, code text, message text)
     ON CONFLICT DO NOTHING`,
    [consumer, JSON.stringify(refused.map((r) => ({ ...r.at, code: r.code, message: r.message.slice(0, 2000) })))],
  );
}

/// The plan

type Columns = readonly (readonly [name: string, type: string])[];

const names = (cols: Columns) => cols.map(([n]) => n).join(', ');
const recordset = (cols: Columns, param = '$1') =>
  `jsonb_to_recordset(${param}::jsonb) AS r(${cols.map(([n, t]) => `${n} ${t}`).join(', ')})`;

const eventColumns = [
  ['event_id', 'text'],
  ['organizer_id', 'text'],
  ['name', 'text'],
  ['starts_at', 'timestamptz'],
  ['venue_id', 'text'],
  ['venue_name', 'text'],
  ['city', 'text'],
  ['venue', 'jsonb'],
  ['currency', 'text'],
  ['price_categories', 'jsonb'],
  ['seat_count', 'integer'],
  ['ga_capacity', 'integer'],
  ['on_sale_at', 'timestamptz'],
  ['off_sale_at', 'timestamptz'],
  ['max_tickets_per_buyer', 'integer'],
  ['hold_duration_ms', 'bigint'],
  ['status', 'text'],
  ['version', 'bigint'],
  ['updated_at', 'timestamptz'],
] as const;

const seatMapColumns = [
  ['event_id', 'text'],
  ['version', 'bigint'],
  ['venue', 'jsonb'],
  ['price_categories', 'jsonb'],
] as const;

const holdColumns = [
  ['hold_id', 'text'],
  ['event_id', 'text'],
  ['buyer_id', 'text'],
  ['request_id', 'text'],
  ['seats', 'jsonb'],
  ['general_admission', 'jsonb'],
  ['tickets', 'integer'],
  ['total_minor', 'bigint'],
  ['currency', 'text'],
  ['held_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
] as const;

const bookingColumns = [
  ['booking_id', 'text'],
  ['hold_id', 'text'],
  ['event_id', 'text'],
  ['buyer_id', 'text'],
  ['request_id', 'text'],
  ['seats', 'jsonb'],
  ['general_admission', 'jsonb'],
  ['tickets', 'integer'],
  ['total_minor', 'bigint'],
  ['currency', 'text'],
  ['payment_reference', 'text'],
  ['confirmed_at', 'timestamptz'],
] as const;

const availabilityColumns = [
  ['event_id', 'text'],
  ['version', 'bigint'],
  ['as_of', 'timestamptz'],
  ['catalog_version', 'bigint'],
  ['totals', 'jsonb'],
  ['sections', 'jsonb'],
  ['price_categories', 'jsonb'],
] as const;

const decisionColumns = [
  ['request_id', 'text'],
  ['event_id', 'text'],
  ['buyer_id', 'text'],
  ['kind', 'text'],
  ['outcome', 'text'],
  ['code', 'text'],
  ['message', 'text'],
  ['command', 'text'],
  ['hold_id', 'text'],
  ['booking_id', 'text'],
  ['seat_ids', 'text[]'],
  ['occurred_at', 'timestamptz'],
  ['issued_at', 'timestamptz'],
] as const;

const salesColumns = [['event_id', 'text'], ...salesCounters.map((c) => [c, 'bigint'] as const)] as const;

const updateAll = (cols: Columns, except: string[]) =>
  cols
    .filter(([n]) => !except.includes(n))
    .map(([n]) => `${n} = EXCLUDED.${n}`)
    .join(', ');

const json = (rows: unknown[]) => JSON.stringify(rows);

/** Writes a plan; call inside the batch's transaction. */
export async function writePlan(db: Queryable, p: WritePlan): Promise<void> {
  if (p.eventDeletes.length) {
    await db.query('DELETE FROM events WHERE event_id = ANY($1::text[])', [p.eventDeletes]);
    await db.query('DELETE FROM event_seat_maps WHERE event_id = ANY($1::text[])', [p.eventDeletes]);
  }
  if (p.eventUpserts.length)
    await db.query(
      `INSERT INTO events (${names(eventColumns)}) SELECT ${names(eventColumns)} FROM ${recordset(eventColumns)}
       ON CONFLICT (event_id) DO UPDATE SET ${updateAll(eventColumns, ['event_id'])} WHERE events.version < EXCLUDED.version`,
      [json(p.eventUpserts)],
    );
  if (p.seatMaps.length)
    await db.query(
      `INSERT INTO event_seat_maps (${names(seatMapColumns)}) SELECT ${names(seatMapColumns)} FROM ${recordset(seatMapColumns)}
       ON CONFLICT DO NOTHING`,
      [json(p.seatMaps)],
    );
  if (p.holdInserts.length)
    await db.query(
      `INSERT INTO holds (${names(holdColumns)}, status) SELECT ${names(holdColumns)}, 'HELD' FROM ${recordset(holdColumns)}
       ON CONFLICT DO NOTHING`,
      [json(p.holdInserts)],
    );
  if (p.holdEnds.length)
    await db.query(
      `UPDATE holds h SET status = r.status, ended_at = r.ended_at, booking_id = r.booking_id
         FROM jsonb_to_recordset($1::jsonb) AS r(hold_id text, status text, ended_at timestamptz, booking_id text)
        WHERE h.hold_id = r.hold_id AND h.status = 'HELD'`,
      [json(p.holdEnds)],
    );
  if (p.bookingInserts.length)
    await db.query(
      `INSERT INTO bookings (${names(bookingColumns)}, status) SELECT ${names(bookingColumns)}, 'CONFIRMED' FROM ${recordset(bookingColumns)}
       ON CONFLICT DO NOTHING`,
      [json(p.bookingInserts)],
    );
  if (p.bookingCancels.length)
    await db.query(
      `UPDATE bookings b SET status = 'CANCELLED', cancelled_at = r.cancelled_at, cancel_reason = r.cancel_reason,
              cancelled_by_operator = r.cancelled_by_operator
         FROM jsonb_to_recordset($1::jsonb) AS r(booking_id text, cancelled_at timestamptz, cancel_reason text, cancelled_by_operator boolean)
        WHERE b.booking_id = r.booking_id AND b.status = 'CONFIRMED'`,
      [json(p.bookingCancels)],
    );
  if (p.availabilityDeletes.length)
    await db.query('DELETE FROM availability WHERE event_id = ANY($1::text[])', [p.availabilityDeletes]);
  if (p.availabilityUpserts.length)
    await db.query(
      `INSERT INTO availability (${names(availabilityColumns)}) SELECT ${names(availabilityColumns)} FROM ${recordset(availabilityColumns)}
       ON CONFLICT (event_id) DO UPDATE SET ${updateAll(availabilityColumns, ['event_id'])}, updated_at = now()
       WHERE availability.version < EXCLUDED.version`,
      [json(p.availabilityUpserts)],
    );
  if (p.decisions.length)
    await db.query(
      `INSERT INTO decisions (${names(decisionColumns)}) SELECT ${names(decisionColumns)} FROM ${recordset(decisionColumns)}
       ON CONFLICT DO NOTHING`,
      [json(p.decisions)],
    );
  if (p.sales.length)
    await db.query(
      `INSERT INTO event_sales (${names(salesColumns)}) SELECT ${names(salesColumns)} FROM ${recordset(salesColumns)}
       ON CONFLICT (event_id) DO UPDATE SET ${salesCounters.map((c) => `${c} = event_sales.${c} + EXCLUDED.${c}`).join(', ')}`,
      [json(p.sales)],
    );
  if (p.seatMapEvents.length)
    // Keep the seat maps an availability snapshot may still refer to: the event's current revision, and those from
    // the snapshot's catalogVersion up (all of them while there is no snapshot yet).
    await db.query(
      `DELETE FROM event_seat_maps m USING events e
        WHERE m.event_id = ANY($1::text[]) AND e.event_id = m.event_id AND m.version < e.version
          AND m.version < COALESCE((SELECT a.catalog_version FROM availability a WHERE a.event_id = m.event_id), -1)`,
      [p.seatMapEvents],
    );
}
