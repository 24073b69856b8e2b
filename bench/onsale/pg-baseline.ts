/**
 * The baseline: the same hold semantics written the way most teams would, straight on PostgreSQL with row locks and
 * a connection pool (20 connections), in a schema of its own (`bench_onsale_<run>`, dropped by `close()`).
 *
 *   seats      (event_id, seat_id) primary key, section, rank (distance to the focus, the best-available order),
 *              status free|held|sold, holder, hold_id, hold_expires; partial indexes on the free seats by rank (whole
 *              event and per section), an index on (event_id, holder) for the per-buyer limit, one on hold_id.
 *   holds      one row per hold (buyer, status held|released|confirmed, expiry).
 *   hold_seats the hold's line items, written in the same transaction: the ledger the oversold check reads.
 *
 * Hold specific seats: BEGIN; the buyer's held and sold seats counted (limit); SELECT … FOR UPDATE of the seats in
 * seat-id order (no deadlocks between overlapping requests); any not free → ROLLBACK, RSV_SEAT_UNAVAILABLE; else
 * INSERT hold, UPDATE seats, INSERT line items; COMMIT. Best available: the N free seats of best rank (in the section
 * when one is named) with FOR UPDATE SKIP LOCKED — no adjacency search (the allocator's decider keeps blocks together
 * and avoids orphans; this baseline does not) — fewer than N → RSV_SOLD_OUT. Release and confirm: the hold row FOR
 * UPDATE, owner and state checked, its seats updated. Hold expiry is not swept (the bench's holds outlive its phases).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventDefinition } from '../../processors/seat-allocation/model.js';
import type { OnsaleSystem, OversoldCheck } from './system.js';
import type { Op, Outcome } from './workload.js';

export const PG_POOL_SIZE = 20;

class Rejected extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const schemaDdl = (schema: string) => `
  CREATE SCHEMA ${schema};
  SET search_path TO ${schema};
  CREATE TABLE events (event_id text PRIMARY KEY, max_per_buyer int NOT NULL, hold_ms int NOT NULL);
  CREATE TABLE seats (
    event_id text NOT NULL,
    seat_id text NOT NULL,
    section_id text NOT NULL,
    rank int NOT NULL,
    status text NOT NULL DEFAULT 'free' CHECK (status IN ('free', 'held', 'sold')),
    holder text,
    hold_id text,
    hold_expires timestamptz,
    PRIMARY KEY (event_id, seat_id)
  );
  CREATE INDEX seats_free_by_rank ON seats (event_id, rank) WHERE status = 'free';
  CREATE INDEX seats_free_by_section ON seats (event_id, section_id, rank) WHERE status = 'free';
  CREATE INDEX seats_by_holder ON seats (event_id, holder);
  CREATE INDEX seats_by_hold ON seats (hold_id);
  CREATE TABLE holds (
    hold_id text PRIMARY KEY,
    event_id text NOT NULL,
    buyer_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('held', 'released', 'confirmed')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE hold_seats (
    hold_id text NOT NULL REFERENCES holds,
    event_id text NOT NULL,
    seat_id text NOT NULL,
    PRIMARY KEY (hold_id, seat_id)
  );
  CREATE INDEX hold_seats_by_seat ON hold_seats (event_id, seat_id);`;

/** Every seat of a definition with its section and rank (distance to the focus in 1/1024 units). */
function seatRows(def: EventDefinition) {
  const ids: string[] = [];
  const sections: string[] = [];
  const ranks: number[] = [];
  for (const s of def.venue.sections)
    for (const r of s.rows)
      for (const run of r.runs)
        for (let k = 0; k < run.count; k++) {
          ids.push(`${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`);
          sections.push(s.id);
          ranks.push(
            Math.round(
              Math.hypot(run.x + k * run.dx - def.venue.focus.x, run.y + k * run.dy - def.venue.focus.y) * 1024,
            ),
          );
        }
  return { ids, sections, ranks };
}

