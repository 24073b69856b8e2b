/**
 * Crash test of seat allocation on a real broker and schema registry (endpoints from infra/config.ts).
 *
 * Two instances of the service (main.ts) run as child processes with one random application id. A
 * concert hall (demo-venue.ts) is published under a random event id on the real catalog topics; then
 * 10,000 hold commands race for its seats from four producers at once — specific seats from a small
 * hot region, best-available, standing places — followed by confirmations, releases, a few
 * cancellations and repeated requests, while holds expire (6 s). Midway, the instance running the
 * event's partition is SIGKILLed; once the other instance has taken the partition over (restoring it
 * from the changelog) and decides again, the killed one is restarted on its old state directory (the
 * partition may move back to it: restore from its checkpoint). Finally a catalog tombstone deletes the
 * event.
 *
 * Checked on the read_committed logs, filtered by the event id and by our application's origin header:
 *   - every request has exactly one decision (repeats of a request get `replay` copies of it), of the
 *     right kind, for the right buyer, with the command's traceparent header;
 *   - folding the decisions (testing/decision-fold.ts), no seat is ever held or sold by two buyers,
 *     no standing area is oversold, no buyer goes over the limit;
 *   - every availability snapshot equals the fold at its version, and the last one converges to the
 *     final fold; the owner's HTTP read answers it, the other instance says the event is not local;
 *   - the tombstone deletes the event (availability tombstone, HTTP 404), both instances stop on SIGTERM.
 *
 * ALLOCATION_SEED=<seed> replays a run's workload (the seed is printed).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { ensureSubjects } from '../../schemas/subjects.js';
import { applyTopics } from '../../topics/apply.js';
import { catalogSpecs, topics } from '../../topics/catalog.js';
import type { Availability } from './availability.js';
import type { AvailabilityView } from './availabilityView.js';
import { availabilityFromAvro, commandToAvro, decisionFromAvro } from './codec.js';
import { concertHall, seededRandom } from './demo-venue.js';
import type { EventDefinition, ReservationCommand, ReservationDecision } from './model.js';
import { ORIGIN_HEADER, TRACEPARENT_HEADER } from './processor.js';
import { publishCatalog } from './publishDemo.js';
import { DecisionFold } from './testing/decision-fold.js';
import { PartitionReader, partitionOf } from './testing/partition-reader.js';
import { ServiceProcess, stopAllServices } from './testing/service-process.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

const HOLDS = 10_000;
const WAVES = 20;
const PRODUCERS = 4;
const HOLD_MS = 6_000;
const BUYERS = 2_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs: number, what: () => string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(100);
  }
};

/** A W3C traceparent derived from the request id, so that the decision's can be checked. */
const traceparentOf = (requestId: string) => {
  const h = createHash('sha256').update(requestId).digest('hex');
  return `00-${h.slice(0, 32)}-${h.slice(32, 48)}-01`;
};

/** Which decisions answer which command. */
const answers: Record<ReservationCommand['type'], ReservationDecision['type'][]> = {
  HoldSeats: ['SeatsHeld', 'HoldRejected'],
  HoldBestAvailable: ['SeatsHeld', 'HoldRejected'],
  HoldGeneralAdmission: ['SeatsHeld', 'HoldRejected'],
  ReleaseHold: ['HoldReleased', 'CommandRejected'],
  ConfirmBooking: ['BookingConfirmed', 'CommandRejected'],
  CancelBooking: ['BookingCancelled', 'CommandRejected'],
  ExpireHolds: ['HoldExpired'],
};

