/**
 * Helpers of the stack's own integration tests, which start a second, throwaway stack beside the developer's: a port
 * offset that nothing listens on, a Kafka round trip (plain produce, an aborted and a committed transaction, a
 * read_committed consumer), and an independent look at what is left after `down`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { allStackPorts, stackLayout } from './layout.js';
import { listeningSockets } from './proc-net.js';

/** The first multiple of 10 (10-90) whose stack ports are all free: a test stack never collides with the developer's or another test's. */
export function freePortOffset(): number {
  const busy = new Set(listeningSockets().map((l) => l.port));
  for (let offset = 10; offset < 100; offset += 10)
    if (!allStackPorts(stackLayout('/unused', offset)).some((p) => busy.has(p))) return offset;
  throw new Error('no free port offset for a test stack (10-90 all in use)');
}

/** Processes whose command line mentions the directory (every server of a stack names its config or data in it). */
export function processesMentioning(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir)) out.push(`${name}: ${cmd.slice(0, 120)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined); throws with the last reason after the deadline. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: still not the case after ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
    await sleep(500);
  }
}

export const testKafka = (brokers: string[]) =>
  new Kafka({ clientId: `stack-it-${randomUUID().slice(0, 8)}`, brokers, logLevel: logLevel.NOTHING });

/**
 * Creates a topic, produces three plain records, then an aborted and a committed transaction, all under one key (one
 * partition, so order is the log's), and reads the topic back read_committed with a consumer group. Returns the
 * values read, in order; deletes the topic and the group.
 */
export async function kafkaRoundTrip(
  brokers: string[],
  opts: { replicationFactor?: number; partitions?: number; topic?: string } = {},
): Promise<string[]> {
  const kafka = testKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const topic = opts.topic ?? `it-stack-${randomUUID()}`;
  const groupId = `it-stack-${randomUUID()}`;
  const created = opts.topic === undefined;
  if (created)
    await admin.createTopics({
      topics: [{ topic, numPartitions: opts.partitions ?? 3, replicationFactor: opts.replicationFactor ?? 1 }],
      waitForLeaders: true,
    });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const txProducer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: `it-stack-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  try {
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: ['plain-1', 'plain-2', 'plain-3'].map((value) => ({ key: 'k', value })),
    });
    await txProducer.connect();
    const aborted = await txProducer.transaction();
    await aborted.send({ topic, acks: -1, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();
    const committed = await txProducer.transaction();
    await committed.send({ topic, acks: -1, messages: [{ key: 'k', value: 'committed' }] });
    await committed.commit();

    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await eventually(
      'the committed record is read',
      async () => (seen.includes('committed') ? true : undefined),
      90_000,
    );
    return seen;
  } finally {
    await consumer.disconnect();
    await txProducer.disconnect();
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    if (created) await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
}
