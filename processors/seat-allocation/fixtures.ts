/**
 * Test fixtures: a small hall and builders of commands and expected decisions.
 *
 * The hall (focus, i.e. the stage, at (50, 0)):
 *   section A, seated: rows 1..3 (labels AA, BB, CC), one run of 10 seats numbered 1..10 at
 *     x = 5, 15, …, 95 and y = 10·row; row 1 is VIP, rows 2 and 3 STD;
 *   section B, seated: row 1 (label R1), two runs separated by an aisle: seats 1..4 at x = 110..140
 *     and 5..8 at x = 160..190, y = 10, STD;
 *   section GA, general admission: 5 places, category GA.
 * Expected seats are looked up here from the definition, independently of seatMap.ts.
 */
import {
  CancelBooking,
  CatalogApplied,
  CommandEnvelope,
  ConfirmBooking,
  DecisionEnvelope,
  EventDefinition,
  ExpireHolds,
  GaPlaces,
  HeldSeat,
  HoldBestAvailable,
  HoldGeneralAdmission,
  HoldSeats,
  ReleaseHold,
  SeatsHeld,
  holdIdFor,
} from './model.js';

export const EVENT = 'evt-1';
/** The sale opens at T0 and lasts 30 days. */
export const T0 = Date.UTC(2025, 10, 1, 10, 0, 0);
export const DAY = 24 * 60 * 60 * 1000;
export const HOLD_MS = 10 * 60 * 1000;

export function definition(patch: Partial<EventDefinition> = {}): EventDefinition {
  const rowA = (n: number) => ({
    id: String(n),
    label: ['AA', 'BB', 'CC'][n - 1]!,
    runs: [
      {
        firstNumber: 1,
        count: 10,
        numberStep: 1,
        x: 5,
        y: 10 * n,
        dx: 10,
        dy: 0,
        priceCategoryId: n === 1 ? 'VIP' : 'STD',
      },
    ],
  });
  return {
    eventId: EVENT,
    organizerId: 'org-1',
    name: 'Small Hall Concert',
    startsAt: T0 + 60 * DAY,
    venue: {
      id: 'hall',
      name: 'Small Hall',
      city: 'Riyadh',
      focus: { x: 50, y: 0 },
      sections: [
        {
          id: 'A',
          name: 'Stalls',
          kind: 'seated',
          capacity: null,
          priceCategoryId: null,
          rows: [rowA(1), rowA(2), rowA(3)],
        },
        {
          id: 'B',
          name: 'Side',
          kind: 'seated',
          capacity: null,
          priceCategoryId: null,
          rows: [
            {
              id: '1',
              label: 'R1',
              runs: [
                { firstNumber: 1, count: 4, numberStep: 1, x: 110, y: 10, dx: 10, dy: 0, priceCategoryId: 'STD' },
                { firstNumber: 5, count: 4, numberStep: 1, x: 160, y: 10, dx: 10, dy: 0, priceCategoryId: 'STD' },
              ],
            },
          ],
        },
        { id: 'GA', name: 'Standing', kind: 'generalAdmission', capacity: 5, priceCategoryId: 'GA', rows: [] },
      ],
    },
    currency: 'SAR',
    priceCategories: [
      { id: 'VIP', name: 'VIP', priceMinor: 50_000, color: '#d4af37' },
      { id: 'STD', name: 'Standard', priceMinor: 20_000, color: null },
      { id: 'GA', name: 'Standing', priceMinor: 10_000, color: null },
    ],
    onSaleAt: T0,
    offSaleAt: T0 + 30 * DAY,
    maxTicketsPerBuyer: 6,
    holdDurationMs: HOLD_MS,
    status: 'onSale',
    version: 1,
    updatedAt: T0 - DAY,
    ...patch,
  };
}

export const catalogApplied = (def: EventDefinition = definition()): CatalogApplied => ({
  type: 'CatalogApplied',
  definition: def,
});

/// Commands

let sequence = 0;

export interface CommandOptions {
  requestId?: string;
  at?: number;
}

export const envelope = (buyerId: string, o: CommandOptions = {}): CommandEnvelope => ({
  requestId: o.requestId ?? `req-${++sequence}`,
  eventId: EVENT,
  buyerId,
  issuedAt: o.at ?? T0 + 1000,
  channel: 'web',
  partnerId: null,
  traceparent: null,
});

export const holdSeats = (buyerId: string, seatIds: string[], o?: CommandOptions): HoldSeats => ({
  ...envelope(buyerId, o),
  type: 'HoldSeats',
  seatIds,
});

