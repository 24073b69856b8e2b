/**
 * Tickets of a completed checkout, one per seat or standing place, pure and deterministic: the same booking always
 * gives the same ticket ids and QR payloads.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { GaLine, SeatLine } from '../payments/model.js';
import { signTicket } from './signing.js';

export interface IssuedTicket {
  ticketId: string;
  bookingId: string;
  holdId: string;
  eventId: string;
  buyerId: string;
  seatId: string | null;
  sectionId: string;
  rowLabel: string | null;
  seatLabel: string | null;
  priceMinor: number;
  currency: string;
  qr: string;
}

export const ticketIdFor = (bookingId: string, index: number): string =>
  `T-${createHash('sha256').update(`${bookingId}#${index}`).digest('base64url').slice(0, 22)}`;

export function issueTickets(
  key: KeyObject,
  booking: {
    bookingId: string;
    holdId: string;
    eventId: string;
    buyerId: string;
    currency: string;
    seats: readonly SeatLine[];
    generalAdmission: GaLine | null;
  },
): IssuedTicket[] {
  const base = {
    bookingId: booking.bookingId,
    holdId: booking.holdId,
    eventId: booking.eventId,
    buyerId: booking.buyerId,
    currency: booking.currency,
  };
  const tickets: IssuedTicket[] = booking.seats.map((s, i) => ({
    ...base,
    ticketId: ticketIdFor(booking.bookingId, i),
    seatId: s.seatId,
    sectionId: s.sectionId,
    rowLabel: s.rowLabel,
    seatLabel: s.seatLabel,
    priceMinor: s.priceMinor,
    qr: '',
  }));
  const ga = booking.generalAdmission;
  for (let q = 0; ga && q < ga.quantity; q++)
    tickets.push({
      ...base,
      ticketId: ticketIdFor(booking.bookingId, booking.seats.length + q),
      seatId: null,
      sectionId: ga.sectionId,
      rowLabel: null,
      seatLabel: null,
      priceMinor: ga.unitPriceMinor,
      qr: '',
    });
  for (const t of tickets)
    t.qr = signTicket(key, {
      t: t.ticketId,
      e: t.eventId,
      b: t.bookingId,
      s: t.seatLabel === null ? t.sectionId : `${t.sectionId} ${t.rowLabel} ${t.seatLabel}`,
    });
  return tickets;
}
