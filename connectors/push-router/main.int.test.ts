/**
 * The push router as a process (`npm run push-router`'s main.ts) on the local stack: it joins its group, reports
 * healthy, routes a snapshot written as the allocator writes them (serde, origin header) and skips one of another
 * origin, counts it in /metrics, and stops on SIGTERM with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { availabilityToAvro } from '../../processors/seat-allocation/codec.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { emptyInventory } from '../../processors/seat-allocation/inventory.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { ORIGIN_HEADER } from '../../processors/seat-allocation/processor.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { channelsFor, parsePushMessage } from './channels.js';

const { Kafka, Partitioners, logLevel } = kafkajs;
const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('push router service (Kafka, registry, Redis)', () => {
  const run = randomUUID().slice(0, 8);
  const groupId = `it-push-router-main-${run}`;
  const prefix = `it:push-main:${run}:`;
  const origin = `it-push-main-${run}`;
  const eventId = `it-push-main-${randomUUID()}`;
  const endpoints = loadEndpoints();
  const kafka = new Kafka({
    brokers: kafkaBrokers(endpoints),
    clientId: 'push-router-main-it',
    logLevel: logLevel.NOTHING,
  });
  const redis = new Redis(endpoints.redis);
  let child: ReturnType<typeof spawn> | null = null;

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: topics.eventAvailability.name, acks: -1, messages: [{ key: eventId, value: null }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    await redis.quit();
  });

  it('runs, routes what its allocator application publishes, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const lines: { msg?: string; url?: string }[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        PUSH_ROUTER_GROUP_ID: groupId,
        PUSH_CHANNEL_PREFIX: prefix,
        PUSH_ROUTER_ORIGIN_APP: origin,
      },
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    let partial = '';
    const seen = new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString()).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) {
          if (!p.startsWith('{')) continue;
          const line = JSON.parse(p) as { msg?: string; url?: string };
          lines.push(line);
          if (line.msg === 'push router running' && 'channelPrefix' in line) resolve();
        }
      });
      void exited.then((code) =>
        reject(new Error(`exited with ${code} before running: ${lines.map((l) => l.msg).join(' | ')}`)),
      );
    });
    await seen;
    const url = lines.find((l) => l.msg === 'http listening')!.url!;
    assert.equal((await fetch(`${url}/health`)).status, 200);

    // A snapshot as the allocator makes it, written with the allocator's origin header (and one of another origin).
    const inv = emptyInventory(eventId);
    for (const e of decide({ type: 'ApplyCatalog', definition: concertHall({ eventId, onSaleAt: Date.now() }) }, inv))
      evolve(inv, e);
    const value = await serdeFor(topics.eventAvailability, createRegistryClient(endpoints.schemaRegistry), {
      autoRegister: false,
    }).serialize(topics.eventAvailability.name, availabilityToAvro(availabilityOf(inv)!));
    const sub = redis.duplicate();
    const got: string[] = [];
    await sub.subscribe(channelsFor(prefix).availability(eventId));
    sub.on('message', (_c, m) => got.push(m));
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: topics.eventAvailability.name,
      acks: -1,
      messages: [
        { key: eventId, value, headers: { [ORIGIN_HEADER]: `someone-else/0_1` } },
        { key: eventId, value, headers: { [ORIGIN_HEADER]: `${origin}/0_1` } },
      ],
    });
    await producer.disconnect();
    const deadline = Date.now() + 30_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sub.quit();
    assert.equal(got.length, 1, 'only the record of its origin is routed');
    const m = parsePushMessage(got[0]!);
    assert.equal(m?.kind === 'availability' && m.availability.eventId, eventId);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /seatstream_push_router_publications_total [1-9]/);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