export const holdBest = (
  buyerId: string,
  quantity: number,
  filter: { sectionId?: string; priceCategoryId?: string } = {},
  o?: CommandOptions,
): HoldBestAvailable => ({
  ...envelope(buyerId, o),
  type: 'HoldBestAvailable',
  quantity,
  sectionId: filter.sectionId ?? null,
  priceCategoryId: filter.priceCategoryId ?? null,
});

export const holdGa = (
  buyerId: string,
  sectionId: string,
  quantity: number,
  o?: CommandOptions,
): HoldGeneralAdmission => ({
  ...envelope(buyerId, o),
  type: 'HoldGeneralAdmission',
  sectionId,
  quantity,
});

export const release = (buyerId: string, holdId: string, o?: CommandOptions): ReleaseHold => ({
  ...envelope(buyerId, o),
  type: 'ReleaseHold',
  holdId,
});

export const confirm = (
  buyerId: string,
  holdId: string,
  paymentReference = 'pay-1',
  o?: CommandOptions,
): ConfirmBooking => ({
  ...envelope(buyerId, o),
  type: 'ConfirmBooking',
  holdId,
  paymentReference,
});

export const cancel = (
  buyerId: string,
  bookingId: string,
  o: CommandOptions & { byOperator?: boolean; reason?: string } = {},
): CancelBooking => ({
  ...envelope(buyerId, o),
  type: 'CancelBooking',
  bookingId,
  reason: o.reason ?? null,
  byOperator: o.byOperator ?? false,
});

export const expire = (now: number): ExpireHolds => ({
  ...envelope('system', { requestId: `expire-${now}`, at: now }),
  type: 'ExpireHolds',
  now,
});

/// Expected decisions

export const metaOf = (cmd: CommandEnvelope, patch: Partial<DecisionEnvelope> = {}): DecisionEnvelope => ({
  requestId: cmd.requestId,
  eventId: cmd.eventId,
  buyerId: cmd.buyerId,
  occurredAt: cmd.issuedAt,
  commandIssuedAt: cmd.issuedAt,
  channel: cmd.channel,
  partnerId: cmd.partnerId,
  traceparent: cmd.traceparent,
  replay: false,
  ...patch,
});

/** The seat as a hold carries it, looked up in a definition by parsing its id. */
export function seatOf(seatId: string, def: EventDefinition = definition()): HeldSeat {
  const [sectionId, rowId, num] = seatId.split('-');
  const section = def.venue.sections.find((s) => s.id === sectionId)!;
  const row = section.rows.find((r) => r.id === rowId)!;
  const n = Number(num);
  const run = row.runs.find((r) => {
    const k = (n - r.firstNumber) / r.numberStep;
    return Number.isInteger(k) && k >= 0 && k < r.count;
  })!;
  const category = def.priceCategories.find((c) => c.id === run.priceCategoryId)!;
  return {
    seatId,
    sectionId: section.id,
    rowLabel: row.label,
    seatLabel: String(n),
    priceCategoryId: category.id,
    priceMinor: category.priceMinor,
  };
}

export function seatsHeld(cmd: CommandEnvelope, seatIds: string[], def: EventDefinition = definition()): SeatsHeld {
  const seats = seatIds.map((id) => seatOf(id, def));
  return {
    type: 'SeatsHeld',
    meta: metaOf(cmd),
    holdId: holdIdFor(cmd.requestId),
    seats,
    ga: null,
    totalMinor: seats.reduce((sum, s) => sum + s.priceMinor, 0),
    currency: def.currency,
    expiresAt: cmd.issuedAt + def.holdDurationMs,
  };
}

export function placesHeld(cmd: HoldGeneralAdmission, def: EventDefinition = definition()): SeatsHeld {
  const section = def.venue.sections.find((s) => s.id === cmd.sectionId)!;
  const category = def.priceCategories.find((c) => c.id === section.priceCategoryId)!;
  const ga: GaPlaces = {
    sectionId: cmd.sectionId,
    quantity: cmd.quantity,
    priceCategoryId: category.id,
    unitPriceMinor: category.priceMinor,
  };
  return {
    type: 'SeatsHeld',
    meta: metaOf(cmd),
    holdId: holdIdFor(cmd.requestId),
    seats: [],
    ga,
    totalMinor: cmd.quantity * category.priceMinor,
    currency: def.currency,
    expiresAt: cmd.issuedAt + def.holdDurationMs,
  };
}

/** Seat ids `<section>-<row>-<n>` for n in from..to. */
export const seatRange = (section: string, row: string | number, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, k) => `${section}-${row}-${from + k}`);
