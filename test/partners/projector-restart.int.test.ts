/**
 * The partner projector keeps its promises across a restart, on the real stack: stopped and started again as the
 * same application, with its state directory gone, it restores its sales counters from the changelog (they go on
 * from where they were, not from zero), resumes after its committed offsets (no booking is routed twice) and routes
 * what arrived while it was down. Records are read back as a partner reads them (kcat, values through the registry).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bookingCancelled, bookingConfirmed } from '../../connectors/partners/testing/fixtures.js';
import { fastArgon2, organizer, type SignedIn } from '../../api/catalog/testing.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { partnerBookingsFor, partnerTopics, topics } from '../../topics/catalog.js';
import { Kcat } from './clients.js';
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

describe('partner projector across a restart (exactly once, state restored)', { timeout: 600_000 }, () => {
  let h: Harness;
  let admin: SignedIn;
  let partner: Onboarded;
  let kcat: Kcat;
  let projector: TestProjector | undefined;
  const id = testPartnerId();
  const tag = randomUUID().slice(0, 8);
  const eventId = `evt-it-restart-${randomUUID()}`;
  const since = Date.now() - 1_000;
  const only = (e: string) => e === eventId;
  const first = `B-${randomUUID()}`;

  /** The test event's records of a topic, decoded, once there are `count` of them. */
  const read = (topic: string, count: number) =>
    eventually(
      `${count} record(s) on ${topic}`,
      async () => {
        const r = await kcat.consume(partner.connection, topic, since);
        const mine = r.records.filter((x) => x.key?.toString() === eventId);
        if (mine.length < count) return undefined;
        return Promise.all(mine.map(async (x) => (await decodeThroughRegistry(x.value!)).value));
      },
      120_000,
    );

  before(async () => {
    assert.ok(saslEndpoints().kafkaSasl, 'the stack names no SASL listener (kafkaSasl): run npm run stack:up');
    h = await startHarness({ env: fastArgon2 });
    admin = await organizer(h, 'admin');
    kcat = await Kcat.create();
    partner = await onboard(h, admin.token, id);
  });

  after(async () => {
    try {
      await projector?.stop();
      if (h && admin) await removePartners(h, admin.token, [id]);
    } finally {
      kcat?.close();
      await h?.close();
    }
  });

  it('counts and routes, stops, misses nothing while down, and neither restarts from zero nor repeats', async () => {
    projector = await startTestProjector(h, only, tag);
    await produce(internalKafka(), [
      {
        spec: topics.reservationEvents,
        key: eventId,
        value: bookingConfirmed({ eventId, partnerId: id, bookingId: first }),
      },
      { spec: topics.reservationEvents, key: eventId, value: bookingConfirmed({ eventId, channel: 'app' }) },
    ]);
    const before = await read(partnerTopics.sales.name, 2);
    assert.deepEqual([before.at(-1)!.version, before.at(-1)!.bookings], [2, 2]);
    assert.equal((await read(partnerBookingsFor(id).name, 1)).length, 1);

    await projector.stop({ keep: true });
    projector = undefined;
    // while it is down
    await produce(internalKafka(), [
      {
        spec: topics.reservationEvents,
        key: eventId,
        value: bookingCancelled({ eventId, partnerId: id, bookingId: first }),
      },
    ]);
    projector = await startTestProjector(h, only, tag);
    await produce(internalKafka(), [
      { spec: topics.reservationEvents, key: eventId, value: bookingConfirmed({ eventId, partnerId: id, places: 2 }) },
    ]);

    const sales = await read(partnerTopics.sales.name, 4);
    assert.deepEqual(
      sales.map((s) => [s.version, s.bookings, s.cancellations, s.ticketsNet]),
      [
        [1, 1, 0, 2],
        [2, 2, 0, 4],
        [3, 2, 1, 2],
        [4, 3, 1, 4],
      ],
      'counters restored from the changelog, each decision counted once',
    );
    // the last booking was produced after the restart, on the same partition as the others: once it is there, a
    // booking routed twice by the restarted router would be there too, before it
    const bookings = await eventually('the booking made after the restart', async () => {
      const all = await read(partnerBookingsFor(id).name, 1);
      return all.some((b) => b.generalAdmission !== null) ? all : undefined;
    });
    assert.deepEqual(
      bookings.map((b) => [b.bookingId === first, b.status]),
      [
        [true, 'CONFIRMED'],
        [true, 'CANCELLED'],
        [false, 'CONFIRMED'],
      ],
    );
  });
});