export class PgBaseline implements OnsaleSystem {
  readonly name = 'PostgreSQL row locks';
  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  static async create(connectionString: string): Promise<PgBaseline> {
    const schema = `bench_onsale_${randomUUID().slice(0, 8)}`;
    const setup = new pg.Client({ connectionString });
    await setup.connect();
    try {
      await setup.query(schemaDdl(schema));
    } finally {
      await setup.end();
    }
    const pool = new pg.Pool({
      connectionString,
      max: PG_POOL_SIZE,
      application_name: 'bench-onsale-baseline',
      options: `-c search_path=${schema}`,
    });
    pool.on('error', () => undefined);
    return new PgBaseline(pool, schema);
  }

  async prepare(events: readonly EventDefinition[]): Promise<void> {
    for (const def of events) {
      await this.pool.query('INSERT INTO events VALUES ($1, $2, $3)', [
        def.eventId,
        def.maxTicketsPerBuyer,
        def.holdDurationMs,
      ]);
      const { ids, sections, ranks } = seatRows(def);
      for (let i = 0; i < ids.length; i += 10_000)
        await this.pool.query(
          `INSERT INTO seats (event_id, seat_id, section_id, rank)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])`,
          [def.eventId, ids.slice(i, i + 10_000), sections.slice(i, i + 10_000), ranks.slice(i, i + 10_000)],
        );
    }
    await this.pool.query('ANALYZE seats');
  }

  async issue(op: Op): Promise<Outcome> {
    try {
      switch (op.kind) {
        case 'holdSeats':
          return await this.hold(op.eventId, op.buyerId, op.seatIds, null);
        case 'holdBest':
          return await this.hold(op.eventId, op.buyerId, null, { quantity: op.quantity, sectionId: op.sectionId });
        case 'release':
          return await this.finish(op.eventId, op.buyerId, op.holdId, 'released');
        case 'confirm':
          return await this.finish(op.eventId, op.buyerId, op.holdId, 'confirmed');
      }
    } catch (err) {
      if (err instanceof Rejected) return { status: 'rejected', code: err.code };
      throw err;
    }
  }

