/**
 * Feature flags for the API's routes (`app.flags`): the Redis flag store of infra/flags with its own subscriber
 * connection, so `npm run flags -- set …` reaches every replica within a second, no restart. Routes ask
 * `app.flags.isOn(flagCatalog.x.name, { default: flagCatalog.x.default, userId })` or use `requireFlag`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { FlagSpec } from '../../infra/flags/catalog.js';
import { FlagStore } from '../../infra/flags/store.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    flags: FlagStore;
  }
}

/** Longest wait for the flags at start. */
const startWaitMs = 3_000;

export const flagsPlugin = fp(
  async (app: FastifyInstance, opts: { ctx: ApiContext }) => {
    const { redis, config } = opts.ctx;
    // A subscriber waits for Redis rather than failing its commands: it must stay subscribed across outages.
    const subscriber = redis.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
    subscriber.on('error', () => undefined); // the command connection already logs Redis errors
    const flags = new FlagStore({
      redis,
      subscriber,
      prefix: config.redisKeyPrefix,
      onInvalid: (name, text) => app.log.warn({ flag: name, rule: text }, 'unreadable feature-flag rule ignored'),
    });
    // Normally a few milliseconds; with Redis unreachable the app starts anyway (flags at their defaults, as /ready
    // reports Redis down) and the store catches up once Redis answers.
    let timer: NodeJS.Timeout | undefined;
    const started = flags
      .start()
      .catch((err: unknown) => app.log.warn({ err }, 'feature flags not loaded: their defaults answer'));
    await Promise.race([started, new Promise<void>((resolve) => (timer = setTimeout(resolve, startWaitMs)))]);
    clearTimeout(timer);
    app.decorate('flags', flags);
    app.addHook('onClose', async () => flags.close());
  },
  { name: 'seatstream-flags' },
);

/** Refuses with 503 SS_ERR_FEATURE_DISABLED (naming the flag) when the flag is off for this user. */
export function requireFlag(app: FastifyInstance, flag: FlagSpec, userId: string | undefined): void {
  if (!app.flags.isOn(flag.name, { default: flag.default, userId }))
    throw new ApiError('SS_ERR_FEATURE_DISABLED', `the feature '${flag.name}' is switched off`);
}
