/**
 * Hand-written values of each catalog schema for the interop tests: every union branch kind they use, non-ASCII text
 * (Arabic), bytes, floats, large longs. Random values (avsc's `random()`) add breadth next to these.
 */
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationCommand } from '../../schemas/generated/reservation-command.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';

const t0 = Date.UTC(2026, 10, 25, 18, 0, 0, 123);

export const catalogEvent: CatalogEvent = {
  eventId: 'evt-riyadh-2026-11-25',
  organizerId: 'org-1',
  name: 'حفل ليلة الرياض — Riyadh Nights',
  startsAt: { long: t0 + 86_400_000 },
  venue: {
    id: 'venue-kafd',
    name: 'KAFD Arena',
    city: { string: 'الرياض' },
    focus: { x: 500, y: -12.5 },
    sections: [
      {
        id: 'A',
        name: 'North Stand, Block A',
        kind: 'SEATED',
        capacity: null,
        priceCategoryId: null,
        rows: [
          {
            id: 'R1',
            label: 'AA',
            runs: [
              { firstNumber: 1, count: 20, numberStep: 1, x: 10, y: 20, dx: 1.5, dy: 0, priceCategoryId: 'CAT1' },
              { firstNumber: 41, count: 10, numberStep: -2, x: 50, y: 20, dx: 1.5, dy: 0.25, priceCategoryId: 'CAT2' },
            ],
          },
        ],
      },
      {
        id: 'PIT',
        name: 'Standing pit',
        kind: 'GENERAL_ADMISSION',
        capacity: { int: 2500 },
        priceCategoryId: { string: 'GA' },
        rows: [],
      },
    ],
  },
  currency: 'SAR',
  priceCategories: [
    { id: 'CAT1', name: 'الفئة الأولى', priceMinor: 75_000, color: { string: '#1f77b4' } },
    { id: 'CAT2', name: 'Category 2', priceMinor: 9_007_199_254_740_990, color: null },
    { id: 'GA', name: 'General admission', priceMinor: 0, color: null },
  ],
  onSaleAt: t0,
  offSaleAt: t0 + 30 * 86_400_000,
  maxTicketsPerBuyer: 6,
  holdDurationMs: 600_000,
  status: 'ON_SALE',
  version: 3,
  updatedAt: t0 - 1,
};

export const reservationCommands: ReservationCommand[] = [
  {
    requestId: 'req-1',
    eventId: catalogEvent.eventId,
    buyerId: 'user-فاطمة',
    issuedAt: t0,
    channel: { string: 'web' },
    partnerId: null,
    traceparent: { string: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    command: { 'io.seatstream.reservation.HoldSeats': { seatIds: ['A-R1-1', 'A-R1-2'] } },
  },
  {
    requestId: 'req-2',
    eventId: catalogEvent.eventId,
    buyerId: 'user-2',
    issuedAt: t0 + 5,
    channel: null,
    partnerId: { string: 'partner-1' },
    traceparent: null,
    command: {
      'io.seatstream.reservation.HoldBestAvailable': {
        quantity: 4,
        sectionId: null,
        priceCategoryId: { string: 'CAT1' },
      },
    },
  },
  {
    requestId: 'req-3',
    eventId: catalogEvent.eventId,
    buyerId: 'user-2',
    issuedAt: t0 + 9,
    channel: { string: 'app' },
    partnerId: null,
    traceparent: null,
    command: { 'io.seatstream.reservation.CancelBooking': { bookingId: 'B-req-0', reason: null, byOperator: true } },
  },
  {
    requestId: 'req-4',
    eventId: catalogEvent.eventId,
    buyerId: 'system',
    issuedAt: t0 + 10,
    channel: { string: 'system' },
    partnerId: null,
    traceparent: null,
    command: { 'io.seatstream.reservation.ExpireHolds': { now: t0 + 10 } },
  },
];

export const reservationEvents: ReservationEvent[] = [
  {
    requestId: 'req-1',
    eventId: catalogEvent.eventId,
    buyerId: 'user-فاطمة',
    occurredAt: t0,
    commandIssuedAt: t0,
    channel: { string: 'web' },
    partnerId: null,
    traceparent: null,
    replay: false,
    decision: {
      'io.seatstream.reservation.SeatsHeld': {
        holdId: 'H-req-1',
        seats: [
          {
            seatId: 'A-R1-1',
            sectionId: 'A',
            rowLabel: 'AA',
            seatLabel: '1',
            priceCategoryId: 'CAT1',
            priceMinor: 75_000,
          },
          {
            seatId: 'A-R1-2',
            sectionId: 'A',
            rowLabel: 'AA',
            seatLabel: '2',
            priceCategoryId: 'CAT1',
            priceMinor: 75_000,
          },
        ],
        generalAdmission: null,
        totalMinor: 150_000,
        currency: 'SAR',
        expiresAt: t0 + 600_000,
      },
    },
  },
  {
    requestId: 'req-5',
    eventId: catalogEvent.eventId,
    buyerId: 'user-3',
    occurredAt: t0 + 20,
    commandIssuedAt: t0 + 19,
    channel: null,
    partnerId: null,
    traceparent: null,
    replay: true,
    decision: {
      'io.seatstream.reservation.HoldRejected': {
        code: 'RSV_SEAT_UNAVAILABLE',
        message: 'seat A-R1-1 is held',
        seatIds: ['A-R1-1'],
      },
    },
  },
  {
    requestId: 'req-6',
    eventId: catalogEvent.eventId,
    buyerId: 'user-4',
    occurredAt: t0 + 30,
    commandIssuedAt: t0 + 30,
    channel: null,
    partnerId: null,
    traceparent: null,
    replay: false,
    decision: {
      'io.seatstream.reservation.HoldReleased': {
        holdId: 'H-req-0',
        seatIds: [],
        generalAdmission: {
          'io.seatstream.reservation.GeneralAdmissionPlaces': {
            sectionId: 'PIT',
            quantity: 2,
            priceCategoryId: 'GA',
            unitPriceMinor: 20_000,
          },
        },
      },
    },
  },
];

export const eventAvailability: EventAvailability = {
  eventId: catalogEvent.eventId,
  version: 42,
  asOf: t0 + 30,
  catalogVersion: 3,
  totals: { free: 2525, held: 3, sold: 2, total: 2530 },
  sections: [
    {
      sectionId: 'A',
      generalAdmission: false,
      counts: { free: 25, held: 3, sold: 2, total: 30 },
      seatStatus: Buffer.from([0b01011000, 0b00000000, 0b10100000, 0xff, 0x00, 0x00, 0x00, 0x00]),
    },
    {
      sectionId: 'PIT',
      generalAdmission: true,
      counts: { free: 2500, held: 0, sold: 0, total: 2500 },
      seatStatus: Buffer.alloc(0),
    },
  ],
  priceCategories: [{ priceCategoryId: 'CAT1', counts: { free: 17, held: 2, sold: 1, total: 20 } }],
};
