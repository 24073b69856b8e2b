/**
 * No personal data in partner topics, as far as schemas and projections can prove it without Kafka: every partner
 * schema is walked (no field named like personal or payment data, every field documented), and records projected
 * from internal records that carry personal data in every field a partner must not see — hand-made ones and random
 * ones of the internal schemas — are scanned. The integration tests (test/partners) scan real records read back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { readAvsc } from '../../schemas/avsc.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { partnerBookingsFor, partnerTopics } from '../../topics/catalog.js';
import { luhn, personalDataIn, recordFindings, schemaFindings } from './personal-data.js';
import { countSale, emptySales, toPartnerAvailability, toPartnerBooking, toPartnerEvent } from './projections.js';
import { buyerRef } from './pseudonyms.js';
import { bookingCancelled, bookingConfirmed, catalogEvent, planted } from './testing/fixtures.js';

const partnerSchemas = [...Object.values(partnerTopics), partnerBookingsFor('acme')].map((t) => t.valueSchema!);

describe('partner schemas', () => {
  it('are the four partner schemas, and none names a field like personal or payment data, each field documented', () => {
    assert.deepEqual([...new Set(partnerSchemas)].sort(), [
      'partner-availability.avsc',
      'partner-booking.avsc',
      'partner-catalog-event.avsc',
      'partner-sales.avsc',
    ]);
    for (const file of partnerSchemas) assert.deepEqual(schemaFindings(readAvsc(file).json), [], file);
  });

  it('the walk does catch what it is for (internal schemas name buyers, payments, e-mail)', () => {
    const found = schemaFindings(readAvsc('reservation-event.avsc').json).map((f) => f.path);
    assert.ok(found.some((p) => p.endsWith('paymentReference')));
    assert.ok(
      schemaFindings({
        type: 'record',
        name: 'X',
        fields: [
          { name: 'buyerEmail', type: 'string', doc: 'x' },
          { name: 'first_name', type: 'string', doc: 'x' },
          { name: 'id', type: 'string' },
        ],
      } as never).length === 3,
    );
  });
});

describe('personal data in values', () => {
  it('recognises e-mail addresses, phone numbers and card numbers, not ids, seats or timestamps', () => {
    for (const text of [planted.email, `call ${planted.phone}`, '0501234567', planted.card, '4111 1111 1111 1111'])
      assert.notDeepEqual(personalDataIn(text), [], text);
    for (const text of ['A-R1-12', 'B-7d3e0123-4567-8901-2345-678901234567', '2026-11-25T18:00:00Z', 'SAR', '75000'])
      assert.deepEqual(personalDataIn(text), [], text);
    assert.equal(luhn('4111111111111111'), true);
    assert.equal(luhn('4111111111111112'), false);
  });
});

describe('partner projections of records full of personal data', () => {
  const salt = randomBytes(32);
  const markers = [planted.email, planted.phone, planted.card, planted.personName];

  const check = (label: string, value: unknown, buyerIds: string[] = []) => {
    assert.deepEqual(recordFindings(value), [], label);
    const text = JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
    for (const m of [...markers, ...buyerIds]) assert.ok(!text.includes(m), `${label} carries ${m}`);
  };

  it('hand-made: catalog, bookings and cancellations with planted data come out clean', () => {
    check('catalog', toPartnerEvent(catalogEvent()));
    const buyerId = `buyer ${planted.email}`;
    const confirmed = bookingConfirmed({ eventId: 'e', partnerId: 'acme', buyerId });
    const cancelled = bookingCancelled({ eventId: 'e', partnerId: 'acme', buyerId, bookingId: 'B-1' });
    for (const e of [confirmed, cancelled]) {
      check('booking', toPartnerBooking(e, (b) => buyerRef(salt, b))!.booking, [buyerId]);
      check('sales', countSale(emptySales('e'), e), [buyerId]);
    }
  });

  it('random internal records (avsc random values) with planted data in every personal field come out clean', () => {
    const catalogType = readAvsc('catalog-event.avsc').type;
    const availabilityType = readAvsc('event-availability.avsc').type;
    const decisionType = readAvsc('reservation-event.avsc').type;
    const plant = (i: number) => markers[i % markers.length]!;
    for (let i = 0; i < 300; i++) {
      const c = catalogType.random() as unknown as CatalogEvent;
      c.organizerId = plant(i);
      const e = decisionType.random() as unknown as ReservationEvent;
      e.buyerId = `${plant(i)}-${i}`;
      e.requestId = plant(i + 1);
      e.traceparent = { string: plant(i + 2) };
      e.partnerId = { string: 'acme' };
      e.replay = false;
      const d = Object.values(e.decision)[0] as { paymentReference?: string; reason?: unknown; ownerId?: unknown };
      if ('paymentReference' in d) d.paymentReference = plant(i + 3);
      if ('reason' in d) d.reason = { string: plant(i) };
      const owner = `owner-${plant(i + 1)}-${i}`;
      if ('ownerId' in d) d.ownerId = { string: owner };
      // random strings may look like anything: only the planted markers and buyer ids are looked for here
      const text = (v: unknown) =>
        JSON.stringify(v ?? null, (_k, x: unknown) => (Buffer.isBuffer(x) ? x.toString('latin1') : x));
      const outputs = [
        toPartnerEvent(c),
        toPartnerAvailability(availabilityType.random() as unknown as EventAvailability),
        countSale(emptySales(e.eventId), e),
        toPartnerBooking(e, (b) => buyerRef(salt, b))?.booking,
      ];
      for (const out of outputs) for (const m of [...markers, e.buyerId, owner]) assert.ok(!text(out).includes(m), m);
    }
  });
});
