/**
 * Personal data. What SeatStream holds about a person is their e-mail address and name (there is no phone number in
 * the model: no table, form or message carries one; see README.md). Both are sealed at rest: no table of the
 * PostgreSQL schema holds them in clear, in any column or encoding (every text, JSON, array, enum and bytea column of
 * every table is searched, bytea as hex). After a GDPR erasure nothing of the person remains in any table (not their e-mail, name, the
 * ciphertexts, the blind index or the password hash), while their bookings remain, pointing to the user id that is
 * now a pseudonym, and the read models the buyer's pages use still answer for that id.
 *
 * The bookings are made on the real path minus the allocator process: an organizer publishes an event through the
 * API, the real seat-allocation decider decides the buyer's commands, the decisions go to Kafka with the serde, and
 * the read-model sink (in this process) applies them to PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { loadEndpoints } from '../../infra/config.js';
import { availabilityToAvro, decisionToAvro } from '../../processors/seat-allocation/codec.js';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { emptyInventory, type EventInventory } from '../../processors/seat-allocation/inventory.js';
import { isPublished, type ReservationCommand } from '../../processors/seat-allocation/model.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { cleanUp, startTestSink, testKafka, waitApplied, type Positions } from '../../connectors/postgres/testing.js';
import type { PostgresSink } from '../../connectors/postgres/sink.js';
import { tpKey } from '../../connectors/postgres/store.js';
import type { Harness } from '../../api/testing/harness.js';
import { toDefinition } from '../../api/catalog/definition.js';
import { findEvent } from '../../api/catalog/store.js';
import { eventBodyOf, removeCatalogOf, venueBodyOf } from '../../api/catalog/testing.js';
import { securityHarness, signIn, type SignedIn } from './testing.js';

const kafka = testKafka('seatstream-it-security-pii');
const registry = createRegistryClient(loadEndpoints().schemaRegistry);
const reservationSerde = serdeFor(topics.reservationEvents, registry);
const availabilitySerde = serdeFor(topics.eventAvailability, registry);

/**
 * Every text-bearing column of every table of the schema (bytea as hex), searched for the terms (as given: pass the
 * case variants), one pass per table: answers `table: term` for each found. The read models are large on a shared stack,
 * so the scan runs without the pool's statement timeout.
 */
