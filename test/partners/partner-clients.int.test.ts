/**
 * Partners as they really connect: Debian's kcat and Confluent's Python client, each with a partner's SCRAM
 * credential from the onboarding API, on the SASL listener of the local Kafka, reading records a partner projector
 * made from internal records this test produced (one event of its own; personal data planted in every internal field
 * a partner must not see).
 *
 * - each reads its allowed topics (the three public ones, its own bookings) and decodes the values through the
 *   schema registry: kcat's raw bytes with the writer schema fetched by id over the registry's REST API, Python with
 *   Confluent's AvroDeserializer;
 * - reading reservation.commands.v1 or another partner's bookings, joining a group outside its prefix, and writing
 *   anywhere fail with an authorisation error;
 * - no field of any partner topic carries an e-mail, a name, a phone number or a payment detail: the registered
 *   schemas are walked, every record read is scanned;
 * - a suspended partner already connected is refused within seconds (measured), and reads again once resumed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { loadEndpoints } from '../../infra/config.js';
import { recordFindings, schemaFindings } from '../../connectors/partners/personal-data.js';
import { buyerRef } from '../../connectors/partners/pseudonyms.js';
import {
  availability,
  bookingCancelled,
  bookingConfirmed,
  catalogEvent,
  planted,
} from '../../connectors/partners/testing/fixtures.js';
import { fastArgon2, organizer, type SignedIn } from '../../api/catalog/testing.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { partnerBookingsFor, partnerTopics, subjectFor, topics } from '../../topics/catalog.js';
import { Kcat, runPython, startPython, type ConsumedRecord, type PartnerConnection } from './clients.js';
import {
  decodeThroughRegistry,
  eventually,
  internalKafka,
  onboard,
  produce,
  removePartners,
  saslEndpoints,
  startTestProjector,
  testPartnerId,
  type Onboarded,
  type TestProjector,
} from './testing.js';

const registryUrl = loadEndpoints().schemaRegistry;
const decode = decodeThroughRegistry;

const keyOf = (r: ConsumedRecord) => r.key?.toString('utf8');

describe('partners read with kcat and Confluent Python exactly what they are entitled to', { timeout: 900_000 }, () => {
  let h: Harness;
  let admin: SignedIn;
  let kcat: Kcat;
  let projector: TestProjector | undefined;
  let a: Onboarded;
  let b: Onboarded;
  const ids = [testPartnerId(), testPartnerId()];
  const eventId = `evt-it-partners-${randomUUID()}`;
  const since = Date.now() - 1_000;
  const buyers = { x: `buyer-${randomUUID()}`, y: `buyer-${randomUUID()}` };
  const bookingOfA = `B-${randomUUID()}`;
  /** Every partner record a client decoded, for the personal-data scan. */
  const sampled: { via: string; topic: string; value: unknown }[] = [];

  before(async () => {
    const sasl = saslEndpoints();
    assert.ok(sasl.kafkaSasl, 'the stack names no SASL listener (kafkaSasl): run npm run stack:up');
    h = await startHarness({ env: fastArgon2 });
    admin = await organizer(h, 'admin');
    kcat = await Kcat.create();
    a = await onboard(h, admin.token, ids[0]!);
    b = await onboard(h, admin.token, ids[1]!);
    projector = await startTestProjector(h, (e) => e === eventId);
    const kafka = internalKafka();
    await produce(kafka, [
      { spec: topics.catalogEvents, key: eventId, value: catalogEvent(eventId, 1) },
      { spec: topics.eventAvailability, key: eventId, value: availability(eventId, 1) },
      ...[
        bookingConfirmed({ eventId, partnerId: a.partnerId, buyerId: buyers.x, bookingId: bookingOfA }),
        bookingConfirmed({ eventId, partnerId: a.partnerId, buyerId: buyers.y, places: 3 }),
        bookingConfirmed({ eventId, partnerId: b.partnerId, buyerId: buyers.x }),
        bookingConfirmed({ eventId, channel: 'web', buyerId: buyers.y }),
        bookingCancelled({ eventId, partnerId: a.partnerId, buyerId: buyers.x, bookingId: bookingOfA }),
      ].map((value) => ({ spec: topics.reservationEvents, key: eventId, value })),
    ]);
  });

  after(async () => {
    try {
      await projector?.stop();
      // the test's event leaves the compacted topics (a tombstone is the protocol's "deleted")
      await produce(internalKafka(), [
        { spec: topics.catalogEvents, key: eventId, value: null },
        { spec: topics.eventAvailability, key: eventId, value: null },
      ]).catch(() => undefined);
      if (h && admin) await removePartners(h, admin.token, ids);
    } finally {
      kcat?.close();
      await h?.close();
    }
  });

  /** What `partner` reads of a topic with kcat: this test's event's records, decoded. */
  const kcatRead = async (partner: PartnerConnection, topic: string, min: number) =>
    eventually(
      `${topic} has ${min} record(s) of the test event for ${partner.username}`,
      async () => {
        const r = await kcat.consume(partner, topic, since);
        if (r.code !== 0) throw new Error(`kcat exit ${r.code}: ${r.stderr}`);
        const mine = r.records.filter((x) => keyOf(x) === eventId);
        if (mine.length < min) return undefined;
        const decoded = await Promise.all(mine.map((x) => decode(x.value!)));
        for (const d of decoded) sampled.push({ via: 'kcat', topic, value: d.value });
        return decoded;
      },
      120_000,
    );

  it(`kcat (Debian's) as a partner sees only its topics in the cluster metadata`, async () => {
    assert.deepEqual(
      await kcat.topics(a.connection),
      [...Object.values(partnerTopics).map((t) => t.name), partnerBookingsFor(a.partnerId).name].sort(),
    );
  });

  it('kcat reads the catalog, availability, sales and its own bookings, decoded through the registry', async () => {
    const [event] = await kcatRead(a.connection, partnerTopics.catalog.name, 1);
    assert.equal(event!.value.title, catalogEvent(eventId).name);
    assert.equal((event!.value.venue as { sections: unknown[] }).sections.length, 2);
    const [avail] = await kcatRead(a.connection, partnerTopics.availability.name, 1);
    assert.deepEqual({ ...(avail!.value.totals as object) }, availability(eventId).totals);
    const sales = await kcatRead(a.connection, partnerTopics.sales.name, 5);
    const last = sales.at(-1)!.value;
    assert.deepEqual(
      [last.version, last.bookings, last.cancellations, last.ticketsSold, last.ticketsCancelled, last.ticketsNet],
      [5, 4, 1, 9, 2, 7],
    );
    const bookings = (await kcatRead(a.connection, partnerBookingsFor(a.partnerId).name, 3)).map((d) => d.value);
    assert.deepEqual(
      bookings.map((x) => x.status),
      ['CONFIRMED', 'CONFIRMED', 'CANCELLED'],
    );
    const { rows } = await h.pool.query<{ buyer_salt: Buffer }>(
      'SELECT buyer_salt FROM partners WHERE partner_id = $1',
      [a.partnerId],
    );
    assert.equal(bookings[0]!.buyerRef, buyerRef(rows[0]!.buyer_salt, buyers.x));
    assert.equal(bookings[2]!.buyerRef, bookings[0]!.buyerRef, 'the same buyer, the same reference');
    assert.notEqual(bookings[1]!.buyerRef, bookings[0]!.buyerRef);
    const ofB = await kcatRead(b.connection, partnerBookingsFor(b.partnerId).name, 1);
    assert.notEqual(ofB[0]!.value.buyerRef, bookings[0]!.buyerRef, 'another partner, another reference');
  });

  it("kcat is refused reservation.commands.v1, another partner's bookings, and any write", async () => {
    for (const topic of [topics.reservationCommands.name, partnerBookingsFor(b.partnerId).name]) {
      const r = await kcat.consume(a.connection, topic);
      assert.match(r.stderr, /Topic authorization failed/, topic);
      assert.deepEqual(r.records, [], topic);
    }
    for (const topic of [
      partnerTopics.catalog.name,
      partnerBookingsFor(a.partnerId).name,
      topics.reservationCommands.name,
    ]) {
      const r = await kcat.produce(a.connection, topic);
      assert.notEqual(r.code, 0, topic);
      assert.match(r.stderr, /Topic authorization failed/, topic);
    }
  });

  it('Confluent Python reads the same topics with a group of its prefix, values through AvroDeserializer', async () => {
    const group = `partner.${a.partnerId}.it-${randomUUID().slice(0, 8)}`;
    const read = async (topic: string, min: number, from?: number) => {
      const r = await runPython(a.connection, [
        'read',
        '--topic',
        topic,
        '--group',
        group,
        '--key',
        eventId,
        '--min',
        String(min),
        '--timeout',
        '90',
        ...(from === undefined ? [] : ['--since', String(from)]),
      ]);
      assert.equal(r.code, 0, `${topic}: ${r.stderr}`);
      for (const l of r.lines) sampled.push({ via: 'python', topic, value: l.value });
      return r.lines.map((l) => l.value as Record<string, unknown>);
    };
    assert.equal((await read(partnerTopics.catalog.name, 1, since))[0]!.title, catalogEvent(eventId).name);
    assert.equal((await read(partnerTopics.availability.name, 1, since))[0]!.version, 1);
    assert.equal((await read(partnerTopics.sales.name, 5, since)).at(-1)!.ticketsNet, 7);
    const bookings = await read(partnerBookingsFor(a.partnerId).name, 3);
    assert.deepEqual(
      bookings.map((x) => [x.bookingId === bookingOfA, x.status]),
      [
        [true, 'CONFIRMED'],
        [false, 'CONFIRMED'],
        [true, 'CANCELLED'],
      ],
    );
    // fastavro decodes a timestamp-millis to a datetime, written back as epoch milliseconds
    assert.equal(typeof bookings[0]!.occurredAt, 'number');
  });

  it("Confluent Python is refused reservation.commands.v1, another partner's bookings, a foreign group, writes", async () => {
    const mine = `partner.${a.partnerId}.it-${randomUUID().slice(0, 8)}`;
    const denied = async (args: string[]) => {
      const r = await runPython(a.connection, [...args, '--timeout', '45']);
      assert.equal(r.code, 0, `${args.join(' ')}: ${JSON.stringify(r.lines)} ${r.stderr}`);
      return r.lines[0]!.denied as string;
    };
    assert.equal(
      await denied(['denied-read', '--topic', topics.reservationCommands.name, '--group', mine]),
      'TOPIC_AUTHORIZATION_FAILED',
    );
    assert.equal(
      await denied(['denied-read', '--topic', partnerBookingsFor(b.partnerId).name, '--group', mine]),
      'TOPIC_AUTHORIZATION_FAILED',
    );
    assert.equal(
      await denied(['denied-read', '--topic', partnerTopics.catalog.name, '--group', `partner.${b.partnerId}.x`]),
      'GROUP_AUTHORIZATION_FAILED',
    );
    for (const topic of [partnerTopics.sales.name, partnerBookingsFor(a.partnerId).name])
      assert.equal(await denied(['denied-write', '--topic', topic]), 'TOPIC_AUTHORIZATION_FAILED');
  });

  it('no field of any partner topic carries an e-mail, a name, a phone number or a payment detail', async () => {
    const subjects = [
      ...Object.values(partnerTopics).map(subjectFor),
      ...[a, b].map((p) => subjectFor(partnerBookingsFor(p.partnerId))),
    ];
    for (const subject of subjects) {
      const res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`);
      assert.equal(res.status, 200, subject);
      const { schema } = (await res.json()) as { schema: string };
      assert.deepEqual(schemaFindings(JSON.parse(schema) as avro.Schema), [], subject);
    }
    assert.ok(sampled.length >= 20, `records sampled: ${sampled.length}`);
    const markers = [planted.email, planted.phone, planted.card, planted.personName, buyers.x, buyers.y];
    for (const s of sampled) {
      assert.deepEqual(recordFindings(s.value), [], `${s.via} ${s.topic}`);
      const text = JSON.stringify(s.value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
      for (const m of markers) assert.ok(!text.includes(m), `${s.via} ${s.topic} carries ${m}`);
    }
  });

  it('a suspended partner, already connected, is refused within seconds; resumed, it reads again', async () => {
    const topic = partnerBookingsFor(a.partnerId).name;
    let assigned!: () => void;
    const isAssigned = new Promise<void>((resolve) => (assigned = resolve));
    let deniedAt = 0;
    const watcher = startPython(
      a.connection,
      ['watch', '--topic', topic, '--group', `partner.${a.partnerId}.watch`, '--timeout', '120'],
      (line) => {
        if (line.event === 'assigned') assigned();
        if (line.event === 'denied') deniedAt = line.at as number;
      },
    );
    await isAssigned;
    const t0 = Date.now();
    const res = await h.inject({
      method: 'POST',
      url: `/v1/admin/partners/${a.partnerId}/suspend`,
      token: admin.token,
      payload: { reason: 'integration test' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const done = await watcher.done;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(deniedAt > 0, 'the connected consumer was refused');
    const seconds = (deniedAt - t0) / 1000;
    console.log(
      `# suspension: the connected Confluent consumer was refused ${seconds.toFixed(2)} s after the API answered`,
    );
    // a new connection (kcat) sees nothing and may read nothing
    assert.deepEqual(await kcat.topics(a.connection), []);
    assert.match((await kcat.consume(a.connection, topic)).stderr, /authorization failed/i);

    const resumed = await h.inject({
      method: 'POST',
      url: `/v1/admin/partners/${a.partnerId}/resume`,
      token: admin.token,
    });
    assert.equal(resumed.statusCode, 200, resumed.body);
    await eventually('the resumed partner reads its bookings again', async () => {
      const r = await kcat.consume(a.connection, topic);
      return r.code === 0 && r.records.length >= 3 ? true : undefined;
    });
  });
});
