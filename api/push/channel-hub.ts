/**
 * One Redis subscriber connection per API replica, shared by everything that listens: bookings waiting for their
 * decision and WebSocket connections following a topic. Channels are reference-counted: the replica is subscribed
 * to a channel while at least one listener wants it, and only then, so Redis sends a replica only what its own
 * requests and clients need.
 *
 * Subscribe and unsubscribe commands of one channel are issued strictly one after the other (a per-channel chain),
 * so a quick unsubscribe-then-subscribe can never end unsubscribed. ioredis resubscribes by itself after a
 * reconnect (messages published while disconnected are lost: pub/sub is fire-and-forget; a booking then answers
 * 202, a WebSocket client resynchronises from the read models when it reconnects).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../infra/log.js';

export type Listener = (message: string, channel: string) => void;

interface Entry {
  listeners: Set<Listener>;
  ready: Promise<void>;
}

export class ChannelHub {
  private client: Redis | null = null;
  private readonly entries = new Map<string, Entry>();
  private readonly tails = new Map<string, Promise<void>>();
  private closed = false;

  /** @param connect makes the subscriber connection (called once, at the first subscription) */
  constructor(
    private readonly connect: () => Redis,
    private readonly log: Logger,
  ) {}

  /**
   * Adds a listener to a channel. Resolves once Redis has confirmed the subscription: anything published after that
   * reaches the listener. Resolves with the function that removes the listener.
   * @throws when Redis refuses or cannot be reached (the listener is not added)
   */
  async subscribe(channel: string, listener: Listener): Promise<() => void> {
    if (this.closed) throw new Error('the channel hub is closed');
    let entry = this.entries.get(channel);
    if (!entry) {
      const created: Entry = { listeners: new Set(), ready: this.chain(channel, (c) => c.subscribe(channel)) };
      created.ready.catch(() => {
        if (this.entries.get(channel) === created) this.entries.delete(channel);
      });
      this.entries.set(channel, created);
      entry = created;
    }
    const joined = entry;
    joined.listeners.add(listener);
    try {
      await joined.ready;
    } catch (err) {
      joined.listeners.delete(listener);
      throw err;
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.remove(channel, joined, listener);
    };
  }

  /** Channels this replica is subscribed to (or subscribing). */
  get channelCount(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    const c = this.client;
    this.client = null;
    if (c) await c.quit().catch(() => c.disconnect());
  }

  private remove(channel: string, entry: Entry, listener: Listener): void {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || this.entries.get(channel) !== entry) return;
    this.entries.delete(channel);
    if (this.closed) return;
    this.chain(channel, (c) => c.unsubscribe(channel)).catch((err: unknown) =>
      this.log.warn({ err, channel }, 'unsubscribe failed'),
    );
  }

  /** Runs a command on the channel after the previous one of the same channel has completed. */
  private chain(channel: string, command: (c: Redis) => Promise<unknown>): Promise<void> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => void (await command(this.subscriber())));
    this.tails.set(channel, next);
    next
      .finally(() => {
        if (this.tails.get(channel) === next) this.tails.delete(channel);
      })
      .catch(() => undefined);
    return next;
  }

  private subscriber(): Redis {
    if (this.client) return this.client;
    const c = this.connect();
    c.on('message', (channel: string, message: string) => {
      const entry = this.entries.get(channel);
      if (!entry) return;
      for (const listener of [...entry.listeners]) {
        try {
          listener(message, channel);
        } catch (err) {
          this.log.error({ err, channel }, 'a channel listener failed');
        }
      }
    });
    this.client = c;
    return c;
  }
}
