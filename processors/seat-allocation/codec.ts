/**
 * Avro values (schemas/generated/, as avsc decodes them with wrapped unions) ⇄ the seat allocator's
 * domain types (model.ts, availability.ts). Typed against the generated types, so a schema change
 * that the domain does not follow fails to compile here.
 */
import type * as AvroAvailability from '../../schemas/generated/event-availability.js';
import type * as AvroCatalog from '../../schemas/generated/catalog-event.js';
import type * as AvroCommand from '../../schemas/generated/reservation-command.js';
import type * as AvroEvent from '../../schemas/generated/reservation-event.js';
import { Availability, Counts } from './availability.js';
import {
  DecisionEnvelope,
  EventDefinition,
  EventStatus,
  GaPlaces,
  RejectableCommand,
  ReservationCommand,
  ReservationDecision,
  SectionKind,
} from './model.js';

const optional = <T>(v: null | { string: T }): T | null => (v === null ? null : v.string);
const wrap = (s: string | null): null | { string: string } => (s === null ? null : { string: s });

const sectionKinds: Record<AvroCatalog.SectionKind, SectionKind> = {
  SEATED: 'seated',
  GENERAL_ADMISSION: 'generalAdmission',
};
const avroSectionKinds: Record<SectionKind, AvroCatalog.SectionKind> = {
  seated: 'SEATED',
  generalAdmission: 'GENERAL_ADMISSION',
};
const statuses: Record<AvroCatalog.EventStatus, EventStatus> = {
  SCHEDULED: 'scheduled',
  ON_SALE: 'onSale',
  SALE_PAUSED: 'salePaused',
  SALE_ENDED: 'saleEnded',
  CANCELLED: 'cancelled',
};
const avroStatuses: Record<EventStatus, AvroCatalog.EventStatus> = {
  scheduled: 'SCHEDULED',
  onSale: 'ON_SALE',
  salePaused: 'SALE_PAUSED',
  saleEnded: 'SALE_ENDED',
  cancelled: 'CANCELLED',
};
const rejectedCommands: Record<AvroEvent.RejectedCommand, RejectableCommand> = {
  RELEASE_HOLD: 'ReleaseHold',
  CONFIRM_BOOKING: 'ConfirmBooking',
  CANCEL_BOOKING: 'CancelBooking',
};
const avroRejectedCommands: Record<RejectableCommand, AvroEvent.RejectedCommand> = {
  ReleaseHold: 'RELEASE_HOLD',
  ConfirmBooking: 'CONFIRM_BOOKING',
  CancelBooking: 'CANCEL_BOOKING',
};

/// Catalog

