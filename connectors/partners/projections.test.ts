import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { readAvsc } from '../../schemas/avsc.js';
import { partnerTopics } from '../../topics/catalog.js';
import { countSale, emptySales, toPartnerAvailability, toPartnerBooking, toPartnerEvent } from './projections.js';
import { buyerRef } from './pseudonyms.js';
import { availability, bookingCancelled, bookingConfirmed, catalogEvent, seatsHeld } from './testing/fixtures.js';

const schemaOf = (spec: { valueSchema?: string }) => readAvsc(spec.valueSchema!).type;
const salt = randomBytes(32);
const pseudonym = (buyerId: string) => buyerRef(salt, buyerId);

describe('partner catalog projection', () => {
  it('keeps what partners need, under the partner schema, without the organiser account', () => {
    const e = catalogEvent('evt-1', 4);
    const p = toPartnerEvent(e);
    assert.ok(schemaOf(partnerTopics.catalog).isValid(p));
    assert.equal(p.title, e.name);
    assert.equal(p.version, 4);
    assert.deepEqual(
      p.venue.sections.map((s) => [s.sectionId, s.label, s.kind, s.rows.length]),
      [
        ['A', 'North Stand, Block A', 'SEATED', 1],
        ['PIT', 'Standing pit', 'GENERAL_ADMISSION', 0],
      ],
    );
    assert.deepEqual(p.venue.sections[0]!.rows[0]!.runs[0], e.venue.sections[0]!.rows[0]!.runs[0]);
    assert.ok(!JSON.stringify(p).includes(e.organizerId));
  });
});

describe('partner availability projection', () => {
  it('copies the snapshot (counts and seat bitmaps) under the partner schema', () => {
    const a = availability('evt-1', 7);
    const p = toPartnerAvailability(a);
    assert.ok(schemaOf(partnerTopics.availability).isValid(p));
    assert.deepEqual(p.totals, a.totals);
    assert.ok(p.sections[0]!.seatStatus.equals(a.sections[0]!.seatStatus));
    assert.equal(p.version, 7);
  });
});

describe('partner sales counters', () => {
  const eventId = 'evt-sales';
  const run = (events: Parameters<typeof countSale>[1][]) =>
    events.reduce((s, e) => countSale(s, e) ?? s, emptySales(eventId));

  it('counts bookings and cancellations, tickets (seats and places) and per channel, partners together', () => {
    const web = bookingConfirmed({ eventId, channel: 'web', at: 10 });
    const p1 = bookingConfirmed({ eventId, partnerId: 'acme', places: 3, at: 20 });
    const p2 = bookingConfirmed({ eventId, partnerId: 'tixly', at: 30 });
    const bookingId = Object.values(web.decision)[0]!.bookingId as string;
    const cancel = bookingCancelled({ eventId, channel: 'web', bookingId, at: 40 });
    const s = run([web, seatsHeld({ eventId }), p1, p2, cancel]);
    assert.ok(schemaOf(partnerTopics.sales).isValid(s));
    assert.deepEqual(
      { ...s, byChannel: undefined },
      {
        eventId,
        version: 4,
        asOf: 40,
        bookings: 3,
        cancellations: 1,
        ticketsSold: 7,
        ticketsCancelled: 2,
        ticketsNet: 5,
        byChannel: undefined,
      },
    );
    assert.deepEqual(s.byChannel, [
      { channel: 'partner', bookings: 2, cancellations: 0, ticketsSold: 5, ticketsCancelled: 0 },
      { channel: 'web', bookings: 1, cancellations: 1, ticketsSold: 2, ticketsCancelled: 2 },
    ]);
  });

  it('ignores holds, rejections and replays (a replay changes no state)', () => {
    assert.equal(countSale(emptySales(eventId), seatsHeld({ eventId })), undefined);
    assert.equal(countSale(emptySales(eventId), bookingConfirmed({ eventId, replay: true })), undefined);
  });

  it('names a booking without channel "unknown"', () => {
    assert.deepEqual(
      run([bookingConfirmed({ eventId, channel: null })]).byChannel.map((c) => c.channel),
      ['unknown'],
    );
  });
});

describe('partner bookings', () => {
  it('gives the partner of the channel its confirmed booking, buyer pseudonymous, no payment reference', () => {
    const e = bookingConfirmed({ eventId: 'evt-b', partnerId: 'acme', buyerId: 'buyer-42' });
    const out = toPartnerBooking(e, pseudonym)!;
    assert.equal(out.partnerId, 'acme');
    assert.ok(readAvsc('partner-booking.avsc').type.isValid(out.booking));
    assert.equal(out.booking.status, 'CONFIRMED');
    assert.equal(out.booking.buyerRef, buyerRef(salt, 'buyer-42'));
    assert.notEqual(out.booking.buyerRef, 'buyer-42');
    assert.deepEqual(out.booking.seatIds, ['A-R1-1', 'A-R1-2']);
    assert.equal(out.booking.seats[0]!.priceMinor, 75_000);
    assert.ok(!JSON.stringify(out.booking).includes('buyer-42'));
    assert.ok(!JSON.stringify(out.booking).includes('card'));
  });

  it('gives cancellations (with who cancelled, not why) and general-admission places', () => {
    const c = toPartnerBooking(
      bookingCancelled({ eventId: 'e', partnerId: 'acme', bookingId: 'B-1', byOperator: true }),
      pseudonym,
    )!;
    assert.equal(c.booking.status, 'CANCELLED');
    assert.equal(c.booking.cancelledByOperator, true);
    assert.deepEqual(c.booking.seats, []);
    const ga = toPartnerBooking(bookingConfirmed({ eventId: 'e', partnerId: 'acme', places: 4 }), pseudonym)!;
    assert.deepEqual(ga.booking.generalAdmission, {
      'io.seatstream.partner.PartnerBookedPlaces': {
        sectionId: 'PIT',
        quantity: 4,
        priceCategoryId: 'GA',
        unitPriceMinor: 20_000,
      },
    });
  });

  it("names the booking's owner, not the operator who cancelled it", () => {
    const c = toPartnerBooking(
      bookingCancelled({
        eventId: 'e',
        partnerId: 'acme',
        bookingId: 'B-2',
        byOperator: true,
        buyerId: 'operator-1',
        ownerId: 'buyer-7',
      }),
      pseudonym,
    )!;
    assert.equal(c.booking.buyerRef, buyerRef(salt, 'buyer-7'));
  });

  it('gives nothing for first-party channels, holds and replays', () => {
    assert.equal(toPartnerBooking(bookingConfirmed({ eventId: 'e', channel: 'web' }), pseudonym), undefined);
    assert.equal(toPartnerBooking(seatsHeld({ eventId: 'e', partnerId: 'acme' }), pseudonym), undefined);
    assert.equal(
      toPartnerBooking(bookingConfirmed({ eventId: 'e', partnerId: 'acme', replay: true }), pseudonym),
      undefined,
    );
  });

  it('makes one buyer the same reference for one partner and a different one for another', () => {
    const other = randomBytes(32);
    assert.equal(buyerRef(salt, 'b'), buyerRef(salt, 'b'));
    assert.notEqual(buyerRef(salt, 'b'), buyerRef(other, 'b'));
    assert.notEqual(buyerRef(salt, 'b'), buyerRef(salt, 'c'));
    assert.match(buyerRef(salt, 'b'), /^[A-Za-z0-9_-]{43}$/);
  });
});
