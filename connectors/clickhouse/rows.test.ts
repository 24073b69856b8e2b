import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { capacityOf, dateTimeText, decisionTypeOf, eventRow, reservationEventRow } from './rows.js';
import { catalogEvent, OnSaleSimulation } from './testing/onsale-simulation.js';

const meta = { topic: 'reservation.events.v1', partition: 3, offset: 41, timestamp: 1_767_225_600_250 };
const envelope = {
  requestId: 'r-1',
  eventId: 'evt-1',
  buyerId: 'buyer-1',
  occurredAt: 1_767_225_600_000,
  commandIssuedAt: 1_767_225_600_000,
  channel: { string: 'web' },
  partnerId: null,
  traceparent: null,
  replay: false,
};
const seat = (id: string, cat: string, price: number) => ({
  seatId: id,
  sectionId: 'A',
  rowLabel: 'A',
  seatLabel: id,
  priceCategoryId: cat,
  priceMinor: price,
});

describe('reservation event rows', () => {
  it('flattens a seated hold with its lines per price category', () => {
    const e: ReservationEvent = {
      ...envelope,
      decision: {
        'io.seatstream.reservation.SeatsHeld': {
          holdId: 'H-r-1',
          seats: [seat('A-1-1', 'VIP', 900), seat('A-1-2', 'VIP', 900), seat('A-2-1', 'STD', 400)],
          generalAdmission: null,
          totalMinor: 2_200,
          currency: 'SAR',
          expiresAt: 1_767_226_200_000,
        },
      },
    };
    const row = reservationEventRow(meta, e);
    assert.equal(row.decision, 'SeatsHeld');
    assert.equal(row.hold_id, 'H-r-1');
    assert.equal(row.seats, 3);
    assert.equal(row.total_minor, 2_200);
    assert.equal(row.decision_latency_ms, 250);
    assert.equal(row.occurred_at, '2026-01-01T00:00:00.000Z');
    assert.equal(row.channel, 'web');
    assert.equal(row.partner_id, '');
    assert.deepEqual(
      [row.line_category, row.line_quantity, row.line_amount_minor],
      [
        ['VIP', 'STD'],
        [2, 1],
        [1_800, 400],
      ],
    );
    assert.deepEqual([row.topic, row.partition, row.offset, row.replay], ['reservation.events.v1', 3, 41, 0]);
  });

  it('counts general-admission places and prices them by the unit price', () => {
    const ga = {
      'io.seatstream.reservation.GeneralAdmissionPlaces': {
        sectionId: 'GA',
        quantity: 4,
        priceCategoryId: 'PIT',
        unitPriceMinor: 300,
      },
    };
    const row = reservationEventRow(meta, {
      ...envelope,
      decision: {
        'io.seatstream.reservation.BookingConfirmed': {
          bookingId: 'B-r-1',
          holdId: 'H-r-1',
          seats: [],
          generalAdmission: ga,
          paymentReference: 'p',
          totalMinor: 1_200,
          currency: 'SAR',
        },
      },
    });
    assert.deepEqual(
      [row.decision, row.booking_id, row.seats, row.line_category, row.line_quantity, row.line_amount_minor],
      ['BookingConfirmed', 'B-r-1', 4, ['PIT'], [4], [1_200]],
    );
  });

  it('keeps the rejected command and code', () => {
    const hold = reservationEventRow(meta, {
      ...envelope,
      decision: {
        'io.seatstream.reservation.HoldRejected': { code: 'RSV_SOLD_OUT', message: 'sold out', seatIds: [] },
      },
    });
    assert.deepEqual(
      [hold.decision, hold.rejected_command, hold.rejection_code, hold.seats],
      ['HoldRejected', 'HOLD', 'RSV_SOLD_OUT', 0],
    );
    const cmd = reservationEventRow(meta, {
      ...envelope,
      replay: true,
      decision: {
        'io.seatstream.reservation.CommandRejected': {
          command: 'CANCEL_BOOKING',
          code: 'RSV_BOOKING_NOT_FOUND',
          message: 'no',
          holdId: null,
          bookingId: { string: 'B-x' },
        },
      },
    });
    assert.deepEqual(
      [cmd.rejected_command, cmd.rejection_code, cmd.booking_id, cmd.hold_id, cmd.replay],
      ['CANCEL_BOOKING', 'RSV_BOOKING_NOT_FOUND', 'B-x', '', 1],
    );
  });

  it('never gives a negative latency or a time outside what DateTime holds', () => {
    const early = reservationEventRow(
      { ...meta, timestamp: envelope.commandIssuedAt - 5 },
      {
        ...envelope,
        decision: { 'io.seatstream.reservation.HoldRejected': { code: 'RSV_SOLD_OUT', message: '', seatIds: [] } },
      },
    );
    assert.equal(early.decision_latency_ms, 0);
    assert.equal(dateTimeText(-1), '1970-01-01T00:00:00.000Z');
    assert.equal(dateTimeText(9e15), '2106-02-07T06:28:15.000Z');
  });

  it('maps every decision the real allocator makes in a simulated on-sale, with seats and totals consistent', () => {
    const sim = new OnSaleSimulation({ seed: 3, onSaleAt: Date.UTC(2026, 0, 1, 10), holdDurationMs: 20_000 });
    const decisions = sim.simulate(1_500, Date.UTC(2026, 0, 1, 10) - 1_000);
    const seen = new Set<string>();
    for (const [i, d] of decisions.entries()) {
      const row = reservationEventRow({ ...meta, offset: i, timestamp: d.timestamp }, d.value);
      seen.add(row.decision);
      assert.equal(row.decision, decisionTypeOf(d.value));
      assert.equal(row.event_id, d.key);
      if (row.decision === 'SeatsHeld' || row.decision === 'BookingConfirmed') {
        assert.equal(
          row.line_quantity.reduce((a, b) => a + b, 0),
          row.seats,
        );
        assert.equal(
          row.line_amount_minor.reduce((a, b) => a + b, 0),
          row.total_minor,
        );
      }
    }
    assert.deepEqual([...seen].sort(), [
      'BookingCancelled',
      'BookingConfirmed',
      'CommandRejected',
      'HoldExpired',
      'HoldRejected',
      'HoldReleased',
      'SeatsHeld',
    ]);
  });
});

describe('event rows', () => {
  it('takes organizer, currency, categories and capacity from the catalog definition', () => {
    const c = catalogEvent({
      eventId: 'evt-9',
      organizerId: 'org-7',
      name: 'Night',
      onSaleAt: 1_767_225_600_000,
      holdDurationMs: 600_000,
      rows: 3,
      seatsPerRow: 10,
      gaCapacity: 50,
    });
    assert.equal(capacityOf(c), 2 * 3 * 10 + 50);
    const row = eventRow({ topic: 'catalog.events.v1', partition: 1, offset: 5, timestamp: 0 }, c);
    assert.deepEqual(
      [row.event_id, row.organizer_id, row.currency, row.capacity, row.catalog_version],
      ['evt-9', 'org-7', 'SAR', 110, 1],
    );
    assert.deepEqual(row.price_category_ids, ['VIP', 'CAT1', 'CAT2', 'PIT']);
    assert.equal(row.on_sale_at, '2026-01-01T00:00:00.000Z');
    assert.equal(row.city, 'Riyadh');
  });
});