export function definitionFromAvro(e: AvroCatalog.CatalogEvent): EventDefinition {
  return {
    eventId: e.eventId,
    organizerId: e.organizerId,
    name: e.name,
    startsAt: e.startsAt === null ? null : e.startsAt.long,
    venue: {
      id: e.venue.id,
      name: e.venue.name,
      city: optional(e.venue.city),
      focus: { x: e.venue.focus.x, y: e.venue.focus.y },
      sections: e.venue.sections.map((s) => ({
        id: s.id,
        name: s.name,
        kind: sectionKinds[s.kind],
        capacity: s.capacity === null ? null : s.capacity.int,
        priceCategoryId: optional(s.priceCategoryId),
        rows: s.rows.map((r) => ({
          id: r.id,
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
    currency: e.currency,
    priceCategories: e.priceCategories.map((c) => ({
      id: c.id,
      name: c.name,
      priceMinor: c.priceMinor,
      color: optional(c.color),
    })),
    onSaleAt: e.onSaleAt,
    offSaleAt: e.offSaleAt,
    maxTicketsPerBuyer: e.maxTicketsPerBuyer,
    holdDurationMs: e.holdDurationMs,
    status: statuses[e.status],
    version: e.version,
    updatedAt: e.updatedAt,
  };
}

export function definitionToAvro(d: EventDefinition): AvroCatalog.CatalogEvent {
  return {
    eventId: d.eventId,
    organizerId: d.organizerId,
    name: d.name,
    startsAt: d.startsAt === null ? null : { long: d.startsAt },
    venue: {
      id: d.venue.id,
      name: d.venue.name,
      city: wrap(d.venue.city),
      focus: { x: d.venue.focus.x, y: d.venue.focus.y },
      sections: d.venue.sections.map((s) => ({
        id: s.id,
        name: s.name,
        kind: avroSectionKinds[s.kind],
        capacity: s.capacity === null ? null : { int: s.capacity },
        priceCategoryId: wrap(s.priceCategoryId),
        rows: s.rows.map((r) => ({ id: r.id, label: r.label, runs: r.runs.map((run) => ({ ...run })) })),
      })),
    },
    currency: d.currency,
    priceCategories: d.priceCategories.map((c) => ({
      id: c.id,
      name: c.name,
      priceMinor: c.priceMinor,
      color: wrap(c.color),
    })),
    onSaleAt: d.onSaleAt,
    offSaleAt: d.offSaleAt,
    maxTicketsPerBuyer: d.maxTicketsPerBuyer,
    holdDurationMs: d.holdDurationMs,
    status: avroStatuses[d.status],
    version: d.version,
    updatedAt: d.updatedAt,
  };
}

/// Commands

export function commandFromAvro(c: AvroCommand.ReservationCommand): ReservationCommand {
  const envelope = {
    requestId: c.requestId,
    eventId: c.eventId,
    buyerId: c.buyerId,
    issuedAt: c.issuedAt,
    channel: optional(c.channel),
    partnerId: optional(c.partnerId),
    traceparent: optional(c.traceparent),
  };
  const u = c.command;
  if ('io.seatstream.reservation.HoldSeats' in u)
    return { ...envelope, type: 'HoldSeats', seatIds: u['io.seatstream.reservation.HoldSeats'].seatIds };
  if ('io.seatstream.reservation.HoldBestAvailable' in u) {
    const v = u['io.seatstream.reservation.HoldBestAvailable'];
    return {
      ...envelope,
      type: 'HoldBestAvailable',
      quantity: v.quantity,
      sectionId: optional(v.sectionId),
      priceCategoryId: optional(v.priceCategoryId),
    };
  }
  if ('io.seatstream.reservation.HoldGeneralAdmission' in u) {
    const v = u['io.seatstream.reservation.HoldGeneralAdmission'];
    return { ...envelope, type: 'HoldGeneralAdmission', sectionId: v.sectionId, quantity: v.quantity };
  }
  if ('io.seatstream.reservation.ReleaseHold' in u)
    return { ...envelope, type: 'ReleaseHold', holdId: u['io.seatstream.reservation.ReleaseHold'].holdId };
  if ('io.seatstream.reservation.ConfirmBooking' in u) {
    const v = u['io.seatstream.reservation.ConfirmBooking'];
    return { ...envelope, type: 'ConfirmBooking', holdId: v.holdId, paymentReference: v.paymentReference };
  }
  if ('io.seatstream.reservation.CancelBooking' in u) {
    const v = u['io.seatstream.reservation.CancelBooking'];
    return {
      ...envelope,
      type: 'CancelBooking',
      bookingId: v.bookingId,
      reason: optional(v.reason),
      byOperator: v.byOperator,
    };
  }
  if ('io.seatstream.reservation.ExpireHolds' in u)
    return { ...envelope, type: 'ExpireHolds', now: u['io.seatstream.reservation.ExpireHolds'].now };
  const _: never = u;
  return _;
}

export function commandToAvro(c: ReservationCommand): AvroCommand.ReservationCommand {
  const envelope = {
    requestId: c.requestId,
    eventId: c.eventId,
    buyerId: c.buyerId,
    issuedAt: c.issuedAt,
    channel: wrap(c.channel),
    partnerId: wrap(c.partnerId),
    traceparent: wrap(c.traceparent),
  };
  switch (c.type) {
    case 'HoldSeats':
      return { ...envelope, command: { 'io.seatstream.reservation.HoldSeats': { seatIds: c.seatIds } } };
    case 'HoldBestAvailable':
      return {
        ...envelope,
        command: {
          'io.seatstream.reservation.HoldBestAvailable': {
            quantity: c.quantity,
            sectionId: wrap(c.sectionId),
            priceCategoryId: wrap(c.priceCategoryId),
          },
        },
      };
    case 'HoldGeneralAdmission':
      return {
        ...envelope,
        command: { 'io.seatstream.reservation.HoldGeneralAdmission': { sectionId: c.sectionId, quantity: c.quantity } },
      };
    case 'ReleaseHold':
      return { ...envelope, command: { 'io.seatstream.reservation.ReleaseHold': { holdId: c.holdId } } };
    case 'ConfirmBooking':
      return {
        ...envelope,
        command: {
          'io.seatstream.reservation.ConfirmBooking': { holdId: c.holdId, paymentReference: c.paymentReference },
        },
      };
    case 'CancelBooking':
      return {
        ...envelope,
        command: {
          'io.seatstream.reservation.CancelBooking': {
            bookingId: c.bookingId,
            reason: wrap(c.reason),
            byOperator: c.byOperator,
          },
        },
      };
    case 'ExpireHolds':
      return { ...envelope, command: { 'io.seatstream.reservation.ExpireHolds': { now: c.now } } };
    default: {
      const _: never = c;
      return _;
    }
  }
}

/// Decisions

type AvroPlaces = AvroEvent.SeatsHeld['generalAdmission'];

const placesToAvro = (ga: GaPlaces | null): AvroPlaces =>
  ga === null ? null : { 'io.seatstream.reservation.GeneralAdmissionPlaces': { ...ga } };
const placesFromAvro = (ga: AvroPlaces): GaPlaces | null =>
  ga === null ? null : { ...ga['io.seatstream.reservation.GeneralAdmissionPlaces'] };

/** The owner of a cancelled booking; a record without ownerId (older writer) names it only when the owner asked. */
const ownerOf = (ownerId: string | null, meta: DecisionEnvelope, byOperator: boolean): string | null =>
  ownerId ?? (byOperator ? null : meta.buyerId);

export function decisionToAvro(d: ReservationDecision): AvroEvent.ReservationEvent {
  const m = d.meta;
  const envelope = {
    requestId: m.requestId,
    eventId: m.eventId,
    buyerId: m.buyerId,
    occurredAt: m.occurredAt,
    commandIssuedAt: m.commandIssuedAt,
    channel: wrap(m.channel),
    partnerId: wrap(m.partnerId),
    traceparent: wrap(m.traceparent),
    replay: m.replay,
  };
  switch (d.type) {
    case 'SeatsHeld':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.SeatsHeld': {
            holdId: d.holdId,
            seats: d.seats.map((s) => ({ ...s })),
            generalAdmission: placesToAvro(d.ga),
            totalMinor: d.totalMinor,
            currency: d.currency,
            expiresAt: d.expiresAt,
          },
        },
      };
    case 'HoldRejected':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.HoldRejected': { code: d.code, message: d.message, seatIds: d.seatIds },
        },
      };
    case 'CommandRejected':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.CommandRejected': {
            command: avroRejectedCommands[d.command],
            code: d.code,
            message: d.message,
            holdId: wrap(d.holdId),
            bookingId: wrap(d.bookingId),
          },
        },
      };
    case 'HoldReleased':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.HoldReleased': {
            holdId: d.holdId,
            seatIds: d.seatIds,
            generalAdmission: placesToAvro(d.ga),
          },
        },
      };
    case 'HoldExpired':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.HoldExpired': {
            holdId: d.holdId,
            seatIds: d.seatIds,
            generalAdmission: placesToAvro(d.ga),
            expiresAt: d.expiresAt,
          },
        },
      };
    case 'BookingConfirmed':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.BookingConfirmed': {
            bookingId: d.bookingId,
            holdId: d.holdId,
            seats: d.seats.map((s) => ({ ...s })),
            generalAdmission: placesToAvro(d.ga),
            paymentReference: d.paymentReference,
            totalMinor: d.totalMinor,
            currency: d.currency,
          },
        },
      };
    case 'BookingCancelled':
      return {
        ...envelope,
        decision: {
          'io.seatstream.reservation.BookingCancelled': {
            bookingId: d.bookingId,
            holdId: d.holdId,
            seatIds: d.seatIds,
            generalAdmission: placesToAvro(d.ga),
            paymentReference: d.paymentReference,
            totalMinor: d.totalMinor,
            currency: d.currency,
            reason: wrap(d.reason),
            byOperator: d.byOperator,
            // A decision remembered in the store (JSON) before ownerId existed has none (undefined).
            ownerId: wrap(ownerOf(d.ownerId ?? null, d.meta, d.byOperator)),
          },
        },
      };
    default: {
      const _: never = d;
      return _;
    }
  }
}