  private async tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const result = await work(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  private hold(
    eventId: string,
    buyerId: string,
    seatIds: string[] | null,
    best: { quantity: number; sectionId: string | null } | null,
  ): Promise<Outcome> {
    return this.tx(async (c) => {
      const event = await c.query<{ max_per_buyer: number; hold_ms: number }>(
        'SELECT max_per_buyer, hold_ms FROM events WHERE event_id = $1',
        [eventId],
      );
      if (event.rowCount === 0) throw new Rejected('RSV_UNKNOWN_EVENT');
      const { max_per_buyer: limit, hold_ms: holdMs } = event.rows[0]!;
      const wanted = seatIds ? seatIds.length : best!.quantity;
      const owned = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM seats WHERE event_id = $1 AND holder = $2',
        [eventId, buyerId],
      );
      if (owned.rows[0]!.n + wanted > limit) throw new Rejected('RSV_LIMIT_EXCEEDED');
      let chosen: string[];
      if (seatIds) {
        const sorted = [...seatIds].sort();
        const rows = await c.query<{ seat_id: string; status: string }>(
          'SELECT seat_id, status FROM seats WHERE event_id = $1 AND seat_id = ANY($2) ORDER BY seat_id FOR UPDATE',
          [eventId, sorted],
        );
        if (rows.rowCount !== sorted.length) throw new Rejected('RSV_UNKNOWN_SEAT');
        if (rows.rows.some((r) => r.status !== 'free')) throw new Rejected('RSV_SEAT_UNAVAILABLE');
        chosen = sorted;
      } else {
        const rows = best!.sectionId
          ? await c.query<{ seat_id: string }>(
              `SELECT seat_id FROM seats WHERE event_id = $1 AND section_id = $2 AND status = 'free'
               ORDER BY rank, seat_id LIMIT $3 FOR UPDATE SKIP LOCKED`,
              [eventId, best!.sectionId, wanted],
            )
          : await c.query<{ seat_id: string }>(
              `SELECT seat_id FROM seats WHERE event_id = $1 AND status = 'free'
               ORDER BY rank, seat_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
              [eventId, wanted],
            );
        if (rows.rowCount !== wanted) throw new Rejected('RSV_SOLD_OUT');
        chosen = rows.rows.map((r) => r.seat_id);
      }
      const holdId = `H-${randomUUID()}`;
      await c.query(
        `INSERT INTO holds (hold_id, event_id, buyer_id, status, expires_at)
         VALUES ($1, $2, $3, 'held', now() + $4 * interval '1 millisecond')`,
        [holdId, eventId, buyerId, holdMs],
      );
      await c.query(
        `UPDATE seats SET status = 'held', holder = $3, hold_id = $4, hold_expires = now() + $5 * interval '1 millisecond'
         WHERE event_id = $1 AND seat_id = ANY($2)`,
        [eventId, chosen, buyerId, holdId, holdMs],
      );
      await c.query('INSERT INTO hold_seats SELECT $1, $2, unnest($3::text[])', [holdId, eventId, chosen]);
      return { status: 'held', holdId, seatIds: chosen } as const;
    });
  }

  private finish(eventId: string, buyerId: string, holdId: string, to: 'released' | 'confirmed'): Promise<Outcome> {
    return this.tx(async (c) => {
      const hold = await c.query<{ buyer_id: string; status: string; expired: boolean }>(
        'SELECT buyer_id, status, expires_at <= now() AS expired FROM holds WHERE hold_id = $1 AND event_id = $2 FOR UPDATE',
        [holdId, eventId],
      );
      if (hold.rowCount === 0) throw new Rejected('RSV_HOLD_NOT_FOUND');
      const h = hold.rows[0]!;
      if (h.buyer_id !== buyerId) throw new Rejected('RSV_NOT_HOLD_OWNER');
      if (h.status === 'confirmed') throw new Rejected('RSV_HOLD_ALREADY_CONFIRMED');
      if (h.status !== 'held') throw new Rejected('RSV_HOLD_NOT_FOUND');
      if (to === 'confirmed' && h.expired) throw new Rejected('RSV_HOLD_EXPIRED');
      if (to === 'released')
        await c.query(
          `UPDATE seats SET status = 'free', holder = NULL, hold_id = NULL, hold_expires = NULL
           WHERE event_id = $1 AND hold_id = $2`,
          [eventId, holdId],
        );
      else await c.query(`UPDATE seats SET status = 'sold' WHERE event_id = $1 AND hold_id = $2`, [eventId, holdId]);
      await c.query('UPDATE holds SET status = $2 WHERE hold_id = $1', [holdId, to]);
      return to === 'released' ? ({ status: 'released' } as const) : ({ status: 'confirmed' } as const);
    });
  }

  /**
   * From the ledger (holds and their line items), not the seats table: seats in more than one live (held or
   * confirmed) hold; then the seats table compared with the ledger (a seat taken by a hold the ledger does not give
   * it to, or free while a live hold has it).
   */
  async oversold(events: readonly EventDefinition[]): Promise<OversoldCheck> {
    const ids = events.map((e) => e.eventId);
    const twice = await this.pool.query<{ event_id: string; seat_id: string; holds: number }>(
      `SELECT hs.event_id, hs.seat_id, count(*)::int AS holds FROM hold_seats hs JOIN holds h USING (hold_id)
       WHERE hs.event_id = ANY($1) AND h.status IN ('held', 'confirmed')
       GROUP BY hs.event_id, hs.seat_id HAVING count(*) > 1`,
      [ids],
    );
    const mismatch = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM seats s
       LEFT JOIN (SELECT hs.event_id, hs.seat_id, h.hold_id, h.status FROM hold_seats hs JOIN holds h USING (hold_id)
                  WHERE h.status IN ('held', 'confirmed')) l
         ON l.event_id = s.event_id AND l.seat_id = s.seat_id
       WHERE s.event_id = ANY($1)
         AND ((s.status = 'free') <> (l.hold_id IS NULL) OR (s.status <> 'free' AND s.hold_id IS DISTINCT FROM l.hold_id))`,
      [ids],
    );
    const ledger = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM hold_seats WHERE event_id = ANY($1)',
      [ids],
    );
    return {
      oversold: twice.rowCount ?? 0,
      detail: [
        `${ledger.rows[0]!.n} ledger line items read; ${mismatch.rows[0]!.n} seats whose row disagrees with the ledger`,
        ...twice.rows.slice(0, 5).map((r) => `${r.event_id} ${r.seat_id} in ${r.holds} live holds`),
      ],
    };
  }

  async close(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`).catch(() => undefined);
    await this.pool.end();
  }
}