/** The workload: waves of holds, each followed by confirmations, releases and cancellations of earlier ones. */
function workload(def: EventDefinition, seed: number): (now: number) => ReservationCommand[][] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // The hot region: rows A..C of the three centre stall wedges (the best seats).
  const hotRows = def.venue.sections
    .filter((s) => ['ST2', 'ST3', 'ST4'].includes(s.id))
    .flatMap((s) => s.rows.slice(0, 3).map((r) => ({ section: s.id, row: r.id, run: r.runs[0]! })));
  const stalls = def.venue.sections.filter((s) => s.id.startsWith('ST')).map((s) => s.id);
  let n = 0;
  let wave = 0;
  const holdsOfWave: { requestId: string; buyerId: string }[][] = [];
  const confirmed: { requestId: string; buyerId: string }[] = [];
  return (now) => {
    const base = (buyerId: string) => ({
      requestId: `${def.eventId}-r${n++}`,
      eventId: def.eventId,
      buyerId,
      issuedAt: now,
      channel: 'web',
      partnerId: null,
      traceparent: null,
    });
    const holds: ReservationCommand[] = [];
    for (let i = 0; i < HOLDS / WAVES; i++) {
      const buyerId = `buyer-${Math.floor(random() * BUYERS)}`;
      const dice = random();
      if (dice < 0.45) {
        const { section, row, run } = pick(hotRows);
        const q = 1 + Math.floor(random() * 3);
        const first = Math.floor(random() * (run.count - q + 1));
        const seatIds = Array.from({ length: q }, (_, k) => `${section}-${row}-${run.firstNumber + first + k}`);
        holds.push({ ...base(buyerId), type: 'HoldSeats', seatIds });
      } else if (dice < 0.85) {
        const filter = random();
        holds.push({
          ...base(buyerId),
          type: 'HoldBestAvailable',
          quantity: 1 + Math.floor(random() * 4),
          sectionId: filter < 0.15 ? pick(stalls) : null,
          priceCategoryId: filter > 0.85 ? pick(['VIP', 'CAT1', 'CAT2']) : null,
        });
      } else {
        holds.push({
          ...base(buyerId),
          type: 'HoldGeneralAdmission',
          sectionId: 'PIT',
          quantity: 1 + Math.floor(random() * 4),
        });
      }
    }
    const followUps: ReservationCommand[] = [];
    for (const h of holdsOfWave[wave - 1] ?? []) {
      const dice = random();
      const buyerId = random() < 0.02 ? `buyer-${Math.floor(random() * BUYERS)}` : h.buyerId;
      if (dice < 0.3) {
        followUps.push({
          ...base(buyerId),
          type: 'ConfirmBooking',
          holdId: `H-${h.requestId}`,
          paymentReference: `psp-${n}`,
        });
        confirmed.push(h);
      } else if (dice < 0.42) followUps.push({ ...base(buyerId), type: 'ReleaseHold', holdId: `H-${h.requestId}` });
    }
    for (let i = 0; i < 8 && confirmed.length > 0; i++) {
      const c = confirmed.splice(Math.floor(random() * confirmed.length), 1)[0]!;
      followUps.push({
        ...base(c.buyerId),
        type: 'CancelBooking',
        bookingId: `B-${c.requestId}`,
        reason: 'changed plans',
        byOperator: false,
      });
    }
    holdsOfWave[wave] = holds.map((h) => ({ requestId: h.requestId, buyerId: h.buyerId }));
    wave++;
    // Retries: about 1 % of the wave's commands are sent twice.
    const repeats = [...holds, ...followUps].filter(() => random() < 0.01);
    const all = [...holds, ...followUps, ...repeats];
    // Shuffle, so that the producers interleave holds and follow-ups.
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return Array.from({ length: PRODUCERS }, (_, p) => all.filter((_, i) => i % PRODUCERS === p));
  };
}

