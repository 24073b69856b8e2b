/**
 * The partners' side of the local Kafka, for real (kafka-security.ts): beside the internal PLAINTEXT listener, whose
 * anonymous principal is a super user (internal services and transactions work as before), a SASL listener where a
 * SCRAM-SHA-512 user reads what its ACLs allow and nothing else; then the same over TLS (`tls: true`), which `up`
 * switches to by restarting the running broker, a client verifying the broker with the stack's CA.
 *
 * The SCRAM user is made with Kafka's own tool (kafka.admin.ConfigCommand from the jars), ACLs through kafkajs on the
 * internal listener. Throwaway stack in its own directory on free ports, as in stack.int.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'seatstream-sasl-it-'));
chmodSync(dir, 0o755);
process.env.SEATSTREAM_STACK_DIR = dir;
for (const v of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL', 'CLICKHOUSE_URL'])
  delete process.env[v];

const { loadEndpoints, kafkaBrokers, repoRoot } = await import('../config.js');
const { stackUp, stackDown, stackStatus } = await import('./index.js');
const { freePortOffset, kafkaRoundTrip, processesMentioning } = await import('./test-support.js');
const { default: kafkajs } = await import('kafkajs');
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

const portOffset = freePortOffset();
const quiet = { portOffset, log: () => undefined };
const user = `it-partner-${randomUUID().slice(0, 8)}`;
const password: string = randomUUID();
const allowed = `it-sasl-allowed-${randomUUID()}`;
const forbidden = `it-sasl-forbidden-${randomUUID()}`;

interface SaslEndpoints {
  kafkaSasl: string;
  kafkaSaslProtocol: 'SASL_PLAINTEXT' | 'SASL_SSL';
  kafkaSaslCa?: string;
}
const saslEndpoints = () => loadEndpoints() as unknown as SaslEndpoints;

const internal = () =>
  new Kafka({ clientId: 'it-internal', brokers: kafkaBrokers(loadEndpoints()), logLevel: logLevel.NOTHING });

/** A client of the SASL listener as a partner would configure it, from endpoints.json. */
function partner(pw: string = password, ssl?: { ca?: Buffer[] } | false) {
  const e = saslEndpoints();
  const tls = e.kafkaSaslProtocol === 'SASL_SSL';
  return new Kafka({
    clientId: 'it-partner',
    brokers: e.kafkaSasl.split(','),
    sasl: { mechanism: 'scram-sha-512', username: user, password: pw },
    ssl: ssl ?? (tls ? { ca: [readFileSync(e.kafkaSaslCa!)] } : false),
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
    connectionTimeout: 3_000,
  });
}

/** Reads the first record of a topic as the partner; rejects with kafkajs' error (its `type` names Kafka's code). */
async function readFirst(topic: string, kafka = partner()): Promise<string> {
  const consumer = kafka.consumer({ groupId: `${user}.${randomUUID()}`, retry: { retries: 0 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

const errorType = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no error';
  } catch (err) {
    const e = err as { type?: string; name?: string; cause?: { type?: string } };
    return e.type ?? e.cause?.type ?? e.name ?? String(err);
  }
};

describe('local Kafka: SASL/SCRAM listener and ACLs for partners', { timeout: 600_000 }, () => {
  before(async () => {
    await stackUp({ ...quiet, only: ['kafka'] });
    await promisify(execFile)(
      'java',
      [
        '-cp',
        join(repoRoot, '.stack', 'kafka', 'libs', '*'),
        'kafka.admin.ConfigCommand',
        '--bootstrap-server',
        kafkaBrokers(loadEndpoints())[0]!,
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        user,
        '--add-config',
        `SCRAM-SHA-512=[iterations=4096,password=${password}]`,
      ],
      { timeout: 120_000 },
    );
    const admin = internal().admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [allowed, forbidden].map((topic) => ({ topic, numPartitions: 1 })),
        waitForLeaders: true,
      });
      const producer = internal().producer();
      await producer.connect();
      await producer.send({ topic: allowed, messages: [{ value: 'for the partner' }] });
      await producer.send({ topic: forbidden, messages: [{ value: 'not for the partner' }] });
      await producer.disconnect();
      await admin.createAcls({
        acl: [
          {
            resourceType: AclResourceTypes.TOPIC,
            resourceName: allowed,
            resourcePatternType: ResourcePatternTypes.LITERAL,
          },
          {
            resourceType: AclResourceTypes.GROUP,
            resourceName: `${user}.`,
            resourcePatternType: ResourcePatternTypes.PREFIXED,
          },
        ].map((r) => ({
          ...r,
          principal: `User:${user}`,
          host: '*',
          operation: AclOperationTypes.READ,
          permissionType: AclPermissionTypes.ALLOW,
        })),
      });
    } finally {
      await admin.disconnect();
    }
  });

  after(async () => {
    try {
      await stackDown(quiet);
      assert.deepEqual(processesMentioning(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the SASL listener kafkaSasl in endpoints.json and status', async () => {
    const st = await stackStatus({ portOffset });
    const e = saslEndpoints();
    assert.equal(e.kafkaSasl, `127.0.0.1:${19094 + portOffset}`);
    assert.equal(e.kafkaSaslProtocol, 'SASL_PLAINTEXT');
    assert.equal(st.endpoints.kafkaSasl, e.kafkaSasl);
    assert.ok(st.components.find((c) => c.name === 'kafka')?.ports.includes(19094 + portOffset));
  });

  it('keeps the internal PLAINTEXT listener working as before: produce, consume, transactions', async () => {
    assert.deepEqual(await kafkaRoundTrip(kafkaBrokers(loadEndpoints())), [
      'plain-1',
      'plain-2',
      'plain-3',
      'committed',
    ]);
  });

  it('lets a SCRAM user read the topic its ACLs allow, with a consumer group of its prefix', async () => {
    assert.equal(await readFirst(allowed), 'for the partner');
  });

  it('refuses that user any other topic, any write, and a wrong password', async () => {
    assert.equal(await errorType(readFirst(forbidden)), 'TOPIC_AUTHORIZATION_FAILED');
    const producer = partner().producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      assert.equal(
        await errorType(producer.send({ topic: allowed, messages: [{ value: 'x' }] })),
        'TOPIC_AUTHORIZATION_FAILED',
      );
    } finally {
      await producer.disconnect();
    }
    assert.equal(await errorType(partner('wrong-password').admin().connect()), 'KafkaJSSASLAuthenticationError');
  });

  it('switches the listener to TLS (SASL_SSL) by restarting the broker; clients verify it with the stack CA', async () => {
    await stackUp({ ...quiet, only: ['kafka'], tls: true });
    const e = saslEndpoints();
    assert.equal(e.kafkaSaslProtocol, 'SASL_SSL');
    assert.ok(e.kafkaSaslCa && readFileSync(e.kafkaSaslCa, 'utf8').includes('BEGIN CERTIFICATE'));
    assert.equal(await readFirst(allowed), 'for the partner');
    // without the CA the broker's certificate is not trusted
    assert.notEqual(await errorType(partner(password, {}).admin().connect()), 'no error');
    // and the internal listener is still plain, its data still there
    assert.deepEqual(await kafkaRoundTrip(kafkaBrokers(loadEndpoints())), [
      'plain-1',
      'plain-2',
      'plain-3',
      'committed',
    ]);
  });
});
