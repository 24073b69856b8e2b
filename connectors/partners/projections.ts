/**
 * From internal records to what partners read. Pure: no Kafka, no clock, no randomness.
 *
 * Each projection copies what a partner is entitled to, field by field, and nothing else: a field added to an
 * internal schema never reaches a partner until it is added here and to the partner schema. Left out on purpose:
 * the organiser's account id (catalog), buyer ids (replaced by a pseudonym), request ids and trace context,
 * payment references, free-text cancellation reasons, hold durations.
 */
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { PartnerAvailability } from '../../schemas/generated/partner-availability.js';
import type { PartnerBooking } from '../../schemas/generated/partner-booking.js';
import type { PartnerEvent } from '../../schemas/generated/partner-catalog-event.js';
import type { PartnerChannelSales, PartnerSales } from '../../schemas/generated/partner-sales.js';
import type { GeneralAdmissionPlaces, ReservationEvent } from '../../schemas/generated/reservation-event.js';

const ns = 'io.seatstream.partner';

/// Catalog

export function toPartnerEvent(e: CatalogEvent): PartnerEvent {
  return {
    eventId: e.eventId,
    version: e.version,
    title: e.name,
    startsAt: e.startsAt,
    status: e.status,
    onSaleAt: e.onSaleAt,
    offSaleAt: e.offSaleAt,
    maxTicketsPerBuyer: e.maxTicketsPerBuyer,
    currency: e.currency,
    priceCategories: e.priceCategories.map((c) => ({
      priceCategoryId: c.id,
      label: c.name,
      priceMinor: c.priceMinor,
      color: c.color,
    })),
    venue: {
      venueId: e.venue.id,
      label: e.venue.name,
      city: e.venue.city,
      focus: { x: e.venue.focus.x, y: e.venue.focus.y },
      sections: e.venue.sections.map((s) => ({
        sectionId: s.id,
        label: s.name,
        kind: s.kind,
        capacity: s.capacity,
        priceCategoryId: s.priceCategoryId,
        rows: s.rows.map((r) => ({
          rowId: r.id,
          label: r.label,
          runs: r.runs.map((run) => ({
            firstNumber: run.firstNumber,
            count: run.count,
            numberStep: run.numberStep,
            x: run.x,
            y: run.y,
            dx: run.dx,
            dy: run.dy,
            priceCategoryId: run.priceCategoryId,
          })),
        })),
      })),
    },
    updatedAt: e.updatedAt,
  };
}

/// Availability

export function toPartnerAvailability(a: EventAvailability): PartnerAvailability {
  const counts = (c: EventAvailability['totals']) => ({ free: c.free, held: c.held, sold: c.sold, total: c.total });
  return {
    eventId: a.eventId,
    version: a.version,
    asOf: a.asOf,
    catalogVersion: a.catalogVersion,
    totals: counts(a.totals),
    sections: a.sections.map((s) => ({
      sectionId: s.sectionId,
      generalAdmission: s.generalAdmission,
      counts: counts(s.counts),
      seatStatus: s.seatStatus,
    })),
    priceCategories: a.priceCategories.map((p) => ({ priceCategoryId: p.priceCategoryId, counts: counts(p.counts) })),
  };
}

/// Sales

/** The decisions that count as sales, with what they count; undefined for every other decision and for replays. */
export function saleOf(
  e: ReservationEvent,
): { kind: 'booked' | 'cancelled'; tickets: number; channel: string } | undefined {
  if (e.replay) return undefined;
  const channel = e.channel?.string || 'unknown';
  const places = (ga: null | { [k: string]: GeneralAdmissionPlaces }) =>
    ga ? (Object.values(ga)[0]?.quantity ?? 0) : 0;
  const d = e.decision;
  if ('io.seatstream.reservation.BookingConfirmed' in d) {
    const b = d['io.seatstream.reservation.BookingConfirmed'];
    return { kind: 'booked', tickets: b.seats.length + places(b.generalAdmission), channel };
  }
  if ('io.seatstream.reservation.BookingCancelled' in d) {
    const b = d['io.seatstream.reservation.BookingCancelled'];
    return { kind: 'cancelled', tickets: b.seatIds.length + places(b.generalAdmission), channel };
  }
  return undefined;
}