describe('seat allocation: two instances, 10,000 racing holds, the owner SIGKILLed midway', () => {
  const brokers = kafkaBrokers(loadEndpoints());
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  const kafka = new Kafka({ brokers, clientId: 'seat-allocation-tests', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const applicationId = `it-seat-allocation-${randomUUID().slice(0, 8)}`;
  const eventId = `it-allocation-${randomUUID()}`;
  const readers: PartitionReader<unknown>[] = [];
  let stateDir = '';

  before(async () => {
    await admin.connect();
    const applied = await applyTopics(admin, catalogSpecs());
    assert.ok(applied.ok, `topics:apply failed: ${JSON.stringify(applied.outcomes.filter((o) => o.error))}`);
    const subjects = await ensureSubjects(catalogSpecs(), registry);
    assert.ok(
      subjects.every((s) => s.action !== 'failed'),
      `schemas: ${JSON.stringify(subjects.filter((s) => s.problem))}`,
    );
    stateDir = await mkdtemp(join(tmpdir(), 'seat-allocation-it-'));
  });

  after(async () => {
    await stopAllServices();
    for (const r of readers) await r.stop().catch(() => undefined);
    // Our application's changelogs and groups; the event's compacted records get tombstones.
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const topic of [topics.catalogEvents.name, topics.eventAvailability.name])
      await producer.send({ topic, acks: -1, messages: [{ key: eventId, value: null }] });
    await producer.disconnect();
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
    if (ours.length) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
    const { groups } = await admin.listGroups();
    const groupIds = groups
      .map((g) => g.groupId)
      .filter((g) => g === applicationId || g.startsWith(`${applicationId}.`) || readers.some((r) => r.groupId === g));
    if (groupIds.length) await admin.deleteGroups(groupIds).catch(() => undefined);
    await admin.disconnect();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it(
    'decides every request once, never gives a seat twice, and its snapshots converge',
    { timeout: 360_000 },
    async () => {
      const seed = Number(process.env.ALLOCATION_SEED ?? Math.floor(Math.random() * 1e9));
      console.log(`allocation test: seed ${seed} (ALLOCATION_SEED=${seed} replays the workload), event ${eventId}`);

      const partitions = (await admin.fetchTopicMetadata({ topics: [topics.reservationEvents.name] })).topics[0]!
        .partitions.length;
      const partition = partitionOf(eventId, partitions);
      const start = async (topic: string) =>
        Number((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)!.high);
      const decisionSerde = serdeFor(topics.reservationEvents, registry, { autoRegister: false });
      const availabilitySerde = serdeFor(topics.eventAvailability, registry, { autoRegister: false });
      const decisions = await new PartitionReader(
        brokers,
        topics.reservationEvents.name,
        partition,
        await start(topics.reservationEvents.name),
        eventId,
        decisionSerde,
      ).start();
      const snapshots = await new PartitionReader(
        brokers,
        topics.eventAvailability.name,
        partition,
        await start(topics.eventAvailability.name),
        eventId,
        availabilitySerde,
      ).start();
      readers.push(decisions as PartitionReader<unknown>, snapshots as PartitionReader<unknown>);
      const origin = `${applicationId}/0_${partition}`;
      const ours = <T>(r: { headers: Record<string, string>; value: T | null }) => r.headers[ORIGIN_HEADER] === origin;

      // Our application starts at the end of the shared input topics: earlier tests' records are not its business.
      for (const topic of [topics.catalogEvents.name, topics.reservationCommands.name]) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId: applicationId,
          topic,
          partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
        });
      }

      // Two instances.
      const env = (name: string) => ({
        SEAT_ALLOCATION_APPLICATION_ID: applicationId,
        SEAT_ALLOCATION_INSTANCE_ID: name,
        SEAT_ALLOCATION_STATE_DIR: join(stateDir, name),
        SEAT_ALLOCATION_SESSION_TIMEOUT_MS: '6000',
        SEAT_ALLOCATION_EXPIRY_INTERVAL_MS: '500',
      });
      const instances = new Map<string, ServiceProcess>([
        ['a', new ServiceProcess('a', env('a'))],
        ['b', new ServiceProcess('b', env('b'))],
      ]);
      const assignment = async () => {
        const owned = await Promise.all([...instances.values()].map((p) => p.partitions()));
        return owned;
      };
      await eventually(
        async () => {
          const owned = await assignment();
          return (
            owned.every((o) => o.length > 0) &&
            new Set(owned.flat()).size === partitions &&
            owned.flat().length === partitions
          );
        },
        90_000,
        () => 'both instances running half of the partitions each',
      );

      // The event.
      const definition = concertHall({
        eventId,
        seed,
        onSaleAt: Date.now() - 60_000,
        holdDurationMs: HOLD_MS,
        maxTicketsPerBuyer: 6,
      });
      await publishCatalog([definition], { brokers, registry });
      const owner = async (): Promise<[string, ServiceProcess] | undefined> => {
        for (const [name, p] of instances) {
          if (!p.running) continue;
          const res = await p.get(`/events/${encodeURIComponent(eventId)}/availability`).catch(() => undefined);
          if (res?.status === 200) return [name, p];
        }
        return undefined;
      };
      let found: [string, ServiceProcess] | undefined;
      await eventually(
        async () => (found = await owner()) !== undefined,
        30_000,
        () => 'the event defined on its owner',
      );
      const [ownerName] = found!;
      const other = [...instances].find(([name]) => name !== ownerName)![1];
      const notLocal = await other.get(`/events/${encodeURIComponent(eventId)}/availability`);
      assert.equal(notLocal.status, 404);
      assert.equal((notLocal.body as { code: string }).code, 'SS_ERR_SEAT_NOT_LOCAL');
      assert.equal((notLocal.body as { partition: number }).partition, partition);

      // The workload, produced by four producers at once, wave after wave.
      const sent = new Map<string, ReservationCommand>();
      const next = workload(definition, seed);
      const commandSerde = serdeFor(topics.reservationCommands, registry, { autoRegister: false });
      const producers = await Promise.all(
        Array.from({ length: PRODUCERS }, async () => {
          const p = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
          await p.connect();
          return p;
        }),
      );
      const decidedIds = () =>
        new Set(decisions.records.filter(ours).map((r) => (r.value as { requestId: string }).requestId));
      const producing = (async () => {
        for (let w = 0; w < WAVES; w++) {
          const slices = next(Date.now());
          await Promise.all(
            slices.map(async (commands, i) => {
              for (const c of commands) sent.set(c.requestId, c);
              const messages = await Promise.all(
                commands.map(async (c) => ({
                  key: c.eventId,
                  value: await commandSerde.serialize(topics.reservationCommands.name, commandToAvro(c)),
                  headers: { [TRACEPARENT_HEADER]: traceparentOf(c.requestId) },
                })),
              );
              for (let k = 0; k < messages.length; k += 100)
                await producers[i]!.send({
                  topic: topics.reservationCommands.name,
                  acks: -1,
                  messages: messages.slice(k, k + 100),
                });
            }),
          );
          await sleep(600);
        }
      })();

      // Midway: SIGKILL the owner, start it again at once (same instance id and state directory).
      await eventually(
        () => decidedIds().size >= HOLDS * 0.4,
        180_000,
        () => `40 % of the requests decided (${decidedIds().size})`,
      );
      const victim = instances.get(ownerName)!;
      victim.kill('SIGKILL');
      assert.equal((await victim.exited).signal, 'SIGKILL');
      const killedAt = Date.now();
      const decidedBefore = decidedIds().size;
      console.log(`killed ${ownerName} (pid ${victim.pid}) after ${decidedBefore} decisions`);
      // The other instance takes the partition over (restoring it from the changelog) and goes on;
      // then the killed one comes back (restoring from its local store and the changelog's tail).
      await eventually(
        async () => (await other.partitions()).includes(partition),
        60_000,
        () => 'the survivor to take the partition',
      );
      await eventually(
        () => decidedIds().size > decidedBefore,
        60_000,
        () => 'a decision by the survivor',
      );
      console.log(`survivor deciding ${Date.now() - killedAt} ms after the kill; restarting ${ownerName}`);
      instances.set(ownerName, new ServiceProcess(ownerName, env(ownerName)));

      await producing;
      for (const p of producers) await p.disconnect();
      console.log(`sent ${sent.size} distinct requests`);
      await eventually(
        () => {
          decisions.check();
          const decided = decidedIds();
          return [...sent.keys()].every((id) => decided.has(id));
        },
        180_000,
        () => `every request decided (${[...sent.keys()].filter((id) => !decidedIds().has(id)).length} left)`,
      );

      // The fold of the decisions, checked as it goes; then convergence of the snapshots.
      const fold = () => {
        const f = new DecisionFold(definition);
        for (const r of decisions.records.filter(ours)) f.apply(decisionFromAvro(r.value as never));
        return f;
      };
      const latest = (): Availability | undefined => {
        const mine = snapshots.records.filter(ours).filter((r) => r.value !== null);
        const last = mine[mine.length - 1];
        return last ? availabilityFromAvro(last.value as never) : undefined;
      };
      await eventually(
        () => {
          snapshots.check();
          const f = fold();
          return f.holds.size === 0 && latest()?.version === f.changes + 1;
        },
        60_000,
        () =>
          `every hold over and the last snapshot at the final version (${latest()?.version} vs ${fold().changes + 1}, ${fold().holds.size} holds live)`,
      );

      // Exactly one decision per request, of the right kind, for its buyer, with its trace context.
      const byRequest = new Map<string, { decision: ReservationDecision; traceparent: string | undefined }[]>();
      const ordered = decisions.records.filter(ours);
      for (const r of ordered) {
        const d = decisionFromAvro(r.value as never);
        const list = byRequest.get(d.meta.requestId) ?? [];
        list.push({ decision: d, traceparent: r.headers[TRACEPARENT_HEADER] });
        byRequest.set(d.meta.requestId, list);
      }
      let replays = 0;
      for (const [requestId, command] of sent) {
        const got = byRequest.get(requestId) ?? [];
        const originals = got.filter((g) => !g.decision.meta.replay);
        assert.equal(originals.length, 1, `request ${requestId}: ${originals.length} decisions that are not replays`);
        const original = originals[0]!.decision;
        assert.ok(
          answers[command.type].includes(original.type),
          `${command.type} ${requestId} answered by ${original.type}`,
        );
        assert.equal(original.meta.buyerId, command.buyerId);
        for (const g of got) {
          // The decision's span is a child of the command's: same trace id (the span id is the allocator's).
          assert.equal(g.traceparent?.split('-')[1], traceparentOf(requestId).split('-')[1], `trace of ${requestId}`);
          if (g.decision.meta.replay) {
            replays++;
            assert.deepEqual(
              { ...g.decision, meta: { ...g.decision.meta, replay: false } },
              original,
              `replay of ${requestId}`,
            );
          }
        }
      }
      for (const [requestId, got] of byRequest) {
        if (sent.has(requestId)) continue;
        assert.ok(
          got.every((g) => g.decision.type === 'HoldExpired'),
          `only ExpireHolds answers requests we did not send (${requestId})`,
        );
      }

      // No seat twice, and every snapshot equals the fold at its version.
      const mine = snapshots.records
        .filter(ours)
        .filter((r) => r.value !== null)
        .map((r) => availabilityFromAvro(r.value as never));
      const byVersion = new Map<number, Availability[]>();
      let previous = 0;
      for (const s of mine) {
        assert.ok(s.version >= previous, `snapshot versions go back: ${s.version} after ${previous}`);
        previous = s.version;
        byVersion.set(s.version, [...(byVersion.get(s.version) ?? []), s]);
      }
      const f = new DecisionFold(definition);
      const compared = new Set<number>();
      const compare = () => {
        for (const s of byVersion.get(f.changes + 1) ?? []) {
          assert.deepEqual(f.differences(s).slice(0, 10), [], `snapshot version ${s.version}`);
          compared.add(s.version);
        }
      };
      compare();
      const counts: Record<string, number> = {};
      for (const r of ordered) {
        const d = decisionFromAvro(r.value as never);
        const before = f.changes;
        f.apply(d);
        const key = d.type === 'HoldRejected' || d.type === 'CommandRejected' ? `${d.type}:${d.code}` : d.type;
        counts[key] = (counts[key] ?? 0) + (d.meta.replay ? 0 : 1);
        if (f.changes !== before) compare();
      }
      assert.deepEqual(f.violations, [], 'the decisions break the allocation invariants');
      assert.deepEqual(
        [...byVersion.keys()].filter((v) => !compared.has(v)),
        [],
        'snapshots of versions the decisions never reach',
      );
      const final = latest()!;
      assert.deepEqual(f.differences(final), []);
      console.log(
        `decisions: ${JSON.stringify(counts)}; ${replays} replays; ${mine.length} snapshots; sold ${final.totals.sold} of ${final.totals.total}`,
      );
      assert.ok(
        (counts.SeatsHeld ?? 0) > 0 && (counts.BookingConfirmed ?? 0) > 0 && (counts.HoldExpired ?? 0) > 0,
        'the workload exercised holds, bookings and expiry',
      );

      // Interactive read on the owner now; the other one says it is not local.
      let now: [string, ServiceProcess] | undefined;
      await eventually(
        async () => (now = await owner()) !== undefined,
        60_000,
        () => 'an owner answering the availability read',
      );
      const view = (await now![1].get(`/events/${encodeURIComponent(eventId)}/availability`)).body as AvailabilityView;
      assert.equal(view.version, final.version);
      assert.deepEqual(view.totals, final.totals);
      const metrics = (await now![1].get('/metrics')).body as string;
      assert.match(metrics, /seatstream_seat_allocation_decisions_total\{/);
      assert.match(metrics, /seatstream_runtime_transactions_total\{/);

      // A catalog tombstone deletes the event.
      const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: topics.catalogEvents.name, acks: -1, messages: [{ key: eventId, value: null }] });
      await producer.disconnect();
      await eventually(
        () => snapshots.records.filter(ours).some((r) => r.value === null),
        30_000,
        () => 'the availability tombstone',
      );
      await eventually(
        async () => {
          const res = await now![1].get(`/events/${encodeURIComponent(eventId)}/availability`);
          return res.status === 404 && (res.body as { code: string }).code === 'SS_ERR_SEAT_EVENT_NOT_FOUND';
        },
        10_000,
        () => 'the availability read to forget the event',
      );

      // Graceful stop.
      for (const p of instances.values()) p.kill('SIGTERM');
      for (const [name, p] of instances)
        assert.deepEqual(await p.exited, { code: 0, signal: null }, `${name} stops on SIGTERM`);
    },
  );
});
