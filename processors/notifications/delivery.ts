/**
 * Delivery of notifications.v1 to the channels a user has not opted out of (notification_preferences):
 *
 *   inbox      a row in notification_inbox (the in-app inbox, read by GET /v1/me/notifications)
 *   websocket  a message on the user's Redis channel (`user:<id>` of connectors/push-router/channels.ts), which the
 *              WebSocket gateway replicas relay: `{v: 1, kind: 'notification', notification}`
 *   email      an e-mail over SMTP (nodemailer) to the account's address (decrypted with the PII keys), with the
 *              language's direction, `Content-Language`, and the notification id as Message-ID
 *
 * At least once from Kafka, each channel deduplicated by notification id in notification_deliveries: a channel is
 * claimed in PostgreSQL before it is sent, and the claim is dropped again when the send fails (so it is retried).
 * A crash between a claim and its send loses that one delivery rather than sending it twice.
 */
import kafkajs from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Transporter } from 'nodemailer';
import type pg from 'pg';
import type { Logger } from '../../infra/log.js';
import { channelsFor, type Channels } from '../../connectors/push-router/channels.js';
import type { Notification } from '../../schemas/generated/notification.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import type { NotificationMessage } from '../../connectors/push-router/channels.js';

export type Channel = 'inbox' | 'websocket' | 'email';

export interface DeliveryOptions {
  brokers: string[];
  groupId?: string;
  pool: pg.Pool;
  redis: Redis;
  /** Push channel prefix (PUSH_CHANNEL_PREFIX; default the router's). */
  channelPrefix?: string;
  mailer: Transporter;
  from: string;
  /** The e-mail address of a user, or null (no account, erased). */
  emailOf: (userId: string) => Promise<string | null>;
  registry: RegistryClient;
  log: Logger;
  fromBeginning?: boolean;
}

const opt = (v: null | { string: string }) => (v === null ? null : v.string);

/** The push contract lives with the router's channels (connectors/push-router/channels.ts). */
export type WebSocketNotification = NotificationMessage;

export class NotificationDelivery {
  private readonly consumer: kafkajs.Consumer;
  private readonly channels: Channels;
  private readonly serde;

  constructor(private readonly o: DeliveryOptions) {
    const kafka = new kafkajs.Kafka({
      brokers: o.brokers,
      clientId: 'notification-delivery',
      logLevel: kafkajs.logLevel.WARN,
    });
    this.consumer = kafka.consumer({ groupId: o.groupId ?? 'notification-delivery', maxWaitTimeInMs: 100 });
    this.channels = channelsFor(o.channelPrefix);
    this.serde = serdeFor(topics.notifications, o.registry, { autoRegister: false });
  }

  private onJoin: () => void = () => {};
  /** Resolves once the consumer has joined its group (tests produce after it). */
  readonly joined: Promise<void> = new Promise((resolve) => (this.onJoin = resolve));

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.onJoin());
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topics.notifications.name, fromBeginning: this.o.fromBeginning ?? true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        let n: Notification;
        try {
          n = await this.serde.deserialize(topics.notifications.name, message.value);
        } catch (err) {
          this.o.log.error({ err, offset: message.offset }, 'undecodable notification skipped');
          return;
        }
        await this.deliver(n);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  /** Delivers one notification to every channel the user wants (idempotent per channel). */
  async deliver(n: Notification): Promise<Channel[]> {
    const prefs = (
      await this.o.pool.query<{ websocket: boolean; email: boolean; inbox: boolean }>(
        'SELECT websocket, email, inbox FROM notification_preferences WHERE user_id = $1',
        [n.userId],
      )
    ).rows[0] ?? { websocket: true, email: true, inbox: true };
    const done: Channel[] = [];
    for (const channel of ['inbox', 'websocket', 'email'] as const) {
      if (!prefs[channel]) continue;
      const claimed = await this.o.pool.query(
        `INSERT INTO notification_deliveries (notification_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [n.notificationId, channel],
      );
      if (claimed.rowCount === 0) continue;
      try {
        await this.send(channel, n);
        done.push(channel);
      } catch (err) {
        await this.o.pool.query('DELETE FROM notification_deliveries WHERE notification_id = $1 AND channel = $2', [
          n.notificationId,
          channel,
        ]);
        throw err; // the message is consumed again
      }
    }
    return done;
  }

  private async send(channel: Channel, n: Notification): Promise<void> {
    const about = { eventId: opt(n.eventId), holdId: opt(n.holdId), bookingId: opt(n.bookingId) };
    if (channel === 'inbox') {
      await this.o.pool.query(
        `INSERT INTO notification_inbox (notification_id, user_id, kind, locale, direction, title, body, event_id, hold_id, booking_id, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (notification_id) DO NOTHING`,
        [
          n.notificationId,
          n.userId,
          n.kind,
          n.locale,
          n.direction,
          n.title,
          n.body,
          about.eventId,
          about.holdId,
          about.bookingId,
          new Date(n.occurredAt),
        ],
      );
    } else if (channel === 'websocket') {
      const message: WebSocketNotification = {
        v: 1,
        kind: 'notification',
        notification: {
          id: n.notificationId,
          kind: n.kind,
          locale: n.locale,
          direction: n.direction,
          title: n.title,
          body: n.body,
          ...about,
          occurredAt: n.occurredAt,
        },
      };
      await this.o.redis.publish(this.channels.user(n.userId), JSON.stringify(message));
    } else {
      const to = await this.o.emailOf(n.userId);
      if (!to) return;
      const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      await this.o.mailer.sendMail({
        from: this.o.from,
        to,
        subject: n.title,
        text: n.body,
        html: `<!doctype html><html lang="${n.locale}" dir="${n.direction}"><body dir="${n.direction}"><h1>${escape(n.title)}</h1><p>${escape(n.body)}</p></body></html>`,
        messageId: `<${n.notificationId.replace(/[^A-Za-z0-9._-]/g, '.')}@seatstream>`,
        headers: { 'Content-Language': n.locale },
      });
    }
  }
}
