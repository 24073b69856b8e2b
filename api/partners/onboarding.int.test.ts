/**
 * Partner onboarding through the real app on PostgreSQL, Redis, Kafka (internal listener for the admin side, the
 * SASL listener to log in as the partner) and the schema registry: create (credential shown once, ACLs of the
 * entitlements, own topic and subject), rotate (the old password stops working), suspend and resume, delete
 * (nothing left on Kafka, the id never reused), the audit trail (who, what, when, request id) and the log (audited,
 * never the password); roles and bad input answered with stable codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { fastArgon2, organizer, customer, type SignedIn } from '../catalog/testing.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { partnerBookingsFor, subjectFor } from '../../topics/catalog.js';
import { registry, removePartners, saslEndpoints, testPartnerId } from '../../test/partners/testing.js';

const { Kafka, logLevel } = kafkajs;

interface Credentials {
  username: string;
  password: string;
  bootstrapServers: string;
  securityProtocol: 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism: string;
  schemaRegistryUrl: string;
}
interface View {
  partnerId: string;
  status: string;
  entitlements: string[];
  credentialVersion: number;
  kafka: { username: string; topics: string[]; consumerGroupPrefix: string };
}
interface KafkaState {
  credentials: string[];
  acls: { resourceType: string; patternType: string; resourceName: string; operation: string; permission: string }[];
  topics: string[];
}

/** Logs in on the SASL listener as the partner and lists the topics it may see; rejects on a refused login. */
async function loginAndList(c: Credentials): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const ca = saslEndpoints().kafkaSaslCa;
  const admin = new Kafka({
    clientId: 'it-partner-login',
    brokers: c.bootstrapServers.split(','),
    sasl: { mechanism: 'scram-sha-512', username: c.username, password: c.password },
    ssl: c.securityProtocol === 'SASL_SSL' ? { ca: ca ? [readFileSync(ca)] : [] } : false,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).sort();
  } finally {
    await admin.disconnect();
  }
}

