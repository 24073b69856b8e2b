/**
 * Notifications on the real stack: the notifier on the stream runtime (random application id), delivery to the
 * inbox (PostgreSQL), WebSocket push (a Redis channel) and e-mail (nodemailer to a real SMTP server, smtp-server,
 * on 127.0.0.1), users registered through the API. Payment steps are written to payment.results.v1 as the saga
 * writes them, for random hold ids.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { createRedis, type Redis } from '../../api/redis.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { ensureSubjects } from '../../schemas/subjects.js';
import { applyTopics } from '../../topics/apply.js';
import { catalogSpecs, topics } from '../../topics/catalog.js';
import { StreamRuntime } from '../runtime/index.js';
import { resultToAvro } from '../payments/codec.js';
import type { SagaResult } from '../payments/model.js';
import { NotificationDelivery, type WebSocketNotification } from './delivery.js';
import { pgDirectory } from './directory.js';
import { notifierTopology } from './topology.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
};

describe('notifications (real stack, real SMTP server)', () => {
  const endpoints = loadEndpoints();
  const brokers = kafkaBrokers(endpoints);
  const registry = createRegistryClient(endpoints.schemaRegistry);
  const prefix = `ss:test:${randomUUID()}:`;
  const mails: ParsedMail[] = [];
  const pushed: WebSocketNotification[] = [];
  let smtp: SMTPServer;
  let h: Harness;
  let runtime: StreamRuntime;
  let delivery: NotificationDelivery;
  let subscriber: Redis;
  let publisher: Redis;
  let producer: kafkajs.Producer;
  let stateDir: string;
  const resultSerde = serdeFor(topics.paymentResults, registry, { autoRegister: false });
  let seq = 0;

  const publishStep = async (buyerId: string, holdId: string, locale: string | null, result: SagaResult) => {
    const value = resultToAvro(
      {
        holdId,
        eventId: `it-event-${randomUUID()}`,
        buyerId,
        checkoutId: `C-${holdId}`,
        seq: ++seq,
        locale,
        occurredAt: Date.now(),
      },
      result,
    );
    await producer.send({
      topic: topics.paymentResults.name,
      acks: -1,
      messages: [{ key: holdId, value: await resultSerde.serialize(topics.paymentResults.name, value) }],
    });
  };
  const inbox = async (userId: string) =>
    (await h.pool.query(`SELECT * FROM notification_inbox WHERE user_id = $1 ORDER BY occurred_at`, [userId]))
      .rows as Record<string, string>[];

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'notifications-it-'));
    const kafka = new kafkajs.Kafka({ brokers, clientId: 'notifications-it', logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await applyTopics(admin, catalogSpecs());
    await admin.disconnect();
    await ensureSubjects(catalogSpecs(), registry);
    producer = kafka.producer({ idempotent: true, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            mails.push(mail);
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as { port: number }).port;

    h = await startHarness();
    subscriber = createRedis(endpoints.redis);
    publisher = createRedis(endpoints.redis);
    await subscriber.psubscribe(`${prefix}user:*`);
    subscriber.on('pmessage', (_p, _c, message: string) => pushed.push(JSON.parse(message) as WebSocketNotification));

    runtime = new StreamRuntime(notifierTopology({ registry, directory: pgDirectory(h.pool), tickMs: 200 }), {
      applicationId: `it-notifications-${randomUUID()}`,
      brokers,
      stateDir,
      autoOffsetReset: 'latest',
      sessionTimeoutMs: 6_000,
    });
    let opened = 0;
    runtime.on('taskOpened', () => opened++);
    await runtime.start();
    await eventually(() => opened === topics.paymentResults.partitions, 90_000, 'every notifier task to open');

    delivery = new NotificationDelivery({
      brokers,
      groupId: `it-delivery-${randomUUID()}`,
      pool: h.pool,
      redis: publisher,
      channelPrefix: prefix,
      mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }),
      from: 'SeatStream <no-reply@seatstream.test>',
      emailOf: async (userId) =>
        (await h.pool.query(`SELECT 1 FROM users WHERE id::text = $1`, [userId])).rowCount
          ? (emails.get(userId) ?? null)
          : null,
      registry,
      log: logger('delivery-it'),
      fromBeginning: false,
    });
    await delivery.start();
    await delivery.joined;
    await sleep(1_000);
  });
  const emails = new Map<string, string>();

  after(async () => {
    await delivery?.stop();
    await runtime?.close();
    if (h) {
      const ids = [...emails.keys()];
      await h.pool.query(
        'DELETE FROM notification_deliveries WHERE notification_id IN (SELECT notification_id FROM notification_inbox WHERE user_id = ANY($1))',
        [ids],
      );
      await h.pool.query('DELETE FROM notification_inbox WHERE user_id = ANY($1)', [ids]);
      await h.pool.query('DELETE FROM notification_preferences WHERE user_id = ANY($1)', [ids]);
      await h.close();
    }
    await subscriber?.quit();
    await publisher?.quit();
    await producer?.disconnect();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await rm(stateDir, { recursive: true, force: true });
  });

  it('a booking confirmed: e-mail in Arabic (right to left), inbox and WebSocket push', async () => {
    const user = await h.register({ locale: 'ar' });
    emails.set(user.id, user.email);
    const holdId = `H-${randomUUID()}`;
    const seat = {
      seatId: 'ST1-A-1',
      sectionId: 'ST1',
      rowLabel: 'A',
      seatLabel: '1',
      priceCategoryId: 'CAT1',
      priceMinor: 55_000,
    };
    await publishStep(user.id, holdId, 'ar', {
      type: 'CheckoutCompleted',
      bookingId: 'B-1',
      paymentId: 'pay_1',
      totalMinor: 55_000,
      currency: 'MAD',
      seats: [seat],
      generalAdmission: null,
    });
    await eventually(() => mails.some((m) => m.to && JSON.stringify(m.to).includes(user.email)), 30_000, 'the e-mail');
    const mail = mails.find((m) => JSON.stringify(m.to).includes(user.email))!;
    assert.match(mail.subject ?? '', /^تم تأكيد حجزك/);
    assert.match(String(mail.html), /dir="rtl"/);
    assert.equal(mail.headers.get('content-language'), 'ar');
    await eventually(async () => (await inbox(user.id)).length === 1, 10_000, 'the inbox row');
    assert.equal((await inbox(user.id))[0]!.direction, 'rtl');
    await eventually(() => pushed.some((p) => p.notification.title === mail.subject), 10_000, 'the WebSocket push');
  });

  it('a user who opted out of e-mail gets the inbox and push only, in French', async () => {
    const user = await h.register({ locale: 'fr' });
    emails.set(user.id, user.email);
    const token = ((await h.login(user)).json() as { accessToken: string }).accessToken;
    const put = await h.inject({
      method: 'PUT',
      url: '/v1/me/notification-preferences',
      token,
      payload: { websocket: true, email: false, inbox: true },
    });
    assert.equal(put.statusCode, 200, put.body);
    const holdId = `H-${randomUUID()}`;
    await publishStep(user.id, holdId, null, {
      type: 'CheckoutFailed',
      code: 'PAY_DECLINED',
      message: 'declined',
      holdReleased: true,
    });
    await publishStep(user.id, holdId, null, {
      type: 'PaymentRefunded',
      paymentId: 'pay_2',
      refundId: 're_2',
      amountMinor: 1_000,
      currency: 'EUR',
      bookingId: 'B-2',
    });
    // Same user, same partition: once the second is in the inbox, the first was fully delivered.
    await eventually(async () => (await inbox(user.id)).length === 2, 30_000, 'both inbox rows');
    const rows = await inbox(user.id);
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['PAYMENT_FAILED', 'BOOKING_REFUNDED'],
    );
    assert.match(String(rows[0]!.body), /votre carte a été refusée/);
    assert.equal(
      mails.some((m) => JSON.stringify(m.to).includes(user.email)),
      false,
      'no e-mail after opting out',
    );
    const emailRows = await h.pool.query(
      `SELECT 1 FROM notification_deliveries WHERE notification_id = ANY($1) AND channel = 'email'`,
      [rows.map((r) => r.notification_id)],
    );
    assert.equal(emailRows.rowCount, 0);
    assert.ok(
      pushed.some((p) => p.notification.id === rows[0]!.notification_id),
      'pushed on the WebSocket channel',
    );

    const list = await h.inject({ method: 'GET', url: '/v1/me/notifications', token });
    assert.equal(list.statusCode, 200, list.body);
    const items = (list.json() as { items: { notificationId: string; locale: string; read: boolean }[] }).items;
    assert.equal(items.length, 2);
    assert.ok(items.every((i) => i.locale === 'fr' && !i.read));
    const read = await h.inject({
      method: 'POST',
      url: `/v1/me/notifications/${encodeURIComponent(items[0]!.notificationId)}/read`,
      token,
    });
    assert.equal(read.statusCode, 204);
    const unread = await h.inject({ method: 'GET', url: '/v1/me/notifications?unread=true', token });
    assert.equal((unread.json() as { items: unknown[] }).items.length, 1);
  });
});