export function decisionFromAvro(e: AvroEvent.ReservationEvent): ReservationDecision {
  const meta: DecisionEnvelope = {
    requestId: e.requestId,
    eventId: e.eventId,
    buyerId: e.buyerId,
    occurredAt: e.occurredAt,
    commandIssuedAt: e.commandIssuedAt,
    channel: optional(e.channel),
    partnerId: optional(e.partnerId),
    traceparent: optional(e.traceparent),
    replay: e.replay,
  };
  const u = e.decision;
  if ('io.seatstream.reservation.SeatsHeld' in u) {
    const v = u['io.seatstream.reservation.SeatsHeld'];
    return {
      type: 'SeatsHeld',
      meta,
      holdId: v.holdId,
      seats: v.seats.map((s) => ({ ...s })),
      ga: placesFromAvro(v.generalAdmission),
      totalMinor: v.totalMinor,
      currency: v.currency,
      expiresAt: v.expiresAt,
    };
  }
  if ('io.seatstream.reservation.HoldRejected' in u) {
    const v = u['io.seatstream.reservation.HoldRejected'];
    return { type: 'HoldRejected', meta, code: v.code, message: v.message, seatIds: v.seatIds };
  }
  if ('io.seatstream.reservation.CommandRejected' in u) {
    const v = u['io.seatstream.reservation.CommandRejected'];
    return {
      type: 'CommandRejected',
      meta,
      command: rejectedCommands[v.command],
      code: v.code,
      message: v.message,
      holdId: optional(v.holdId),
      bookingId: optional(v.bookingId),
    };
  }
  if ('io.seatstream.reservation.HoldReleased' in u) {
    const v = u['io.seatstream.reservation.HoldReleased'];
    return { type: 'HoldReleased', meta, holdId: v.holdId, seatIds: v.seatIds, ga: placesFromAvro(v.generalAdmission) };
  }
  if ('io.seatstream.reservation.HoldExpired' in u) {
    const v = u['io.seatstream.reservation.HoldExpired'];
    return {
      type: 'HoldExpired',
      meta,
      holdId: v.holdId,
      seatIds: v.seatIds,
      ga: placesFromAvro(v.generalAdmission),
      expiresAt: v.expiresAt,
    };
  }
  if ('io.seatstream.reservation.BookingConfirmed' in u) {
    const v = u['io.seatstream.reservation.BookingConfirmed'];
    return {
      type: 'BookingConfirmed',
      meta,
      bookingId: v.bookingId,
      holdId: v.holdId,
      seats: v.seats.map((s) => ({ ...s })),
      ga: placesFromAvro(v.generalAdmission),
      paymentReference: v.paymentReference,
      totalMinor: v.totalMinor,
      currency: v.currency,
    };
  }
  if ('io.seatstream.reservation.BookingCancelled' in u) {
    const v = u['io.seatstream.reservation.BookingCancelled'];
    return {
      type: 'BookingCancelled',
      meta,
      bookingId: v.bookingId,
      holdId: v.holdId,
      seatIds: v.seatIds,
      ga: placesFromAvro(v.generalAdmission),
      paymentReference: v.paymentReference,
      totalMinor: v.totalMinor,
      currency: v.currency,
      reason: optional(v.reason),
      byOperator: v.byOperator,
      ownerId: ownerOf(optional(v.ownerId), meta, v.byOperator),
    };
  }
  const _: never = u;
  return _;
}

