/**
 * Feature flags in Redis, read from a per-process cache:
 *
 *   <prefix>flags            a hash: flag name → rule (`on`, `off`, `25%`; rollout.ts)
 *   <prefix>flags:changed    a pub/sub channel: the name of a flag whose rule changed
 *
 * `isOn()` reads the cache only (no Redis round trip on a request path). The cache is filled at `start()`, updated
 * by the channel within milliseconds of a `set()` anywhere, and reloaded whole each time the subscriber connection
 * is (re)established, so a change published while it was disconnected is not missed. A flag the store has no rule
 * for answers its default.
 */
import type { Redis } from 'ioredis';
import { formatRule, isOn, parseRule, type FlagRule } from './rollout.js';

export interface FlagStoreOptions {
  /** Commands (HGETALL, HSET, PUBLISH). */
  redis: Redis;
  /** A connection of its own for SUBSCRIBE (a subscribed connection takes no other command); closed by `close()`. */
  subscriber?: Redis;
  /** Key prefix, as the API's other keys (API_REDIS_PREFIX). */
  prefix: string;
  /** Told about a rule in Redis that does not parse (it is ignored: the flag answers its default). */
  onInvalid?: (name: string, text: string) => void;
}

export interface FlagQuery {
  default: boolean;
  userId?: string;
}

export class FlagStore {
  private readonly rules = new Map<string, FlagRule>();
  private readonly key: string;
  private readonly channel: string;
  private running = false;

  constructor(private readonly o: FlagStoreOptions) {
    this.key = `${o.prefix}flags`;
    this.channel = `${o.prefix}flags:changed`;
  }

  /**
   * Subscribes (with a subscriber), then loads every rule: resolved once both are done, so a change made after it
   * resolves is seen. While Redis is unreachable it does not resolve (a subscriber waits for Redis): callers that
   * must not wait bound it (api/http/flags.ts); the flags answer their defaults meanwhile.
   */
  async start(): Promise<void> {
    this.running = true;
    const sub = this.o.subscriber;
    if (sub) {
      sub.on('message', (channel: string, name: string) => {
        if (channel === this.channel) void this.reload(name).catch(() => undefined);
      });
      // ioredis resubscribes by itself after a reconnect; what was published meanwhile is read again here
      let subscribed = false;
      sub.on('ready', () => {
        if (this.running && subscribed) void this.reloadAll().catch(() => undefined);
      });
      await sub.subscribe(this.channel);
      subscribed = true;
    }
    await this.reloadAll();
  }

  async close(): Promise<void> {
    this.running = false;
    this.o.subscriber?.disconnect();
  }

  /** The flag's answer for this caller, from the cache. */
  isOn(name: string, q: FlagQuery): boolean {
    const rule = this.rules.get(name);
    return rule ? isOn(rule, name, q.userId) : q.default;
  }

  /** The cached rule, if any. */
  rule(name: string): FlagRule | undefined {
    return this.rules.get(name);
  }

  /** Sets a rule for every process (this one at once). */
  async set(name: string, rule: FlagRule): Promise<void> {
    await this.o.redis.hset(this.key, name, formatRule(rule));
    this.rules.set(name, rule);
    await this.o.redis.publish(this.channel, name);
  }

  /** Removes the rule: the flag answers its default again everywhere. */
  async unset(name: string): Promise<void> {
    await this.o.redis.hdel(this.key, name);
    this.rules.delete(name);
    await this.o.redis.publish(this.channel, name);
  }

  /** Every rule in Redis, as text. */
  async list(): Promise<Record<string, string>> {
    return this.o.redis.hgetall(this.key);
  }

  private async reload(name: string): Promise<void> {
    const text = await this.o.redis.hget(this.key, name);
    this.apply(name, text);
  }

  private async reloadAll(): Promise<void> {
    const all = await this.o.redis.hgetall(this.key);
    for (const name of [...this.rules.keys()]) if (!(name in all)) this.rules.delete(name);
    for (const [name, text] of Object.entries(all)) this.apply(name, text);
  }

  private apply(name: string, text: string | null): void {
    if (text === null) {
      this.rules.delete(name);
      return;
    }
    try {
      this.rules.set(name, parseRule(text));
    } catch {
      this.rules.delete(name);
      this.o.onInvalid?.(name, text);
    }
  }
}
