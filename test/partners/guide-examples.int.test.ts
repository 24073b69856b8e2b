/**
 * The partner guide's examples work: docs/partners/examples/{kafkajs-consumer.mjs, python_consumer.py, kcat.sh}
 * run unchanged, as a partner onboarded through the API, against the local stack, and show the records a partner
 * projector made of this test's own event (catalog, availability, sales, the partner's bookings).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../infra/config.js';
import { recordFindings } from '../../connectors/partners/personal-data.js';
import { availability, bookingConfirmed, catalogEvent } from '../../connectors/partners/testing/fixtures.js';
import { fastArgon2, organizer, type SignedIn } from '../../api/catalog/testing.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { partnerBookingsFor, partnerTopics, topics } from '../../topics/catalog.js';
import { Kcat, python, type PartnerConnection } from './clients.js';
import {
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

const examples = join(repoRoot, 'docs', 'partners', 'examples');

const exampleEnv = (p: Onboarded): NodeJS.ProcessEnv => {
  const c: PartnerConnection = p.connection;
  return {
    PARTNER_ID: p.partnerId,
    PARTNER_USERNAME: c.username,
    PARTNER_PASSWORD: c.password,
    PARTNER_BOOTSTRAP: c.bootstrapServers,
    PARTNER_REGISTRY: c.schemaRegistryUrl,
    PARTNER_PROTOCOL: c.securityProtocol,
    ...(c.caFile ? { PARTNER_CA: c.caFile } : {}),
  };
};

/**
 * Runs a consumer example until `enough` says its output lines suffice (then SIGTERM, as a partner stops it), or
 * until it exits by itself. Resolves with its JSON lines, its exit code and its standard error.
 */
function runUntil(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  enough: (lines: Record<string, unknown>[]) => boolean,
  timeoutMs = 180_000,
): Promise<{ lines: Record<string, unknown>[]; code: number | null; stderr: string; stopped: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let rest = '';
    let stderr = '';
    let stopped = false;
    const stop = () => {
      if (!stopped) {
        stopped = true;
        child.kill('SIGTERM');
      }
    };
    const timer = setTimeout(stop, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      rest += d.toString();
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      if (enough(lines)) stop();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ lines, code, stderr, stopped });
    });
  });
}

/** Both consumer examples use the group partner.<id>.example: each run starts it afresh, from the beginning. */
async function forgetExampleGroup(partnerId: string): Promise<void> {
  const admin = internalKafka().admin();
  await admin.connect();
  try {
    await admin.deleteGroups([`partner.${partnerId}.example`]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

describe('the partner guide examples run as written', { timeout: 900_000 }, () => {
  let h: Harness;
  let admin: SignedIn;
  let partner: Onboarded;
  let projector: TestProjector | undefined;
  let kcat: Kcat;
  const id = testPartnerId();
  const eventId = `evt-it-guide-${randomUUID()}`;
  const ours = (lines: Record<string, unknown>[], topic: string) =>
    lines.filter((l) => l.topic === topic && l.eventId === eventId);
  const allTopics = [...Object.values(partnerTopics).map((t) => t.name), partnerBookingsFor(id).name];
  const enough = (lines: Record<string, unknown>[]) =>
    allTopics.every((t) => ours(lines, t).length >= (t === partnerBookingsFor(id).name ? 2 : 1));

  before(async () => {
    assert.ok(saslEndpoints().kafkaSasl, 'the stack names no SASL listener (kafkaSasl): run npm run stack:up');
    h = await startHarness({ env: fastArgon2 });
    admin = await organizer(h, 'admin');
    kcat = await Kcat.create();
    partner = await onboard(h, admin.token, id);
    projector = await startTestProjector(h, (e) => e === eventId);
    await produce(internalKafka(), [
      { spec: topics.catalogEvents, key: eventId, value: catalogEvent(eventId, 1) },
      { spec: topics.eventAvailability, key: eventId, value: availability(eventId, 1) },
      { spec: topics.reservationEvents, key: eventId, value: bookingConfirmed({ eventId, partnerId: id }) },
      { spec: topics.reservationEvents, key: eventId, value: bookingConfirmed({ eventId, partnerId: id, places: 2 }) },
    ]);
  });

  after(async () => {
    try {
      await projector?.stop();
      await produce(internalKafka(), [
        { spec: topics.catalogEvents, key: eventId, value: null },
        { spec: topics.eventAvailability, key: eventId, value: null },
      ]).catch(() => undefined);
      if (h && admin) await removePartners(h, admin.token, [id]);
    } finally {
      kcat?.close();
      await h?.close();
    }
  });

  it('kafkajs-consumer.mjs reads every entitled topic, decoded through the registry, and stops on SIGTERM', async () => {
    await forgetExampleGroup(id);
    const r = await runUntil(process.execPath, [join(examples, 'kafkajs-consumer.mjs')], exampleEnv(partner), enough);
    assert.ok(r.stopped && enough(r.lines), `missing records: ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    const event = ours(r.lines, partnerTopics.catalog.name)[0]!.value as { title: string };
    assert.equal(event.title, catalogEvent(eventId).name);
    const bookings = ours(r.lines, partnerBookingsFor(id).name).map((l) => l.value as { status: string });
    assert.deepEqual(
      bookings.map((b) => b.status),
      ['CONFIRMED', 'CONFIRMED'],
    );
    for (const l of r.lines.filter((x) => x.eventId === eventId)) assert.deepEqual(recordFindings(l.value), []);
  });

  it('python_consumer.py reads every entitled topic, decoded by AvroDeserializer, and stops on SIGTERM', async () => {
    await forgetExampleGroup(id);
    const r = await runUntil(python, [join(examples, 'python_consumer.py')], exampleEnv(partner), enough);
    assert.ok(r.stopped && enough(r.lines), `missing records: ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    const sales = ours(r.lines, partnerTopics.sales.name).at(-1)!.value as { bookings: number; ticketsSold: number };
    assert.deepEqual([sales.bookings, sales.ticketsSold], [2, 4]);
    for (const l of r.lines.filter((x) => x.eventId === eventId)) assert.deepEqual(recordFindings(l.value), []);
  });

  it("kcat.sh lists the partner's topics, its bookings, and the writer schema from the registry", async () => {
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', [join(examples, 'kcat.sh')], {
        env: { ...kcat.env, ...exampleEnv(partner) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    for (const t of allTopics) assert.match(out.stdout, new RegExp(`topic "${t.replace(/\./g, '\\.')}"`));
    assert.doesNotMatch(out.stdout, /reservation\.commands/);
    assert.equal(out.stdout.split(`eventId=${eventId}`).length - 1, 2);
    const schema = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { schema: string };
    assert.equal((JSON.parse(schema.schema) as { name: string }).name, 'PartnerBooking');
  });
});