/// Availability

const countsToAvro = (c: Counts): AvroAvailability.Counts => ({
  free: c.free,
  held: c.held,
  sold: c.sold,
  total: c.total,
});

export function availabilityToAvro(a: Availability): AvroAvailability.EventAvailability {
  return {
    eventId: a.eventId,
    version: a.version,
    asOf: a.asOf,
    catalogVersion: a.catalogVersion,
    totals: countsToAvro(a.totals),
    sections: a.sections.map((s) => ({
      sectionId: s.sectionId,
      generalAdmission: s.generalAdmission,
      counts: countsToAvro(s.counts),
      seatStatus: Buffer.from(s.seatStatus.buffer, s.seatStatus.byteOffset, s.seatStatus.byteLength),
    })),
    priceCategories: a.priceCategories.map((c) => ({
      priceCategoryId: c.priceCategoryId,
      counts: countsToAvro(c.counts),
    })),
  };
}

export function availabilityFromAvro(a: AvroAvailability.EventAvailability): Availability {
  return {
    eventId: a.eventId,
    version: a.version,
    asOf: a.asOf,
    catalogVersion: a.catalogVersion,
    totals: { ...a.totals },
    sections: a.sections.map((s) => ({
      sectionId: s.sectionId,
      generalAdmission: s.generalAdmission,
      counts: { ...s.counts },
      seatStatus: new Uint8Array(s.seatStatus),
    })),
    priceCategories: a.priceCategories.map((c) => ({ priceCategoryId: c.priceCategoryId, counts: { ...c.counts } })),
  };
}
