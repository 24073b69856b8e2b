/**
 * The API as the bench runs it, a child process of its own (so its event loop is not the load generator's): the real
 * app (`buildApp`) on the shared PostgreSQL and Redis, listening on 127.0.0.1, plus the push router (it carries the
 * allocator's decisions to the API over Redis, as in production, though there it runs as a service of its own).
 *
 * Settings (from run.ts, not for operators): BENCH_API_SECRETS (a JSON file with the JWT key set, so the bench can
 * sign its buyers' access tokens), BENCH_API_APPLICATION_ID (the allocator whose decisions are routed),
 * BENCH_API_RUN (names the replica, Redis prefixes, the router's group). Prints one JSON line
 * `{"msg":"bench api listening","url":…}`; on SIGTERM closes, removes its Redis keys and exits.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import kafkajs from 'kafkajs';
import { Redis } from 'ioredis';
import { generatePiiKeyFile, piiKeyRingFrom } from '../../api/accounts/pii.js';
import { buildApp } from '../../api/app.js';
import { loadApiConfig } from '../../api/config.js';
import { createPool } from '../../api/db/pool.js';
import type { JwtKeySet } from '../../api/keys/jwt-keys.js';
import { createRedis } from '../../api/redis.js';
import { channelsFor } from '../../connectors/push-router/channels.js';
import { PushRouter } from '../../connectors/push-router/router.js';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';

const { Kafka, logLevel } = kafkajs;

async function main(): Promise<void> {
  const run = process.env.BENCH_API_RUN!;
  const applicationId = process.env.BENCH_API_APPLICATION_ID!;
  const jwtKeys = JSON.parse(readFileSync(process.env.BENCH_API_SECRETS!, 'utf8')) as JwtKeySet;
  const endpoints = loadEndpoints();
  const registry = createRegistryClient(endpoints.schemaRegistry);
  const pool = createPool(endpoints.postgres);
  const redis = createRedis(endpoints.redis);
  const redisPrefix = `bench:onsale:${run}:api:`;
  const channels = channelsFor(`bench:onsale:${run}:push:`);
  const config = { ...loadApiConfig({}), redisKeyPrefix: redisPrefix };
  const app = await buildApp({
    config,
    pool,
    redis,
    secrets: { jwtKeys, pii: piiKeyRingFrom(generatePiiKeyFile()) },
    bookings: {
      config: { replicaId: `bench-api-${run}`, channelPrefix: channels.prefix, decisionWaitMs: 30_000 },
      registry,
    },
  });
  const publisher = new Redis(endpoints.redis, { connectionName: `bench-onsale-router-${run}` });
  const routerGroup = `bench-onsale-push-router-${run}`;
  const kafka = new Kafka({ brokers: kafkaBrokers(endpoints), clientId: routerGroup, logLevel: logLevel.NOTHING });
  const router = new PushRouter({
    kafka,
    redis: publisher,
    registry,
    channels,
    groupId: routerGroup,
    maxAgeMs: 60_000,
    originApplicationId: applicationId,
    partitionsConsumedConcurrently: 3,
    sessionTimeoutMs: 30_000,
    log: logger('bench-push-router'),
  });
  await router.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  console.log(JSON.stringify({ msg: 'bench api listening', url: `http://127.0.0.1:${port}` }));

  const stop = async () => {
    await app.close().catch(() => undefined);
    await router.stop().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([routerGroup]).catch(() => undefined);
    await admin.disconnect();
    for (const prefix of [redisPrefix]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    await Promise.allSettled([pool.end(), redis.quit(), publisher.quit()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