async function findAnywhere(h: Harness, terms: string[]): Promise<string[]> {
  const c = await h.pool.connect();
  try {
    await c.query('BEGIN READ ONLY');
    await c.query('SET LOCAL statement_timeout = 0');
    // Every column that can hold text: text and varchar, JSON, arrays, enums; bytea as hex.
    const { rows: columns } = await c.query<{ table_name: string; expr: string }>(
      `SELECT quote_ident(table_name) AS table_name,
              CASE WHEN data_type = 'bytea' THEN format('encode(%I, ''hex'')', column_name)
                   ELSE format('%I::text', column_name) END AS expr
         FROM information_schema.columns
        WHERE table_schema = 'public'
          AND table_name IN (SELECT table_name FROM information_schema.tables
                              WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
          AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'bytea')
        ORDER BY table_name, ordinal_position`,
    );
    const tables = new Map<string, string[]>();
    for (const col of columns) tables.set(col.table_name, [...(tables.get(col.table_name) ?? []), col.expr]);
    assert.ok(tables.size >= 15, `only ${tables.size} tables with text columns`);
    const like = (t: string) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    const found: string[] = [];
    for (const [name, exprs] of tables) {
      const { rows } = await c.query<{ x: string }>(
        `SELECT x FROM (SELECT concat_ws(' ', ${exprs.join(', ')}) AS x FROM ${name}) s WHERE x LIKE ANY($1::text[]) LIMIT 5`,
        [terms.map(like)],
      );
      for (const { x } of rows) for (const t of terms) if (x.includes(t)) found.push(`${name}: ${t.slice(0, 24)}`);
    }
    return found;
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
}

/** The forms a value may take in a row printed as text: itself, base64, hex (bytea prints as \x…). */
const encodings = (s: string) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')];

describe('security: personal data at rest and its erasure (PostgreSQL, Kafka, read-model sink)', () => {
  let h: Harness;
  let org: SignedIn;
  let buyer: SignedIn;
  let sink: PostgresSink;
  let consumer: string;
  let groupId: string;
  let producer: Producer;
  let eventId: string;
  const email = `Amira.Personal+${randomUUID()}@Example.org`;
  const name = `Amira Haddad-${randomBytes(3).toString('hex')}`;

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
      const count = records.filter((r) => r.topic === m.topicName).length; // one key: one partition per topic
      last.set(tpKey(tp), { ...tp, offset: Number(m.baseOffset) + count - 1 });
    }
    await waitApplied(h.pool, consumer, last);
  };

  before(async () => {
    h = await securityHarness();
    org = await signIn(h, 'organizer');
    buyer = await signIn(h, 'customer', { email, name });
    ({ sink, consumer, groupId } = await startTestSink(h.pool, kafka));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const def = concertHall({ onSaleAt: Date.now() });
    const v = await h.inject({
      method: 'POST',
      url: '/v1/organizer/venues',
      token: org.accessToken,
      payload: venueBodyOf(def),
    });
    assert.equal(v.statusCode, 201, v.body);
    const e = await h.inject({
      method: 'POST',
      url: '/v1/organizer/events',
      token: org.accessToken,
      payload: eventBodyOf(def, v.json().id, { name: 'Privacy Night' }),
    });
    assert.equal(e.statusCode, 201, e.body);
    eventId = e.json().id;
    const p = await h.inject({
      method: 'POST',
      url: `/v1/organizer/events/${eventId}/publish`,
      token: org.accessToken,
    });
    assert.equal(p.statusCode, 200, p.body);

    // The buyer holds two seats and pays for them: decided by the real decider, applied by the real sink.
    const inv: EventInventory = emptyInventory(eventId);
    for (const d of decide(
      { type: 'ApplyCatalog', definition: toDefinition((await findEvent(h.pool, eventId))!) },
      inv,
    ))
      evolve(inv, d);
    const envelope = (n: number) => ({
      requestId: `req-${eventId}-${n}`,
      eventId,
      buyerId: buyer.user.id,
      issuedAt: Date.now(),
      channel: 'web',
      partnerId: null,
      traceparent: null,
    });
    const commands: ((i: EventInventory) => ReservationCommand)[] = [
      (i) => ({ ...envelope(1), type: 'HoldSeats', seatIds: i.map!.seatIds.slice(0, 2) }),
      (i) => ({
        ...envelope(2),
        type: 'ConfirmBooking',
        holdId: [...i.holds.values()].find((x) => x.buyerId === buyer.user.id)!.holdId,
        paymentReference: `pay-${randomUUID()}`,
      }),
    ];
    const records: { topic: string; key: string; value: Buffer }[] = [];
    for (const make of commands)
      for (const d of decide(make(inv), inv)) {
        evolve(inv, d);
        if (isPublished(d))
          records.push({
            topic: topics.reservationEvents.name,
            key: eventId,
            value: await reservationSerde.serialize(topics.reservationEvents.name, decisionToAvro(d)),
          });
      }
    records.push({
      topic: topics.eventAvailability.name,
      key: eventId,
      value: await availabilitySerde.serialize(topics.eventAvailability.name, availabilityToAvro(availabilityOf(inv)!)),
    });
    await produceApplied(records);
  });

  after(async () => {
    try {
      await producer?.disconnect();
      await sink?.stop();
      const eventIds = org ? await removeCatalogOf(h.pool, [org.user.id]) : [];
      if (eventId && !eventIds.includes(eventId)) eventIds.push(eventId);
      if (consumer) await cleanUp(h.pool, kafka, { eventIds, consumers: [consumer], groupIds: [groupId] });
    } finally {
      await h?.close();
    }
  });

  it('the buyer has a booking; their e-mail and name are in no table, in any encoding, only sealed', async () => {
    const mine = await h.inject({ url: '/v1/me/bookings', token: buyer.accessToken });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal((mine.json() as { items: unknown[] }).items.length, 1, mine.body);
    const me = (await h.inject({ url: '/v1/me', token: buyer.accessToken })).json() as { email: string; name: string };
    assert.deepEqual([me.email, me.name], [email, name]);
    const terms = [
      ...encodings(email),
      ...encodings(email.toLowerCase()),
      email.split('@')[0]!,
      name,
      name.split(' ')[1]!,
    ];
    assert.deepEqual(await findAnywhere(h, terms), []);
    const { rows } = await h.pool.query<{ email_enc: string; name_enc: string }>(
      'SELECT email_enc, name_enc FROM users WHERE id = $1',
      [buyer.user.id],
    );
    for (const sealed of [rows[0]!.email_enc, rows[0]!.name_enc]) assert.match(sealed, /^v1\.[A-Za-z0-9_-]+\./);
  });

  it('after erasure nothing of the person remains in any table; the bookings remain, under the pseudonymous id', async () => {
    const { rows: before } = await h.pool.query<{
      email_enc: string;
      name_enc: string;
      email_bidx: Buffer;
      password_hash: string;
    }>('SELECT email_enc, name_enc, email_bidx, password_hash FROM users WHERE id = $1', [buyer.user.id]);
    const traces = [
      before[0]!.email_enc,
      before[0]!.name_enc,
      before[0]!.email_bidx.toString('hex'),
      before[0]!.password_hash,
    ];
    const { rows: booked } = await h.pool.query<{ booking_id: string }>(
      'SELECT booking_id FROM bookings WHERE buyer_id = $1 AND event_id = $2',
      [buyer.user.id, eventId],
    );
    assert.equal(booked.length, 1);

    const erased = await h.inject({
      method: 'DELETE',
      url: '/v1/me',
      token: buyer.accessToken,
      payload: { password: buyer.user.password },
    });
    assert.equal(erased.statusCode, 204, erased.body);

    const terms = [...encodings(email), ...encodings(email.toLowerCase()), email.split('@')[0]!, name, ...traces];
    assert.deepEqual(await findAnywhere(h, terms), []);
    // The pseudonym: the row and its id stay, with nothing personal; the booking points to it.
    const { rows: pseudonym } = await h.pool.query(
      'SELECT email_enc, email_bidx, name_enc, password_hash, totp_secret_enc, erased_at IS NOT NULL AS erased FROM users WHERE id = $1',
      [buyer.user.id],
    );
    assert.deepEqual(pseudonym, [
      { email_enc: null, email_bidx: null, name_enc: null, password_hash: null, totp_secret_enc: null, erased: true },
    ]);
    const { rows: still } = await h.pool.query<{ booking_id: string; buyer_id: string }>(
      'SELECT booking_id, buyer_id FROM bookings WHERE event_id = $1',
      [eventId],
    );
    assert.deepEqual(still, [{ booking_id: booked[0]!.booking_id, buyer_id: buyer.user.id }]);
    // The organizer's sales still count it.
    const sales = await h.inject({ url: `/v1/organizer/events/${eventId}/sales`, token: org.accessToken });
    assert.equal(sales.statusCode, 200, sales.body);
    // At least one: counters add up, and another read-model sink on a shared stack may apply the same records too.
    assert.ok((sales.json() as { bookings: number }).bookings >= 1, sales.body);
  });
});
