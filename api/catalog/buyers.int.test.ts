/**
 * What buyers read, end to end on the real stack: organizers publish through the API, the read-model sink (in this
 * process, from the current end of the topics) applies catalog.events.v1 and the reservation and availability
 * records this test produces with the serde (decided by the real seat-allocation decider), and the public and /v1/me
 * routes answer from PostgreSQL. Full-text search in English, French and Arabic; every seat of the seat map;
 * availability per seat; a buyer sees only their own holds and bookings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Producer } from 'kafkajs';
import { loadEndpoints } from '../../infra/config.js';
import { availabilityOf, seatStatusAt } from '../../processors/seat-allocation/availability.js';
import { availabilityToAvro, decisionToAvro } from '../../processors/seat-allocation/codec.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { definition } from '../../processors/seat-allocation/fixtures.js';
import { emptyInventory, type EventInventory } from '../../processors/seat-allocation/inventory.js';
import { isPublished, type EventDefinition, type ReservationCommand } from '../../processors/seat-allocation/model.js';
import { buildSeatMap } from '../../processors/seat-allocation/seatMap.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { cleanUp, startTestSink, testKafka, waitApplied, type Positions } from '../../connectors/postgres/testing.js';
import type { PostgresSink } from '../../connectors/postgres/sink.js';
import { tpKey } from '../../connectors/postgres/store.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { toDefinition } from './definition.js';
import { findEvent as findOrganizerEvent } from './store.js';
import {
  customer,
  eventBodyOf,
  fastArgon2,
  organizer,
  removeCatalogOf,
  venueBodyOf,
  type SignedIn,
} from './testing.js';

const kafka = testKafka('seatstream-it-buyers');
const registry = createRegistryClient(loadEndpoints().schemaRegistry);
const reservationSerde = serdeFor(topics.reservationEvents, registry);
const availabilitySerde = serdeFor(topics.eventAvailability, registry);

interface Summary {
  id: string;
  name: string;
  venue: { city: string | null };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('catalog: what buyers read (read models fed by the sink)', () => {
  let h: Harness;
  let org: SignedIn;
  let sink: PostgresSink;
  let consumer: string;
  let groupId: string;
  let producer: Producer;
  const published: Record<'en' | 'fr' | 'ar' | 'hall', string> = { en: '', fr: '', ar: '', hall: '' };

  /** Creates and publishes an event through the API; answers its id. */
  const publish = async (def: EventDefinition, name: string, city: string) => {
    const v = await h.inject({
      method: 'POST',
      url: '/v1/organizer/venues',
      token: org.token,
      payload: venueBodyOf(def, { city }),
    });
    assert.equal(v.statusCode, 201, v.body);
    const e = await h.inject({
      method: 'POST',
      url: '/v1/organizer/events',
      token: org.token,
      payload: eventBodyOf(def, v.json().id, { name }),
    });
    assert.equal(e.statusCode, 201, e.body);
    const p = await h.inject({ method: 'POST', url: `/v1/organizer/events/${e.json().id}/publish`, token: org.token });
    assert.equal(p.json().publication, 'PUBLISHED', p.body);
    return e.json().id as string;
  };

  /** Waits until the public read model has the event. */
  const visible = async (eventId: string) => {
    for (let i = 0; i < 600; i++) {
      if ((await h.inject({ url: `/v1/events/${eventId}` })).statusCode === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`event ${eventId} never reached the read model`);
  };

  /** Produces records with the serde and waits until the sink applied them. */
  const produceApplied = async (records: { topic: string; key: string; value: Buffer }[]) => {
    const sent = await producer.sendBatch({
      acks: -1,
      topicMessages: [...new Set(records.map((r) => r.topic))].map((topic) => ({
        topic,
        messages: records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })),
      })),
    });
    const last: Positions = new Map();
    for (const m of sent) {
      const tp = { topic: m.topicName, partition: m.partition };
      const count = records.filter((r) => r.topic === m.topicName).length; // one key per call: one partition per topic
      last.set(tpKey(tp), { ...tp, offset: Number(m.baseOffset) + count - 1 });
    }
    await waitApplied(h.pool, consumer, last);
  };

  before(async () => {
    h = await startHarness({ env: fastArgon2 });
    org = await organizer(h);
    ({ sink, consumer, groupId } = await startTestSink(h.pool, kafka));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const hall = definition();
    published.en = await publish(hall, 'Summer Jazz Concerts in the Park', 'Jeddah');
    published.fr = await publish(hall, 'Soirée au Théâtre : musique de chambre', 'Paris');
    published.ar = await publish(hall, 'حفل موسيقى عربية في الرياض', 'الرياض');
    published.hall = await publish(concertHall({ onSaleAt: Date.now() }), 'An Evening of Oud', 'Riyadh');
    for (const id of Object.values(published)) await visible(id);
  });

  after(async () => {
    // Whatever part of before() happened: a hook that throws here would leave the pool open and the file hanging.
    try {
      await producer?.disconnect();
      await sink?.stop();
      const eventIds = org ? await removeCatalogOf(h.pool, [org.user.id]) : [];
      if (consumer) await cleanUp(h.pool, kafka, { eventIds, consumers: [consumer], groupIds: [groupId] });
    } finally {
      await h?.close();
    }
  });

  const search = async (q: string, extra = '') => {
    const res = await h.inject({ url: `/v1/events?q=${encodeURIComponent(q)}&limit=100${extra}` });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as Page<Summary>).items.map((e) => e.id);
  };
  /** Which of this test's events a search finds. */
  const found = async (q: string) => {
    const ids = await search(q);
    return (Object.keys(published) as (keyof typeof published)[]).filter((k) => ids.includes(published[k]));
  };

  it('finds events by English, French and Arabic words, whatever their inflection, accents and letter forms', async () => {
    const cases: [string, (keyof typeof published)[]][] = [
      ['concert', ['en', 'hall']], // the hall's venue is the Riyadh Concert Hall
      ['jazz concerts park', ['en']],
      ['"summer jazz"', ['en']],
      ['théâtre', ['fr']],
      ['theatre musique', ['fr']],
      ['soirées', ['fr']],
      ['حفل', ['ar']],
      ['موسيقى', ['ar']],
      ['الموسيقية', ['ar']],
      ['حَفْلٌ', ['ar']],
      ['الحفلة', ['ar']],
      ['رياض', ['ar']],
      ['oud', ['hall']],
      ['jazz -park', []],
      ['opera', []],
    ];
    for (const [q, expected] of cases) assert.deepEqual(await found(q), expected, `q=${q}`);
  });

  it('pages through results with a cursor, filters by city and start time, and refuses a forged cursor', async () => {
    const ours = (ids: string[]) => ids.filter((id) => Object.values(published).includes(id));
    const all = ours(await search('concert OR théâtre OR حفل OR oud'));
    assert.equal(all.length, 4);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.inject({
        url: `/v1/events?q=${encodeURIComponent('concert OR théâtre OR حفل OR oud')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      });
      const page = res.json() as Page<Summary>;
      assert.ok(page.items.length <= 1);
      walked.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(ours(walked), all, 'pages in order, nothing repeated or skipped');
    assert.equal(new Set(walked).size, walked.length);

    const listed: string[] = [];
    cursor = null;
    do {
      const page = (
        await h.inject({
          url: `/v1/events?limit=2&city=${encodeURIComponent('JEDDAH')}${cursor ? `&cursor=${cursor}` : ''}`,
        })
      ).json() as Page<Summary>;
      listed.push(...page.items.map((e) => e.id));
      assert.ok(page.items.every((e) => e.venue.city?.toLowerCase() === 'jeddah'));
      cursor = page.nextCursor;
    } while (cursor);
    assert.ok(listed.includes(published.en) && !listed.includes(published.fr));
    assert.equal(new Set(listed).size, listed.length);

    const past = await h.inject({
      url: `/v1/events?to=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&q=concert`,
    });
    assert.ok(
      !(past.json() as Page<Summary>).items.some((e) => e.id === published.en),
      'starts in 30 days, not before yesterday',
    );

    for (const url of [
      '/v1/events?cursor=bm90LWEtY3Vyc29y',
      `/v1/events?cursor=${Buffer.from(JSON.stringify({ k: 'events-search', r: '1', s: 'infinity', id: 'x' })).toString('base64url')}`,
    ]) {
      const res = await h.inject({ url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'SS_ERR_INVALID_CURSOR');
    }
    for (const url of [
      '/v1/events?limit=0',
      '/v1/events?limit=1000',
      '/v1/events?from=yesterday',
      `/v1/events?q=${'x'.repeat(201)}`,
      '/v1/events?q=%20',
      '/v1/events?sort=name',
    ]) {
      const res = await h.inject({ url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'SS_ERR_VALIDATION');
    }
    const backwards = await h.inject({ url: '/v1/events?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z' });
    assert.equal(backwards.statusCode, 400);
    assert.equal(backwards.json().code, 'SS_ERR_BAD_REQUEST');
  });

  it('refuses a NUL character in any query parameter with 400 SS_ERR_VALIDATION (PostgreSQL text cannot hold it)', async () => {
    for (const query of ['city=%00', 'q=a%00b', 'cursor=%00', 'city=Riyadh&q=%00']) {
      const res = await h.inject({ url: `/v1/events?${query}` });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json().code, 'SS_ERR_VALIDATION');
    }
  });

  it('never answers 5xx, whatever the query string holds', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('the', '!!!', "'", ':*', '&|!()', '""', '-', 'ـ', '،', '\u0000'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          q: fc.option(text),
          city: fc.option(text),
          cursor: fc.option(fc.oneof(fc.base64String(), text)),
          limit: fc.option(fc.oneof(fc.integer(), text)),
        }),
        async (params) => {
          const query = Object.entries(params)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
            .join('&');
          const res = await h.inject({ url: `/v1/events?${query}` });
          assert.ok(
            res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500),
            `${query}: ${res.statusCode} ${res.body}`,
          );
          if (res.statusCode !== 200) assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'message']);
        },
      ),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('', '/availability', '/availability?seats=taken'), async (id, suffix) => {
        const res = await h.inject({ url: `/v1/events/${encodeURIComponent(id)}${suffix}` });
        assert.ok([400, 404].includes(res.statusCode), `${id}${suffix}: ${res.statusCode} ${res.body}`);
      }),
      { numRuns: 200 },
    );
  });

  it('shows an event with every seat of its map (id, section, row, label, price category, position) in the allocator’s order', async () => {
    const res = await h.inject({ url: `/v1/events/${published.hall}` });
    assert.equal(res.statusCode, 200);
    // Versioned: the ETag is the definition's version, and a matching If-None-Match is a 304.
    assert.equal(res.headers.etag, `"${(res.json() as { version: number }).version}"`);
    const unchanged = await h.inject({
      url: `/v1/events/${published.hall}`,
      headers: { 'if-none-match': res.headers.etag as string },
    });
    assert.deepEqual([unchanged.statusCode, unchanged.body], [304, '']);
    assert.equal(
      (await h.inject({ url: `/v1/events/${published.hall}` })).body,
      res.body,
      'the cached answer is the same',
    );
    const e = res.json() as {
      seatCount: number;
      gaCapacity: number;
      seats: {
        id: string;
        sectionId: string;
        rowId: string;
        row: string;
        label: string;
        priceCategoryId: string;
        x: number;
        y: number;
      }[];
      sections: { id: string; kind: string; seatCount: number; capacity: number | null }[];
      priceCategories: { id: string }[];
    };
    const def = toDefinition((await findOrganizerEvent(h.pool, published.hall))!);
    const map = buildSeatMap(def);
    assert.equal(e.seatCount, map.seatCount);
    assert.deepEqual(
      e.seats.map((s) => s.id),
      map.seatIds,
    );
    assert.deepEqual(
      e.seats.map((s) => [s.label, s.row, s.priceCategoryId]),
      map.seatIds.map((_, i) => [map.seatLabel[i], map.seatRowLabel[i], map.categories[map.seatCategory[i]!]!.id]),
    );
    // Seat k of a run sits at (x + k·dx, y + k·dy).
    const run = def.venue.sections.find((s) => s.kind === 'seated')!.rows[0]!.runs[0]!;
    const first = e.seats
      .filter((s) => s.sectionId === def.venue.sections.find((x) => x.kind === 'seated')!.id)
      .slice(0, run.count);
    first.forEach((s, k) => {
      assert.ok(
        Math.abs(s.x - (run.x + k * run.dx)) < 1e-3 && Math.abs(s.y - (run.y + k * run.dy)) < 1e-3,
        `${s.id} at (${s.x}, ${s.y})`,
      );
    });
    assert.deepEqual(
      e.sections.find((s) => s.kind === 'GENERAL_ADMISSION'),
      {
        id: 'PIT',
        name: 'Standing pit',
        kind: 'GENERAL_ADMISSION',
        capacity: 450,
        priceCategoryId: 'STANDING',
        seatCount: 0,
      },
    );

    for (const [url, status, code] of [
      ['/v1/events/no-such-event', 404, 'SS_ERR_EVENT_NOT_FOUND'],
      ['/v1/events/no-such-event/availability', 404, 'SS_ERR_EVENT_NOT_FOUND'],
      ['/v1/events/bad%20id', 400, 'SS_ERR_VALIDATION'],
      [`/v1/events/${published.hall}/availability?seats=some`, 400, 'SS_ERR_VALIDATION'],
    ] as const) {
      const r = await h.inject({ url });
      assert.equal(r.statusCode, status, `${url}: ${r.body}`);
      assert.equal(r.json().code, code);
    }
  });

  describe('with holds and bookings', () => {
    let buyerA: SignedIn;
    let buyerB: SignedIn;
    let inv: EventInventory;
    let seq = 0;

    /** Decides commands for the hall event with the real decider, produces the decisions and a snapshot. */
    const run = async (commands: ((inv: EventInventory) => ReservationCommand)[]) => {
      const records: { topic: string; key: string; value: Buffer }[] = [];
      for (const make of commands) {
        for (const d of decide(make(inv), inv)) {
          evolve(inv, d);
          if (isPublished(d))
            records.push({
              topic: topics.reservationEvents.name,
              key: published.hall,
              value: await reservationSerde.serialize(topics.reservationEvents.name, decisionToAvro(d)),
            });
        }
      }
      await produceApplied(records);
      await produceApplied([
        {
          topic: topics.eventAvailability.name,
          key: published.hall,
          value: await availabilitySerde.serialize(
            topics.eventAvailability.name,
            availabilityToAvro(availabilityOf(inv)!),
          ),
        },
      ]);
    };
    const envelope = (buyerId: string) => ({
      requestId: `req-${published.hall}-${++seq}`,
      eventId: published.hall,
      buyerId,
      issuedAt: Date.now(),
      channel: 'web',
      partnerId: null,
      traceparent: null,
    });

    before(async () => {
      buyerA = await customer(h);
      buyerB = await customer(h);
      inv = emptyInventory(published.hall);
      const def = toDefinition((await findOrganizerEvent(h.pool, published.hall))!);
      for (const e of decide({ type: 'ApplyCatalog', definition: def }, inv)) evolve(inv, e);
      const seats = inv.map!.seatIds;
      await run([
        () => ({ ...envelope(buyerA.user.id), type: 'HoldSeats', seatIds: seats.slice(0, 2) }),
        () => ({ ...envelope(buyerA.user.id), type: 'HoldSeats', seatIds: seats.slice(10, 13) }),
        () => ({ ...envelope(buyerB.user.id), type: 'HoldSeats', seatIds: seats.slice(20, 21) }),
        () => ({ ...envelope(buyerB.user.id), type: 'HoldSeats', seatIds: seats.slice(0, 1) }), // taken: rejected
        () => ({ ...envelope(buyerB.user.id), type: 'HoldGeneralAdmission', sectionId: 'PIT', quantity: 2 }),
        (i) => ({
          ...envelope(buyerA.user.id),
          type: 'ConfirmBooking',
          holdId: [...i.holds.values()].find((x) => x.buyerId === buyerA.user.id)!.holdId,
          paymentReference: 'pay-a-1',
        }),
      ]);
    });

    it('a buyer reads their own holds and bookings, never another buyer’s', async () => {
      const holdsOf = async (who: SignedIn, query = '') => {
        const res = await h.inject({ url: `/v1/me/holds${query}`, token: who.token });
        assert.equal(res.statusCode, 200, res.body);
        return (
          res.json() as Page<{
            holdId: string;
            status: string;
            tickets: number;
            eventId: string;
            eventName: string | null;
            seats: { seatId: string }[];
          }>
        ).items;
      };
      const bookingsOf = async (who: SignedIn) =>
        (
          (await h.inject({ url: '/v1/me/bookings', token: who.token })).json() as Page<{
            bookingId: string;
            holdId: string;
            paymentReference: string;
            status: string;
            tickets: number;
          }>
        ).items;

      const aHolds = await holdsOf(buyerA);
      const bHolds = await holdsOf(buyerB);
      const expectedOf = (buyerId: string) =>
        [...inv.holds.values(), ...[...inv.bookings.values()].map((b) => ({ holdId: b.holdId, buyerId: b.buyerId }))]
          .filter((x) => x.buyerId === buyerId)
          .map((x) => x.holdId)
          .sort();
      assert.deepEqual(aHolds.map((x) => x.holdId).sort(), expectedOf(buyerA.user.id));
      assert.deepEqual(bHolds.map((x) => x.holdId).sort(), expectedOf(buyerB.user.id));
      assert.equal(aHolds.length, 2);
      assert.equal(bHolds.length, 2);
      assert.deepEqual(aHolds.map((x) => x.status).sort(), ['CONFIRMED', 'HELD']);
      assert.ok(aHolds.every((x) => x.eventId === published.hall && x.eventName === 'An Evening of Oud'));
      assert.deepEqual(
        (await holdsOf(buyerA, '?status=HELD')).map((x) => x.status),
        ['HELD'],
      );
      assert.deepEqual(await holdsOf(buyerA, '?eventId=some-other-event'), []);

      const aBookings = await bookingsOf(buyerA);
      assert.deepEqual(
        aBookings.map((b) => [b.paymentReference, b.status, b.tickets]),
        [['pay-a-1', 'CONFIRMED', 2]],
      );
      assert.deepEqual(await bookingsOf(buyerB), []);

      // Paging one by one gives the same holds.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (
          await h.inject({ url: `/v1/me/holds?limit=1${cursor ? `&cursor=${cursor}` : ''}`, token: buyerB.token })
        ).json() as Page<{ holdId: string }>;
        paged.push(...page.items.map((x) => x.holdId));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        paged,
        bHolds.map((x) => x.holdId),
      );
      // A cursor of one listing is not a cursor of another, and there is no way to name another buyer.
      const holdsCursor = (await h.inject({ url: '/v1/me/holds?limit=1', token: buyerB.token })).json()
        .nextCursor as string;
      const wrong = await h.inject({ url: `/v1/me/bookings?cursor=${holdsCursor}`, token: buyerB.token });
      assert.equal(wrong.json().code, 'SS_ERR_INVALID_CURSOR');
      const named = await h.inject({ url: `/v1/me/holds?buyerId=${buyerA.user.id}`, token: buyerB.token });
      assert.equal(named.statusCode, 400);
      for (const url of ['/v1/me/holds', '/v1/me/bookings']) {
        const anonymous = await h.inject({ url });
        assert.equal(anonymous.statusCode, 401);
        assert.equal(anonymous.json().code, 'SS_ERR_AUTH_TOKEN_MISSING');
      }
    });

    it('answers availability: counts, and every seat’s state from the latest snapshot', async () => {
      const res = await h.inject({ url: `/v1/events/${published.hall}/availability` });
      assert.equal(res.statusCode, 200, res.body);
      const a = res.json() as {
        version: number;
        totals: { free: number; held: number; sold: number; total: number };
        seats: { id: string; status: string }[];
        sections: { sectionId: string; seatStatus: string }[];
      };
      const expected = availabilityOf(inv)!;
      assert.equal(a.version, expected.version);
      assert.equal(res.headers.etag, `"${expected.version}"`);
      const unchanged = await h.inject({
        url: `/v1/events/${published.hall}/availability`,
        headers: { 'if-none-match': `"${expected.version}"` },
      });
      assert.equal(unchanged.statusCode, 304);
      const stale = await h.inject({
        url: `/v1/events/${published.hall}/availability`,
        headers: { 'if-none-match': `"${expected.version - 1}"` },
      });
      assert.equal(stale.statusCode, 200);
      assert.deepEqual(a.totals, expected.totals);
      assert.deepEqual([a.totals.held, a.totals.sold], [3 + 1 + 2, 2]);
      const map = inv.map!;
      assert.equal(a.seats.length, map.seatCount);
      const names = ['FREE', 'HELD', 'SOLD', 'UNAVAILABLE'];
      map.sections.forEach((s) => {
        const packed = expected.sections.find((x) => x.sectionId === s.def.id)!.seatStatus;
        for (let i = 0; i < s.seatEnd - s.seatStart; i++)
          assert.equal(a.seats[s.seatStart + i]!.status, names[seatStatusAt(packed, i)]);
      });
      const taken = (await h.inject({ url: `/v1/events/${published.hall}/availability?seats=taken` })).json() as {
        seats: { id: string; status: string }[];
      };
      assert.deepEqual(
        taken.seats.map((s) => `${s.id}:${s.status}`).sort(),
        [
          ...map.seatIds.slice(0, 2).map((id) => `${id}:SOLD`),
          ...map.seatIds.slice(10, 13).map((id) => `${id}:HELD`),
          `${map.seatIds[20]}:HELD`,
        ].sort(),
      );
      const none = (await h.inject({ url: `/v1/events/${published.hall}/availability?seats=none` })).json() as {
        seats: unknown[];
      };
      assert.deepEqual(none.seats, []);
    });

    it('gives the organizer the event’s sales counters', async () => {
      const res = await h.inject({ url: `/v1/organizer/events/${published.hall}/sales`, token: org.token });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        eventId: published.hall,
        decisions: 6,
        holds: 4,
        rejections: 1,
        releases: 0,
        expiries: 0,
        bookings: 1,
        cancellations: 0,
        ticketsHeld: 3 + 1 + 2,
        ticketsSold: 2,
        revenueMinor: [...inv.bookings.values()][0]!.totalMinor,
      });
    });
  });
});
