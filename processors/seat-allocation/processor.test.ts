import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { dlqFor, topics } from '../../topics/catalog.js';
import { dlqHeaders } from '../runtime/index.js';
import type { AvailabilityView } from './availabilityView.js';
import { availabilityFromAvro, decisionFromAvro } from './codec.js';
import { EVENT, HOLD_MS, T0, definition, holdSeats, seatsHeld } from './fixtures.js';
import { REPLY_TO_HEADER } from './headers.js';
import { AVAILABILITY_STORE, INVENTORY_STORE, ORIGIN_HEADER, TRACEPARENT_HEADER, sinks } from './processor.js';
import { AllocatorDriver, type Forwarded } from './testing/allocator-driver.js';

const AVAILABILITY_TICK = 100;
const EXPIRY_TICK = 1000;
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const decisions = (d: AllocatorDriver) =>
  d.to(sinks.decisions).map((f) => decisionFromAvro(f.value as ReservationEvent));
const snapshots = (d: AllocatorDriver) =>
  d.to(sinks.availability).map((f) => (f.value === null ? null : availabilityFromAvro(f.value as EventAvailability)));
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('SeatAllocator on real task stores', () => {
  let root: string;
  let n = 0;
  const drivers: AllocatorDriver[] = [];
  const open = async (options: Parameters<typeof AllocatorDriver.open>[1] = {}) => {
    const d = await AllocatorDriver.open(join(root, `task-${++n}`), {
      availabilityCheckMs: AVAILABILITY_TICK,
      expiryIntervalMs: EXPIRY_TICK,
      ...options,
    });
    drivers.push(d);
    return d;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'seat-allocator-'));
  });
  after(async () => {
    for (const d of drivers) await d.close();
    await rm(root, { recursive: true, force: true });
  });

  it('publishes each decision keyed by event id, with the command trace context and its origin', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    assert.deepEqual(d.forwarded, [], 'a catalog revision publishes no decision');
    const hold = holdSeats('alice', ['A-1-1', 'A-1-2'], { requestId: 'r1' });
    await d.pipeCommand(hold, { [TRACEPARENT_HEADER]: Buffer.from(TRACE) });
    const [f] = d.to(sinks.decisions) as [Forwarded];
    assert.equal(f.key, EVENT);
    assert.deepEqual(decisionFromAvro(f.value as ReservationEvent), seatsHeld(hold, ['A-1-1', 'A-1-2']));
    assert.equal(f.headers[TRACEPARENT_HEADER], TRACE);
    assert.equal(f.headers[ORIGIN_HEADER], 'test-app/0_0');
  });

  it('copies the reply-to header of a command to each decision it produces, and adds none without it', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    const hold = holdSeats('alice', ['A-1-1'], { requestId: 'r1' });
    await d.pipeCommand(hold, { [REPLY_TO_HEADER]: Buffer.from('api-7') });
    await d.pipeCommand(hold, { [REPLY_TO_HEADER]: Buffer.from('api-8') });
    await d.pipeCommand(holdSeats('bob', ['A-1-2'], { requestId: 'r2' }));
    const out = d.to(sinks.decisions);
    assert.deepEqual(
      out.map((f) => [decisionFromAvro(f.value as ReservationEvent).meta.replay, f.headers[REPLY_TO_HEADER]]),
      [
        [false, 'api-7'],
        [true, 'api-8'],
        [false, undefined],
      ],
      'a replay goes to the replica that asked again',
    );
  });

  it('takes the trace context from the command when the record has no traceparent header', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.pipeCommand({ ...holdSeats('alice', ['A-1-1'], { requestId: 'r1' }), traceparent: TRACE });
    assert.equal(d.to(sinks.decisions)[0]!.headers[TRACEPARENT_HEADER], TRACE);
  });

  it('decides a record afresh when the runtime retries it after a rollback (no replay of a decision that never was)', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    const hold = holdSeats('alice', ['A-1-1'], { requestId: 'r1' });
    d.failNextForwards(1);
    await assert.rejects(d.pipeCommand(hold), /failed \(test\)/);
    await d.pipeCommand(hold);
    assert.deepEqual(decisions(d), [seatsHeld(hold, ['A-1-1'])]);
    await d.pipeCommand(hold);
    assert.equal(decisions(d)[1]!.meta.replay, true, 'a real repeat is a replay');
  });

  it('forgets an aborted transaction: its seats are free again and its request is decided afresh', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.commit();
    const alice = holdSeats('alice', ['A-1-1'], { requestId: 'r1' });
    await d.pipeCommand(alice);
    d.abort();
    const bob = holdSeats('bob', ['A-1-1'], { requestId: 'r2' });
    await d.pipeCommand(bob);
    await d.pipeCommand(alice);
    const [first, second] = decisions(d);
    assert.deepEqual(first, seatsHeld(bob, ['A-1-1']));
    assert.equal(second?.type === 'HoldRejected' && second.code, 'RSV_SEAT_UNAVAILABLE');
    assert.equal(second!.meta.replay, false);
  });

  it('notices a deletion and re-creation rolled back together (generations never go back)', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.commit();
    await d.pipe(topics.catalogEvents.name, EVENT, null);
    const withoutB = definition();
    withoutB.venue = { ...withoutB.venue, sections: withoutB.venue.sections.filter((s) => s.id !== 'B') };
    await d.pipeCatalog(withoutB);
    d.abort();
    const hold = holdSeats('alice', ['B-1-1'], { requestId: 'r1' });
    await d.pipeCommand(hold);
    assert.deepEqual(decisions(d), [seatsHeld(hold, ['B-1-1'])], 'the committed revision (with section B) is in force');
  });

  it('refuses commands for an event the catalog does not define, and keeps no state for them', async () => {
    const d = await open();
    await d.pipeCommand({ ...holdSeats('alice', ['A-1-1'], { requestId: 'r1' }), eventId: 'nope' });
    await d.commit();
    const [decision] = decisions(d);
    assert.equal(decision?.type === 'HoldRejected' && decision.code, 'RSV_UNKNOWN_EVENT');
    assert.deepEqual(await collect(d.committed(INVENTORY_STORE).all()), []);
  });

  it('sends a record whose key is not its event id to the dead-letter topic, bytes unchanged', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.pipeCommand(
      holdSeats('alice', ['A-1-1'], { requestId: 'r1' }),
      { [TRACEPARENT_HEADER]: TRACE },
      'another-event',
    );
    assert.deepEqual(decisions(d), []);
    const [dead] = d.to(sinks.commandsDlq);
    assert.equal(dead!.key, 'another-event');
    assert.equal((dead!.value as { bytes: Buffer }).bytes.length > 0, true);
    assert.equal(dead!.headers[dlqHeaders.code], 'SS_ERR_SEAT_KEY_MISMATCH');
    assert.equal(dead!.headers[dlqHeaders.topic], topics.reservationCommands.name);
    assert.equal(dead!.headers[TRACEPARENT_HEADER], TRACE, 'the source headers stay');
    assert.equal(dlqFor(topics.reservationCommands).name, `${topics.reservationCommands.name}.dlq`);
  });

  it('sends an inconsistent catalog revision to the catalog dead-letter topic with its problems', async () => {
    const d = await open();
    await d.pipeCatalog(definition({ maxTicketsPerBuyer: 0 }));
    const [dead] = d.to(sinks.catalogDlq);
    assert.equal(dead!.headers[dlqHeaders.code], 'SS_ERR_SEAT_CATALOG_REJECTED');
    assert.match(String(dead!.headers[dlqHeaders.message]), /maxTicketsPerBuyer < 1/);
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1' }));
    assert.equal(
      decisions(d)[0]!.type === 'HoldRejected' && (decisions(d)[0] as { code: string }).code,
      'RSV_UNKNOWN_EVENT',
    );
  });

  it('publishes a snapshot when the event changed, at most every 250 ms, and keeps it for interactive reads', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    const t = Date.now();
    await d.punctuate(AVAILABILITY_TICK, t);
    await d.punctuate(AVAILABILITY_TICK, t + 100);
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1' }));
    await d.punctuate(AVAILABILITY_TICK, t + 200);
    await d.punctuate(AVAILABILITY_TICK, t + 300);
    const published = snapshots(d);
    assert.deepEqual(
      published.map((s) => [s!.version, s!.totals.held]),
      [
        [1, 0],
        [2, 1],
      ],
    );
    assert.equal(d.to(sinks.availability)[1]!.key, EVENT);
    await d.commit();
    const view = await d.committed<AvailabilityView>(AVAILABILITY_STORE).get(EVENT);
    assert.equal(view!.version, 2);
    assert.equal(Buffer.from(view!.sections[0]!.seatStatus, 'base64')[0]! >> 6, 1, 'seat A-1-1 is held');
  });

  it('expires holds in place when their time comes', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1', at: T0 + 1000 }));
    await d.punctuate(EXPIRY_TICK, T0 + 1000 + HOLD_MS - 1);
    assert.equal(decisions(d).length, 1);
    await d.punctuate(EXPIRY_TICK, T0 + 1000 + HOLD_MS);
    const expired = decisions(d)[1]!;
    assert.equal(expired.type, 'HoldExpired');
    assert.equal(expired.meta.buyerId, 'alice');
    assert.match(expired.meta.requestId, /^expire-/);
  });

  it('after a reopen, finds its events in the store: holds expire, and only stale snapshots are republished', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.pipeCatalog(definition({ eventId: 'evt-2' }));
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1', at: T0 + 1000 }));
    await d.punctuate(AVAILABILITY_TICK, Date.now());
    await d.pipeCommand({ ...holdSeats('bob', ['A-1-1'], { requestId: 'r2' }), eventId: 'evt-2' });
    await d.commit();
    const before = d.forwarded.length;
    await d.reopen();
    const later = Date.now() + 1000;
    await d.punctuate(AVAILABILITY_TICK, later);
    assert.equal(d.forwarded.length, before, 'nothing is in memory yet');
    await d.punctuate(EXPIRY_TICK, T0 + 1000 + HOLD_MS);
    const fresh = d.forwarded.slice(before);
    assert.deepEqual(
      fresh.map((f) => [f.key, decisionFromAvro(f.value as ReservationEvent).type]),
      [
        [EVENT, 'HoldExpired'],
        ['evt-2', 'HoldExpired'],
      ],
    );
    await d.punctuate(AVAILABILITY_TICK, later + 1000);
    assert.deepEqual(
      snapshots(d)
        .slice(-2)
        .map((s) => [s!.eventId, s!.version]),
      [
        [EVENT, 3],
        ['evt-2', 3],
      ],
      'both changed since their last published snapshot',
    );
    await d.commit();
    const published = d.to(sinks.availability).length;
    await d.reopen();
    await d.punctuate(EXPIRY_TICK, T0 + 2 * HOLD_MS);
    await d.punctuate(AVAILABILITY_TICK, Date.now() + 5000);
    assert.equal(d.to(sinks.availability).length, published, 'up-to-date snapshots are not published again');
  });

  it('deletes an event on a catalog tombstone, its snapshot too', async () => {
    const d = await open();
    await d.pipeCatalog(definition());
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1' }));
    await d.punctuate(AVAILABILITY_TICK, Date.now());
    await d.commit();
    await d.pipe(topics.catalogEvents.name, EVENT, null);
    await d.commit();
    const last = d.to(sinks.availability).at(-1)!;
    assert.deepEqual([last.key, last.value], [EVENT, null]);
    assert.deepEqual(
      (await collect(d.committed(INVENTORY_STORE).all())).map((e) => e.key),
      [`#gen/${EVENT}`],
      'only the generation stays',
    );
    assert.equal(await d.committed(AVAILABILITY_STORE).get(EVENT), undefined);
    await d.pipeCommand(holdSeats('alice', ['A-1-2'], { requestId: 'r2' }));
    assert.equal((decisions(d).at(-1) as { code?: string }).code, 'RSV_UNKNOWN_EVENT');
  });

  it('past maxCachedEvents, inventories leave memory but their holds still expire', async () => {
    const d = await open({ maxCachedEvents: 1 });
    await d.pipeCatalog(definition());
    await d.pipeCommand(holdSeats('alice', ['A-1-1'], { requestId: 'r1', at: T0 + 1000 }));
    await d.punctuate(AVAILABILITY_TICK, Date.now());
    await d.pipeCatalog(definition({ eventId: 'evt-2' }));
    await d.pipeCommand({ ...holdSeats('bob', ['A-1-1'], { requestId: 'r2', at: T0 + 2000 }), eventId: 'evt-2' });
    await d.punctuate(EXPIRY_TICK, T0 + 5000 + HOLD_MS);
    const expired = d
      .to(sinks.decisions)
      .map((f) => decisionFromAvro(f.value as ReservationEvent))
      .filter((x) => x.type === 'HoldExpired')
      .map((x) => x.meta.eventId)
      .sort();
    assert.deepEqual(expired, [EVENT, 'evt-2']);
  });
});