describe('partner onboarding API (PostgreSQL + Redis + Kafka + registry)', { timeout: 300_000 }, () => {
  let h: Harness;
  let admin: SignedIn;
  const logLines: string[] = [];
  const ids = [testPartnerId(), testPartnerId()];
  const [id, narrow] = ids as [string, string];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    h = await startHarness({ env: fastArgon2, logger: pino({ level: 'info' }, sink) });
    admin = await organizer(h, 'admin');
  });

  after(async () => {
    try {
      if (h && admin) await removePartners(h, admin.token, ids);
    } finally {
      await h?.close();
    }
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token = admin.token) =>
    h.inject({ method, url, token, ...(payload === undefined ? {} : { payload: payload as object }) });

  let first: Credentials;

  it('creates a partner: credential shown once, its topics, ACLs of its entitlements, audited', async () => {
    const res = await call('POST', '/v1/admin/partners', {
      partnerId: id,
      displayName: 'Tickets & Co',
      kind: 'reseller',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const { partner, credentials } = res.json() as { partner: View; credentials: Credentials };
    first = credentials;
    assert.equal(partner.status, 'active');
    assert.deepEqual(partner.entitlements, ['availability', 'bookings', 'catalog', 'sales']);
    assert.equal(partner.credentialVersion, 1);
    assert.equal(credentials.username, `partner.${id}`);
    assert.match(credentials.password, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(credentials.bootstrapServers, saslEndpoints().kafkaSasl);
    assert.equal(credentials.saslMechanism, 'SCRAM-SHA-512');

    const state = (await call('GET', `/v1/admin/partners/${id}/kafka`)).json() as KafkaState;
    assert.deepEqual(state.credentials, ['SCRAM-SHA-512']);
    assert.deepEqual(state.topics, [partnerBookingsFor(id).name]);
    assert.deepEqual(
      state.acls
        .map((a) => `${a.permission} ${a.operation} ${a.resourceType} ${a.patternType} ${a.resourceName}`)
        .sort(),
      [
        `ALLOW READ GROUP PREFIXED partner.${id}.`,
        'ALLOW READ TOPIC LITERAL partner.availability.v1',
        'ALLOW READ TOPIC LITERAL partner.catalog.v1',
        'ALLOW READ TOPIC LITERAL partner.sales.v1',
        `ALLOW READ TOPIC PREFIXED partner.${id}.`,
      ],
    );
    assert.equal(await registry.compatibilityLevel(subjectFor(partnerBookingsFor(id))), 'FULL_TRANSITIVE');
    assert.deepEqual(await loginAndList(credentials), partner.kafka.topics.slice().sort());

    // not shown again
    const again = (await call('GET', `/v1/admin/partners/${id}`)).json() as Record<string, unknown>;
    assert.ok(!JSON.stringify(again).includes(credentials.password));
  });

  it('grants only the entitlements asked for', async () => {
    const res = await call('POST', '/v1/admin/partners', {
      partnerId: narrow,
      displayName: 'Gulf Media',
      kind: 'media',
      entitlements: ['catalog'],
    });
    assert.equal(res.statusCode, 201, res.body);
    const { credentials } = res.json() as { credentials: Credentials };
    assert.deepEqual(await loginAndList(credentials), ['partner.catalog.v1']);
    assert.deepEqual(((await call('GET', `/v1/admin/partners/${narrow}/kafka`)).json() as KafkaState).topics, []);
  });

  it('refuses an id taken, reserved or malformed, and non-admins', async () => {
    const body = { partnerId: id, displayName: 'x', kind: 'venue' };
    assert.equal((await call('POST', '/v1/admin/partners', body)).json().code, 'SS_ERR_PARTNER_EXISTS');
    const reserved = await call('POST', '/v1/admin/partners', { ...body, partnerId: 'catalog' });
    assert.deepEqual([reserved.statusCode, reserved.json().code], [422, 'SS_ERR_PARTNER_ID_REFUSED']);
    for (const partnerId of ['Acme', 'acme.x', 'a_b', 'ab', 'acme-'])
      assert.equal((await call('POST', '/v1/admin/partners', { ...body, partnerId })).json().code, 'SS_ERR_VALIDATION');
    assert.equal((await call('GET', '/v1/admin/partners/no-such-partner')).json().code, 'SS_ERR_PARTNER_NOT_FOUND');
    const buyer = await customer(h);
    assert.equal((await call('GET', '/v1/admin/partners', undefined, buyer.token)).statusCode, 403);
    assert.equal((await h.inject({ method: 'GET', url: '/v1/admin/partners' })).statusCode, 401);
  });

  it('rotates the secret: the old password is refused, the new one logs in', async () => {
    const res = await call('POST', `/v1/admin/partners/${id}/credentials`);
    assert.equal(res.statusCode, 200, res.body);
    const { partner, credentials } = res.json() as { partner: View; credentials: Credentials };
    assert.equal(partner.credentialVersion, 2);
    assert.notEqual(credentials.password, first.password);
    await assert.rejects(loginAndList(first), (err: Error) => err.name === 'KafkaJSSASLAuthenticationError');
    assert.ok((await loginAndList(credentials)).includes(partnerBookingsFor(id).name));
  });

  it('suspends (DENY ACLs on everything) and resumes', async () => {
    const s = await call('POST', `/v1/admin/partners/${id}/suspend`, { reason: 'unpaid invoices' });
    assert.equal((s.json() as View).status, 'suspended');
    const denies = ((await call('GET', `/v1/admin/partners/${id}/kafka`)).json() as KafkaState).acls.filter(
      (a) => a.permission === 'DENY',
    );
    assert.deepEqual(denies.map((d) => d.resourceType).sort(), ['CLUSTER', 'GROUP', 'TOPIC', 'TRANSACTIONAL_ID']);
    assert.equal((await call('POST', `/v1/admin/partners/${id}/suspend`, {})).statusCode, 200, 'idempotent');
    const r = await call('POST', `/v1/admin/partners/${id}/resume`);
    assert.equal((r.json() as View).status, 'active');
    assert.equal(
      ((await call('GET', `/v1/admin/partners/${id}/kafka`)).json() as KafkaState).acls.filter(
        (a) => a.permission === 'DENY',
      ).length,
      0,
    );
  });

  it('deletes: nothing left on Kafka, the record and audit kept, the id never reused', async () => {
    const res = await call('DELETE', `/v1/admin/partners/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as View).status, 'deleted');
    assert.deepEqual((await call('GET', `/v1/admin/partners/${id}/kafka`)).json(), {
      user: `partner.${id}`,
      principal: `User:partner.${id}`,
      credentials: [],
      acls: [],
      topics: [],
    });
    assert.equal(await registry.latest(subjectFor(partnerBookingsFor(id))), undefined);
    const { rows } = await h.pool.query('SELECT buyer_salt FROM partners WHERE partner_id = $1', [id]);
    assert.equal(rows[0].buyer_salt, null, 'the buyer salt is erased');
    assert.equal((await call('POST', `/v1/admin/partners/${id}/resume`)).json().code, 'SS_ERR_PARTNER_STATE');
    const reuse = await call('POST', '/v1/admin/partners', { partnerId: id, displayName: 'again', kind: 'venue' });
    assert.equal(reuse.json().code, 'SS_ERR_PARTNER_EXISTS');
  });

  it('audits who did what and when, and logs it, never the password', async () => {
    const audit = (await call('GET', `/v1/admin/partners/${id}/audit`)).json() as {
      action: string;
      actorId: string;
      requestId: string;
      at: string;
      details: Record<string, unknown>;
    }[];
    assert.deepEqual(
      audit.map((a) => a.action),
      ['created', 'credentials-rotated', 'suspended', 'resumed', 'deleted'],
    );
    for (const a of audit) {
      assert.equal(a.actorId, admin.user.id);
      assert.ok(a.requestId && !Number.isNaN(Date.parse(a.at)));
    }
    assert.equal(audit[2]!.details.reason, 'unpaid invoices');
    assert.deepEqual(audit[4]!.details.topics, [partnerBookingsFor(id).name]);
    const logged = logLines.filter((l) => l.includes('"audit"') && l.includes(id));
    assert.equal(logged.length, 5);
    assert.ok(!logLines.some((l) => l.includes(first.password)), 'no password in the logs');
  });
});
