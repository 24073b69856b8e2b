/**
 * What the partner integration tests share: an admin session on the real API (harness), partners onboarded through
 * it, a partner projector started in-process for the test's own events, internal records produced to the real
 * topics through the registry, and the cleanup of all of it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { kafkaBrokers, loadEndpoints, type Endpoints } from '../../infra/config.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics, type TopicSpec } from '../../topics/catalog.js';
import { projectorConfig, startPartnerProjector, type PartnerProjector } from '../../connectors/partners/projector.js';
import type { Harness } from '../../api/testing/harness.js';
import type { PartnerConnection } from './clients.js';

const { Kafka: KafkaClient, logLevel, Partitioners } = kafkajs;

export const registry = createRegistryClient(loadEndpoints().schemaRegistry);

/** The stack's endpoints with the partners' SASL listener (infra/stack writes it to endpoints.json). */
export const saslEndpoints = () =>
  loadEndpoints() as Endpoints & {
    kafkaSasl?: string;
    kafkaSaslProtocol?: 'SASL_PLAINTEXT' | 'SASL_SSL';
    kafkaSaslCa?: string;
  };

/** A partner id of this run: 'it-' and 8 hex digits (a valid, never reserved id). */
export const testPartnerId = () => `it-${randomUUID().slice(0, 8)}`;

export interface Onboarded {
  partnerId: string;
  connection: PartnerConnection;
}

/** Creates a partner through the API as `adminToken`; answers what a partner is given. */
export async function onboard(
  h: Harness,
  adminToken: string,
  partnerId: string,
  body: Record<string, unknown> = {},
): Promise<Onboarded> {
  const res = await h.inject({
    method: 'POST',
    url: '/v1/admin/partners',
    token: adminToken,
    payload: { partnerId, displayName: `Test partner ${partnerId}`, kind: 'reseller', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`onboarding ${partnerId}: ${res.statusCode} ${res.body}`);
  const { credentials } = res.json() as {
    credentials: Omit<PartnerConnection, 'caFile'>;
  };
  const ca = saslEndpoints().kafkaSaslCa;
  return { partnerId, connection: { ...credentials, ...(ca ? { caFile: ca } : {}) } };
}

/** Deletes the partners through the API (Kafka side) and then their rows and audit (tests only: the API keeps them). */
export async function removePartners(h: Harness, adminToken: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await h.inject({ method: 'DELETE', url: `/v1/admin/partners/${id}`, token: adminToken });
    if (res.statusCode !== 200 && res.statusCode !== 404 && res.statusCode !== 409)
      throw new Error(`deleting ${id}: ${res.statusCode} ${res.body}`);
  }
  await h.pool.query('DELETE FROM partner_audit WHERE partner_id = ANY($1)', [ids]);
  await h.pool.query('DELETE FROM partners WHERE partner_id = ANY($1)', [ids]);
}

export const internalKafka = (): Kafka =>
  new KafkaClient({
    clientId: `it-partners-${randomUUID().slice(0, 8)}`,
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });

/** Produces values (null: a tombstone) to internal topics, keyed by eventId, Avro through the registry. */
export async function produce(
  kafka: Kafka,
  records: { spec: TopicSpec & { valueSchema: string }; key: string; value: unknown }[],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const r of records) {
      const serde = serdeFor(r.spec, registry, { autoRegister: false });
      await producer.send({
        topic: r.spec.name,
        acks: -1,
        messages: [
          { key: r.key, value: r.value === null ? null : await serde.serialize(r.spec.name, r.value as never) },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface TestProjector {
  projector: PartnerProjector;
  /** Stops it, then deletes its state directory, changelog and consumer groups (unless `keep`: a restart follows). */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

/**
 * A partner projector of its own (application id and router group from `tag`, a fresh state directory), starting at
 * the end of the topics and projecting only the events `eventFilter` accepts; ready when it resolves. Started again
 * with the same tag, it is the same application: it resumes from its committed offsets and restores its store from
 * the changelog into its new, empty state directory.
 */
export async function startTestProjector(
  h: Harness,
  eventFilter: (eventId: string) => boolean,
  tag: string = randomUUID().slice(0, 8),
): Promise<TestProjector> {
  const stateDir = mkdtempSync(join(tmpdir(), 'seatstream-partner-projector-'));
  const config = {
    ...projectorConfig({}),
    applicationId: `it-partner-projector-${tag}`,
    routerGroupId: `it-partner-router-${tag}`,
    instanceId: 'it',
    stateDir,
    autoOffsetReset: 'latest' as const,
  };
  const projector = await startPartnerProjector({ config, pool: h.pool, registry, eventFilter });
  await projector.ready();
  return {
    projector,
    async stop(opts = {}) {
      await projector.stop();
      rmSync(stateDir, { recursive: true, force: true });
      if (opts.keep) return;
      const admin = internalKafka().admin();
      await admin.connect();
      try {
        const changelog = `${config.applicationId}-sales-changelog`;
        if ((await admin.listTopics()).includes(changelog)) await admin.deleteTopics({ topics: [changelog] });
        const { groups } = await admin.listGroups();
        const ours = groups
          .map((g) => g.groupId)
          .filter((g) => g.startsWith(config.applicationId) || g === config.routerGroupId);
        if (ours.length) await admin.deleteGroups(ours).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    },
  };
}

const writerSchemas = new Map<number, avro.Type>();

/** Decodes a Confluent-framed value as any partner would: the writer schema by id from the registry, then Avro. */
export async function decodeThroughRegistry(
  value: Buffer,
): Promise<{ schemaId: number; value: Record<string, unknown> }> {
  if (value[0] !== 0) throw new Error(`not Confluent framing (magic byte ${value[0]})`);
  const id = value.readUInt32BE(1);
  let type = writerSchemas.get(id);
  if (!type) {
    const res = await fetch(`${loadEndpoints().schemaRegistry}/schemas/ids/${id}`);
    if (res.status !== 200) throw new Error(`registry: schema ${id}: ${res.status}`);
    type = avro.Type.forSchema(JSON.parse(((await res.json()) as { schema: string }).schema) as avro.Schema);
    writerSchemas.set(id, type);
  }
  return { schemaId: id, value: type.fromBuffer(value.subarray(5)) as Record<string, unknown> };
}

/** Polls until `check` gives a value; throws with the last reason after `timeoutMs`. */
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
      throw new Error(`${what}: not so after ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export { topics };