export const emptySales = (eventId: string): PartnerSales => ({
  eventId,
  version: 0,
  asOf: 0,
  bookings: 0,
  cancellations: 0,
  ticketsSold: 0,
  ticketsCancelled: 0,
  ticketsNet: 0,
  byChannel: [],
});

/**
 * The counters after one decision; undefined when the decision changes nothing (not a booking or a cancellation,
 * or a replay of one already counted).
 */
export function countSale(sales: PartnerSales, e: ReservationEvent): PartnerSales | undefined {
  const sale = saleOf(e);
  if (!sale) return undefined;
  const booked = sale.kind === 'booked' ? 1 : 0;
  const cancelled = 1 - booked;
  const add = <T extends Omit<PartnerChannelSales, 'channel'>>(c: T): T => ({
    ...c,
    bookings: c.bookings + booked,
    cancellations: c.cancellations + cancelled,
    ticketsSold: c.ticketsSold + booked * sale.tickets,
    ticketsCancelled: c.ticketsCancelled + cancelled * sale.tickets,
  });
  const existing = sales.byChannel.find((c) => c.channel === sale.channel) ?? {
    channel: sale.channel,
    bookings: 0,
    cancellations: 0,
    ticketsSold: 0,
    ticketsCancelled: 0,
  };
  const totals = add(sales);
  return {
    ...totals,
    version: sales.version + 1,
    asOf: Math.max(sales.asOf, e.occurredAt),
    ticketsNet: totals.ticketsSold - totals.ticketsCancelled,
    byChannel: [...sales.byChannel.filter((c) => c.channel !== sale.channel), add(existing)].sort((a, b) =>
      a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0,
    ),
  };
}

/// Bookings of a partner's channel

/**
 * The record a partner gets for a decision of its channel: a confirmed or cancelled booking with a partnerId, not a
 * replay. `pseudonym` turns the internal buyer id into the partner's buyerRef (pseudonyms.ts).
 */
export function toPartnerBooking(
  e: ReservationEvent,
  pseudonym: (buyerId: string) => string,
): { partnerId: string; booking: PartnerBooking } | undefined {
  const partnerId = e.partnerId?.string;
  if (!partnerId || e.replay) return undefined;
  const places = (ga: null | { [k: string]: GeneralAdmissionPlaces }): PartnerBooking['generalAdmission'] => {
    const p = ga ? Object.values(ga)[0] : undefined;
    return p
      ? {
          [`${ns}.PartnerBookedPlaces`]: {
            sectionId: p.sectionId,
            quantity: p.quantity,
            priceCategoryId: p.priceCategoryId,
            unitPriceMinor: p.unitPriceMinor,
          },
        }
      : null;
  };
  const common = { eventId: e.eventId, partnerId, occurredAt: e.occurredAt };
  const d = e.decision;
  if ('io.seatstream.reservation.BookingConfirmed' in d) {
    const b = d['io.seatstream.reservation.BookingConfirmed'];
    return {
      partnerId,
      booking: {
        bookingId: b.bookingId,
        ...common,
        buyerRef: pseudonym(e.buyerId),
        status: 'CONFIRMED',
        seatIds: b.seats.map((s) => s.seatId),
        seats: b.seats.map((s) => ({
          seatId: s.seatId,
          sectionId: s.sectionId,
          rowLabel: s.rowLabel,
          seatLabel: s.seatLabel,
          priceCategoryId: s.priceCategoryId,
          priceMinor: s.priceMinor,
        })),
        generalAdmission: places(b.generalAdmission),
        totalMinor: b.totalMinor,
        currency: b.currency,
        cancelledByOperator: false,
      },
    };
  }
  if ('io.seatstream.reservation.BookingCancelled' in d) {
    const b = d['io.seatstream.reservation.BookingCancelled'];
    // the envelope's buyerId is who asked (an operator when byOperator); ownerId, where the schema has it, is the
    // buyer who owned the booking
    const owner = (b as { ownerId?: null | { string: string } }).ownerId?.string ?? e.buyerId;
    return {
      partnerId,
      booking: {
        bookingId: b.bookingId,
        ...common,
        buyerRef: pseudonym(owner),
        status: 'CANCELLED',
        seatIds: [...b.seatIds],
        seats: [],
        generalAdmission: places(b.generalAdmission),
        totalMinor: b.totalMinor,
        currency: b.currency,
        cancelledByOperator: b.byOperator,
      },
    };
  }
  return undefined;
}
