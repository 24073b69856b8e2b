/**
 * ClickHouse as sources of reservation figures (connectors/reconcile): the raw table read with FINAL (what the
 * sink stored), and the models (what the materialized views made of it). Reconciled against the event log, the
 * first shows the sink lost and duplicated nothing, the second that the views counted every decision once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { add, figureKey, measures, type Figures } from '../reconcile/figures.js';
import type { FigureSource } from '../reconcile/reconcile.js';
import { selectRows } from './client.js';
import { sinkTables } from './routes.js';
import { quoteString } from './sql.js';

const n = (v: string | number) => Number(v);

/** `AND event_id IN (…)` for an event filter, nothing without one. */
const events = (ids: readonly string[] | undefined): string =>
  ids === undefined ? '' : ids.length === 0 ? ' AND 0' : ` AND event_id IN (${ids.map(quoteString).join(', ')})`;

/** reservation_events FINAL: decisions, replays and rejections per event. */
export function clickhouseRawSource(
  ch: ClickHouseClient,
  topic: string,
  o: { eventIds?: readonly string[]; name?: string } = {},
): FigureSource {
  return {
    name: o.name ?? 'clickhouse-raw',
    measures: [measures.decisions, measures.replays, measures.rejections],
    async read() {
      const f: Figures = new Map();
      const rows = await selectRows<{
        event_id: string;
        decision: string;
        replay: number;
        cmd: string;
        code: string;
        n: string;
      }>(
        ch,
        `SELECT event_id, decision, replay, rejected_command AS cmd, rejection_code AS code, count() AS n
         FROM ${sinkTables.reservationEvents} FINAL WHERE topic = ${quoteString(topic)}${events(o.eventIds)}
         GROUP BY event_id, decision, replay, cmd, code`,
      );
      for (const r of rows) {
        if (n(r.replay) === 1) {
          add(f, figureKey(measures.replays, r.event_id), n(r.n));
          continue;
        }
        add(f, figureKey(measures.decisions, r.event_id, r.decision), n(r.n));
        if (r.cmd) add(f, figureKey(measures.rejections, r.event_id, r.cmd, r.code), n(r.n));
      }
      return f;
    },
  };
}

/** The materialized views: sales_per_minute, rejections_per_minute, hold_outcomes. */
export function clickhouseModelsSource(
  ch: ClickHouseClient,
  o: { eventIds?: readonly string[]; name?: string } = {},
): FigureSource {
  const where = `WHERE 1${events(o.eventIds)}`;
  return {
    name: o.name ?? 'clickhouse-models',
    measures: [
      measures.decisions,
      measures.replays,
      measures.rejections,
      measures.holds,
      measures.bookings,
      measures.tickets,
      measures.revenue,
    ],
    async read() {
      const f: Figures = new Map();
      const sales = await selectRows<Record<string, string>>(
        ch,
        `SELECT event_id, sum(holds) AS SeatsHeld, sum(bookings) AS BookingConfirmed, sum(cancellations) AS BookingCancelled,
                sum(releases) AS HoldReleased, sum(expiries) AS HoldExpired, sum(replays) AS replays
         FROM sales_per_minute ${where} GROUP BY event_id`,
      );
      for (const r of sales) {
        for (const t of ['SeatsHeld', 'BookingConfirmed', 'BookingCancelled', 'HoldReleased', 'HoldExpired']) {
          add(f, figureKey(measures.decisions, r.event_id!, t), n(r[t]!));
        }
        add(f, figureKey(measures.replays, r.event_id!), n(r.replays!));
      }
      const rejections = await selectRows<{ event_id: string; cmd: string; code: string; n: string }>(
        ch,
        `SELECT event_id, rejected_command AS cmd, rejection_code AS code, sum(rejections) AS n
         FROM rejections_per_minute ${where} GROUP BY event_id, cmd, code`,
      );
      for (const r of rejections) {
        add(f, figureKey(measures.rejections, r.event_id, r.cmd, r.code), n(r.n));
        add(
          f,
          figureKey(measures.decisions, r.event_id, r.cmd === 'HOLD' ? 'HoldRejected' : 'CommandRejected'),
          n(r.n),
        );
      }
      const holds = await selectRows<{
        event_id: string;
        status: string;
        currency: string;
        holds: string;
        tickets: string;
        total: string;
      }>(
        ch,
        `SELECT event_id, status, currency, count() AS holds, sum(seats) AS tickets, sum(total_minor) AS total
         FROM (
           SELECT event_id, hold_id, maxMerge(seats) AS seats, maxMerge(total_minor) AS total_minor, maxMerge(currency) AS currency,
                  multiIf(maxMerge(cancelled_at_ms) > 0, 'cancelled', maxMerge(booked_at_ms) > 0, 'booked',
                          maxMerge(expired_at_ms) > 0, 'expired', maxMerge(released_at_ms) > 0, 'released', 'held') AS status
           FROM hold_outcomes ${where} GROUP BY event_id, hold_id
         )
         GROUP BY event_id, status, currency`,
      );
      for (const r of holds) {
        add(f, figureKey(measures.holds, r.event_id, r.status), n(r.holds));
        if (r.status === 'booked' || r.status === 'cancelled') {
          const confirmed = r.status === 'booked';
          add(f, figureKey(measures.bookings, r.event_id, confirmed ? 'confirmed' : 'cancelled'), n(r.holds));
          add(f, figureKey(measures.tickets, r.event_id, confirmed ? 'sold' : 'cancelled'), n(r.tickets));
          if (confirmed) add(f, figureKey(measures.revenue, r.event_id, r.currency), n(r.total));
        }
      }
      return f;
    },
  };
}
