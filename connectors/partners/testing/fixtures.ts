/**
 * Internal records for the partner tests, in their generated Avro types. Every internal field that must never reach
 * a partner (buyer id, organiser account, request id, trace context, payment reference, free-text reason) carries
 * personal data on purpose (`planted`), so a test can prove none of it comes out.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogEvent } from '../../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../../schemas/generated/event-availability.js';
import type { BookingCancelled, ReservationEvent } from '../../../schemas/generated/reservation-event.js';

/** Personal data planted in internal fields: none of it may appear in any partner record. */
export const planted = {
  email: 'layla.haddad@example.com',
  phone: '+966 50 123 4567',
  card: '4111111111111111',
  personName: 'Layla Haddad',
};

const t0 = Date.UTC(2026, 10, 25, 18, 0, 0, 0);

export function catalogEvent(eventId: string = `evt-${randomUUID()}`, version = 1): CatalogEvent {
  return {
    eventId,
    organizerId: `${planted.email}`, // an account id is not for partners
    name: 'Riyadh Nights — ليالي الرياض',
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
      { id: 'GA', name: 'General admission', priceMinor: 20_000, color: null },
    ],
    onSaleAt: t0,
    offSaleAt: t0 + 30 * 86_400_000,
    maxTicketsPerBuyer: 6,
    holdDurationMs: 600_000,
    status: 'ON_SALE',
    version,
    updatedAt: t0 + version,
  };
}

export function availability(eventId: string, version = 1): EventAvailability {
  return {
    eventId,
    version,
    asOf: t0 + version,
    catalogVersion: 1,
    totals: { free: 2517, held: 1, sold: 2, total: 2520 },
    sections: [
      {
        sectionId: 'A',
        generalAdmission: false,
        counts: { free: 17, held: 1, sold: 2, total: 20 },
        seatStatus: Buffer.from([0b10100100, 0, 0, 0, 0]),
      },
      {
        sectionId: 'PIT',
        generalAdmission: true,
        counts: { free: 2500, held: 0, sold: 0, total: 2500 },
        seatStatus: Buffer.alloc(0),
      },
    ],
    priceCategories: [{ priceCategoryId: 'CAT1', counts: { free: 17, held: 1, sold: 2, total: 20 } }],
  };
}

interface DecisionOptions {
  eventId: string;
  buyerId?: string;
  partnerId?: string | null;
  channel?: string | null;
  at?: number;
  replay?: boolean;
  requestId?: string;
}

const envelope = (o: DecisionOptions) => ({
  requestId: o.requestId ?? `${planted.email}:${randomUUID()}`,
  eventId: o.eventId,
  buyerId: o.buyerId ?? `buyer-${randomUUID()}`,
  occurredAt: o.at ?? t0 + 1_000,
  commandIssuedAt: (o.at ?? t0 + 1_000) - 3,
  channel: o.channel === null ? null : { string: o.channel ?? (o.partnerId ? 'partner' : 'web') },
  partnerId: o.partnerId ? { string: o.partnerId } : null,
  traceparent: { string: `00-${planted.card}0000000000000000-00f067aa0ba902b7-01` },
  replay: o.replay ?? false,
});

/** A confirmed booking of two seats, or of `places` general-admission places. */
export function bookingConfirmed(o: DecisionOptions & { bookingId?: string; places?: number }): ReservationEvent {
  const bookingId = o.bookingId ?? `B-${randomUUID()}`;
  const seated = o.places === undefined;
  return {
    ...envelope(o),
    decision: {
      'io.seatstream.reservation.BookingConfirmed': {
        bookingId,
        holdId: `H-${bookingId.slice(2)}`,
        seats: seated
          ? [1, 2].map((n) => ({
              seatId: `A-R1-${n}`,
              sectionId: 'A',
              rowLabel: 'AA',
              seatLabel: String(n),
              priceCategoryId: 'CAT1',
              priceMinor: 75_000,
            }))
          : [],
        generalAdmission: seated
          ? null
          : {
              'io.seatstream.reservation.GeneralAdmissionPlaces': {
                sectionId: 'PIT',
                quantity: o.places!,
                priceCategoryId: 'GA',
                unitPriceMinor: 20_000,
              },
            },
        paymentReference: `card ${planted.card} of ${planted.personName}`,
        totalMinor: seated ? 150_000 : 20_000 * o.places!,
        currency: 'SAR',
      },
    },
  };
}

/** A cancellation; by an operator, the envelope's buyer is the operator and `ownerId` the buyer who owned it. */
export function bookingCancelled(
  o: DecisionOptions & { bookingId: string; byOperator?: boolean; ownerId?: string },
): ReservationEvent {
  // ownerId is newer than some versions of the generated type: built loosely, then typed
  const cancelled = {
    bookingId: o.bookingId,
    holdId: `H-${o.bookingId.slice(2)}`,
    seatIds: ['A-R1-1', 'A-R1-2'],
    generalAdmission: null,
    paymentReference: `iban SA0380000000608010167519 ${planted.card}`,
    totalMinor: 150_000,
    currency: 'SAR',
    reason: { string: `${planted.personName} called from ${planted.phone}, write to ${planted.email}` },
    byOperator: o.byOperator ?? false,
    ownerId: o.ownerId ? { string: o.ownerId } : null,
  };
  return {
    ...envelope(o),
    decision: { 'io.seatstream.reservation.BookingCancelled': cancelled as unknown as BookingCancelled },
  };
}

/** A decision that is not a sale (a hold), which partner topics ignore. */
export function seatsHeld(o: DecisionOptions): ReservationEvent {
  return {
    ...envelope(o),
    decision: {
      'io.seatstream.reservation.SeatsHeld': {
        holdId: `H-${randomUUID()}`,
        seats: [
          {
            seatId: 'A-R1-3',
            sectionId: 'A',
            rowLabel: 'AA',
            seatLabel: '3',
            priceCategoryId: 'CAT1',
            priceMinor: 75_000,
          },
        ],
        generalAdmission: null,
        totalMinor: 75_000,
        currency: 'SAR',
        expiresAt: t0 + 600_000,
      },
    },
  };
}
