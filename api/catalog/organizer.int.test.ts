/**
 * Organizers' catalog routes through the real app on PostgreSQL, Redis, Kafka and the schema registry: venues and
 * events, publication on catalog.events.v1 (read back from the topic), ownership, roles, the relay, and bad input
 * answered 4xx with stable codes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { definition } from '../../processors/seat-allocation/fixtures.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { cleanUp, endOffsets, readRange, testKafka, type Positions } from '../../connectors/postgres/testing.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { loadCatalogConfig } from './config.js';
import { CatalogPublisher } from './publisher.js';
import {
  customer,
  eventBodyOf,
  fastArgon2,
  organizer,
  removeCatalogOf,
  venueBodyOf,
  type SignedIn,
} from './testing.js';

const kafka = testKafka('seatstream-it-catalog');
const catalogSerde = serdeFor(topics.catalogEvents, createRegistryClient(loadEndpoints().schemaRegistry));

interface OrganizerEvent {
  id: string;
  version: number;
  publishedVersion: number;
  publication: string;
  status: string;
  name: string;
  venueId: string;
  seatCount: number;
  gaCapacity: number;
}

describe('catalog: organizers (PostgreSQL + Redis + Kafka + registry)', () => {
  let h: Harness;
  let a: SignedIn;
  let b: SignedIn;
  const organizers: string[] = [];
  const hall = definition();

  before(async () => {
    h = await startHarness({ env: fastArgon2 });
    a = await organizer(h);
    b = await organizer(h);
    organizers.push(a.user.id, b.user.id);
  });

  after(async () => {
    const eventIds = await removeCatalogOf(h.pool, organizers);
    // Published events leave the compacted catalog topic (and the read models) by tombstone.
    await cleanUp(h.pool, kafka, { eventIds, consumers: [], groupIds: [] });
    await h.close();
  });

  const venue = async (who: SignedIn, def = hall) => {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/organizer/venues',
      token: who.token,
      payload: venueBodyOf(def),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; seatCount: number; gaCapacity: number; version: number; sections: unknown[] };
  };
  const event = async (who: SignedIn, venueId: string, patch: Record<string, unknown> = {}) => {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/organizer/events',
      token: who.token,
      payload: eventBodyOf(hall, venueId, patch),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as OrganizerEvent;
  };
  const catalogEnd = () => endOffsets(kafka, [topics.catalogEvents.name]);
  /** The catalog records of an event written since `from`, decoded. */
  const published = async (from: Positions, eventId: string): Promise<CatalogEvent[]> => {
    const records = await readRange(kafka, from, await catalogEnd());
    return Promise.all(
      records
        .filter((r) => r.key === eventId)
        .map(async (r) => (await catalogSerde.deserialize(r.topic, r.value!)) as CatalogEvent),
    );
  };

  it('creates a venue and an event (a draft, not on the topic); publishing and every later change send the full definition, version + 1', async () => {
    const from = await catalogEnd();
    const v = await venue(a, concertHall({ onSaleAt: Date.now() }));
    assert.equal(v.seatCount, 2979);
    assert.equal(v.gaCapacity, 450);
    const show = await h.inject({ url: `/v1/organizer/venues/${v.id}`, token: a.token });
    assert.deepEqual(show.json(), v);

    const hallDef = concertHall({ onSaleAt: Date.now() });
    const res = await h.inject({
      method: 'POST',
      url: '/v1/organizer/events',
      token: a.token,
      payload: eventBodyOf(hallDef, v.id, { name: 'Jazz Night' }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const draft = res.json() as OrganizerEvent;
    assert.deepEqual(
      [draft.publication, draft.version, draft.publishedVersion, draft.status],
      ['DRAFT', 1, 0, 'SCHEDULED'],
    );
    assert.deepEqual([draft.seatCount, draft.gaCapacity], [2979, 450]);

    const pub = (
      await h.inject({ method: 'POST', url: `/v1/organizer/events/${draft.id}/publish`, token: a.token })
    ).json() as OrganizerEvent;
    assert.deepEqual([pub.publication, pub.version, pub.publishedVersion], ['PUBLISHED', 2, 2]);
    const again = (
      await h.inject({ method: 'POST', url: `/v1/organizer/events/${draft.id}/publish`, token: a.token })
    ).json() as OrganizerEvent;
    assert.equal(again.version, 2, 'publishing twice changes nothing');

    const onSale = await h.inject({
      method: 'POST',
      url: `/v1/organizer/events/${draft.id}/status`,
      token: a.token,
      payload: { status: 'ON_SALE' },
    });
    assert.equal(onSale.statusCode, 200, onSale.body);
    const renamed = await h.inject({
      method: 'PUT',
      url: `/v1/organizer/events/${draft.id}`,
      token: a.token,
      payload: eventBodyOf(hallDef, v.id, { name: 'Jazz Night — encore', maxTicketsPerBuyer: 4 }),
    });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual([renamed.json().version, renamed.json().publication], [4, 'PUBLISHED']);

    const records = await published(from, draft.id);
    assert.deepEqual(
      records.map((r) => [r.version, r.status, r.name, r.maxTicketsPerBuyer]),
      [
        [2, 'SCHEDULED', 'Jazz Night', hallDef.maxTicketsPerBuyer],
        [3, 'ON_SALE', 'Jazz Night', hallDef.maxTicketsPerBuyer],
        [4, 'ON_SALE', 'Jazz Night — encore', 4],
      ],
    );
    const last = records[2]!;
    assert.equal(last.organizerId, a.user.id);
    assert.equal(last.venue.id, v.id);
    assert.equal(last.venue.sections.length, hallDef.venue.sections.length);
    assert.equal(
      last.venue.sections.reduce(
        (n, s) => n + s.rows.reduce((m, r) => m + r.runs.reduce((k, run) => k + run.count, 0), 0),
        0,
      ),
      2979,
    );
    assert.equal(last.currency, 'SAR');
  });

  it('organizer A can neither read nor change organizer B’s venue or event (403 SS_ERR_CATALOG_NOT_OWNER); an admin can', async () => {
    const v = await venue(b);
    const e = await event(b, v.id);
    const attempts = [
      { method: 'GET' as const, url: `/v1/organizer/venues/${v.id}` },
      { method: 'PUT' as const, url: `/v1/organizer/venues/${v.id}`, payload: venueBodyOf(hall, { name: 'Hijacked' }) },
      { method: 'GET' as const, url: `/v1/organizer/events/${e.id}` },
      {
        method: 'PUT' as const,
        url: `/v1/organizer/events/${e.id}`,
        payload: eventBodyOf(hall, v.id, { name: 'Hijacked' }),
      },
      { method: 'POST' as const, url: `/v1/organizer/events/${e.id}/publish` },
      { method: 'POST' as const, url: `/v1/organizer/events/${e.id}/status`, payload: { status: 'CANCELLED' } },
      { method: 'GET' as const, url: `/v1/organizer/events/${e.id}/sales` },
      // An event on B's venue, made by A.
      { method: 'POST' as const, url: '/v1/organizer/events', payload: eventBodyOf(hall, v.id) },
    ];
    for (const x of attempts) {
      const res = await h.inject({ ...x, token: a.token });
      assert.equal(res.statusCode, 403, `${x.method} ${x.url}: ${res.body}`);
      assert.equal(res.json().code, 'SS_ERR_CATALOG_NOT_OWNER');
    }
    // Moving A's event to B's venue is refused too.
    const mine = await event(a, (await venue(a)).id);
    const moved = await h.inject({
      method: 'PUT',
      url: `/v1/organizer/events/${mine.id}`,
      token: a.token,
      payload: eventBodyOf(hall, v.id),
    });
    assert.equal(moved.statusCode, 403);
    assert.equal(moved.json().code, 'SS_ERR_CATALOG_NOT_OWNER');
    // Nothing changed, and A's lists do not show B's things.
    const still = (await h.inject({ url: `/v1/organizer/events/${e.id}`, token: b.token })).json() as OrganizerEvent;
    assert.deepEqual([still.name, still.version, still.publication], [hall.name, 1, 'DRAFT']);
    const list = (await h.inject({ url: '/v1/organizer/events', token: a.token })).json() as {
      items: OrganizerEvent[];
    };
    assert.ok(list.items.every((x) => x.id !== e.id));
    assert.ok(
      (
        (await h.inject({ url: '/v1/organizer/venues', token: a.token })).json() as { items: { id: string }[] }
      ).items.every((x) => x.id !== v.id),
    );

    const admin = await organizer(h, 'admin');
    organizers.push(admin.user.id);
    const byAdmin = await h.inject({
      method: 'PUT',
      url: `/v1/organizer/events/${e.id}`,
      token: admin.token,
      payload: eventBodyOf(hall, v.id, { name: 'Fixed by an admin' }),
    });
    assert.equal(byAdmin.statusCode, 200, byAdmin.body);
    assert.equal(byAdmin.json().name, 'Fixed by an admin');
  });

  it('refuses customers (403 SS_ERR_AUTH_FORBIDDEN), organizers without TOTP (403 SS_ERR_AUTH_MFA_REQUIRED) and anonymous callers (401)', async () => {
    const c = await customer(h);
    const noTotp = await h.register();
    await h.setRole(noTotp, 'organizer');
    const restricted = (await h.login(noTotp)).json() as { accessToken: string };
    const cases: [string | undefined, number, string][] = [
      [c.token, 403, 'SS_ERR_AUTH_FORBIDDEN'],
      [restricted.accessToken, 403, 'SS_ERR_AUTH_MFA_REQUIRED'],
      [undefined, 401, 'SS_ERR_AUTH_TOKEN_MISSING'],
    ];
    for (const [token, status, code] of cases) {
      const res = await h.inject({
        method: 'POST',
        url: '/v1/organizer/venues',
        ...(token ? { token } : {}),
        payload: venueBodyOf(hall),
      });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().code, code);
    }
  });

  it('answers bad input with 4xx and stable codes, never 5xx', async () => {
    const v = await venue(a);
    const e = await event(a, v.id);
    const sections = venueBodyOf(hall).sections as {
      id: string;
      rows?: { id: string; runs: Record<string, unknown>[] }[];
    }[];
    const seatedA = sections[0]!;
    const cases: {
      what: string;
      method: 'GET' | 'POST' | 'PUT';
      url: string;
      payload?: unknown;
      status: number;
      code: string;
    }[] = [
      {
        what: 'unknown field',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { capacity: 3 }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'a string for a number',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { focus: { x: '1', y: 0 } }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: "'-' in a section id",
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { sections: [{ ...seatedA, id: 'A-1' }] }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'numberStep 0',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, {
          sections: [
            { ...seatedA, rows: [{ id: '1', label: 'A', runs: [{ ...seatedA.rows![0]!.runs[0]!, numberStep: 0 }] }] },
          ],
        }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'no sections',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { sections: [] }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'a seat defined twice',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { sections: [seatedA, seatedA] }),
        status: 422,
        code: 'SS_ERR_CATALOG_INVALID_DEFINITION',
      },
      {
        what: 'general admission without a category',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { sections: [{ id: 'GA', name: 'Pit', kind: 'GENERAL_ADMISSION', capacity: 10 }] }),
        status: 422,
        code: 'SS_ERR_CATALOG_INVALID_DEFINITION',
      },
      {
        what: 'a seated section without rows',
        method: 'POST',
        url: '/v1/organizer/venues',
        payload: venueBodyOf(hall, { sections: [{ id: 'S', name: 'Empty', kind: 'SEATED' }] }),
        status: 422,
        code: 'SS_ERR_CATALOG_INVALID_DEFINITION',
      },
      {
        what: 'a price for no category of the venue missing',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, v.id, { priceCategories: hall.priceCategories.slice(1) }),
        status: 422,
        code: 'SS_ERR_CATALOG_INVALID_DEFINITION',
      },
      {
        what: 'sale window backwards',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, v.id, { onSaleAt: '2030-01-02T00:00:00Z', offSaleAt: '2030-01-01T00:00:00Z' }),
        status: 422,
        code: 'SS_ERR_CATALOG_INVALID_DEFINITION',
      },
      {
        what: 'a negative price',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, v.id, { priceCategories: [{ ...hall.priceCategories[0]!, priceMinor: -1 }] }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'a lowercase currency',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, v.id, { currency: 'sar' }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'a date that is not one',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, v.id, { onSaleAt: 'tomorrow' }),
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'an unknown venue',
        method: 'POST',
        url: '/v1/organizer/events',
        payload: eventBodyOf(hall, randomUUID()),
        status: 404,
        code: 'SS_ERR_VENUE_NOT_FOUND',
      },
      {
        what: 'an unknown event',
        method: 'GET',
        url: `/v1/organizer/events/${randomUUID()}`,
        status: 404,
        code: 'SS_ERR_EVENT_NOT_FOUND',
      },
      {
        what: 'a malformed event id',
        method: 'GET',
        url: '/v1/organizer/events/not-a-uuid',
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'an unknown status',
        method: 'POST',
        url: `/v1/organizer/events/${e.id}/status`,
        payload: { status: 'SOLD_OUT' },
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
      {
        what: 'a status for a draft',
        method: 'POST',
        url: `/v1/organizer/events/${e.id}/status`,
        payload: { status: 'ON_SALE' },
        status: 409,
        code: 'SS_ERR_CATALOG_NOT_PUBLISHED',
      },
      {
        what: 'a query parameter nobody declared',
        method: 'GET',
        url: '/v1/organizer/venues?debug=1',
        status: 400,
        code: 'SS_ERR_VALIDATION',
      },
    ];
    for (const c of cases) {
      const res = await h.inject({
        method: c.method,
        url: c.url,
        token: a.token,
        ...(c.payload === undefined ? {} : { payload: c.payload as object }),
      });
      assert.equal(res.statusCode, c.status, `${c.what}: ${res.body}`);
      assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'message'], c.what);
      assert.equal(res.json().code, c.code, `${c.what}: ${res.body}`);
    }
  });

  it('a cancelled event can no longer change (409 SS_ERR_CATALOG_EVENT_CANCELLED)', async () => {
    const v = await venue(a);
    const e = await event(a, v.id);
    await h.inject({ method: 'POST', url: `/v1/organizer/events/${e.id}/publish`, token: a.token });
    const cancelled = await h.inject({
      method: 'POST',
      url: `/v1/organizer/events/${e.id}/status`,
      token: a.token,
      payload: { status: 'CANCELLED' },
    });
    assert.equal(cancelled.json().status, 'CANCELLED');
    for (const x of [
      { method: 'POST' as const, url: `/v1/organizer/events/${e.id}/status`, payload: { status: 'ON_SALE' } },
      { method: 'PUT' as const, url: `/v1/organizer/events/${e.id}`, payload: eventBodyOf(hall, v.id) },
    ]) {
      const res = await h.inject({ ...x, token: a.token });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'SS_ERR_CATALOG_EVENT_CANCELLED');
    }
  });

  it('the relay sends a change whose publication did not happen (Kafka unavailable at the time)', async () => {
    const v = await venue(a);
    const e = await event(a, v.id);
    const pub = (
      await h.inject({ method: 'POST', url: `/v1/organizer/events/${e.id}/publish`, token: a.token })
    ).json() as OrganizerEvent;
    // As if the broker had not acknowledged: the change is committed, its publication pending.
    await h.pool.query('UPDATE catalog_events SET version = version + 1, published_version = $2 WHERE event_id = $1', [
      e.id,
      pub.version,
    ]);
    const pending = (await h.inject({ url: `/v1/organizer/events/${e.id}`, token: a.token })).json() as OrganizerEvent;
    assert.deepEqual(
      [pending.publication, pending.version, pending.publishedVersion],
      ['PENDING', pub.version + 1, pub.version],
    );
    const from = await catalogEnd();
    const config = loadCatalogConfig({});
    const relay = new CatalogPublisher({
      pool: h.pool,
      log: logger('it.catalog'),
      brokers: loadEndpoints().kafka.split(','),
      registry: createRegistryClient(loadEndpoints().schemaRegistry),
      relayIntervalMs: 0,
      sendTimeoutMs: config.publishTimeoutMs,
    });
    try {
      assert.ok((await relay.relay()) >= 1);
    } finally {
      await relay.close();
    }
    const done = (await h.inject({ url: `/v1/organizer/events/${e.id}`, token: a.token })).json() as OrganizerEvent;
    assert.deepEqual([done.publication, done.publishedVersion], ['PUBLISHED', pub.version + 1]);
    assert.deepEqual(
      (await published(from, e.id)).map((r) => r.version),
      [pub.version + 1],
    );
  });
});
