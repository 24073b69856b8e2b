/**
 * What the API's integration tests share: a real app (`buildApp`) on the real PostgreSQL and Redis
 * of `loadEndpoints()`, migrations applied, keys generated in memory, a Redis key prefix of its own,
 * a clock the test can move forward, and a cleanup that removes every user and Redis key it made.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import { loadEndpoints } from '../../infra/config.js';
import { buildApp } from '../app.js';
import { loadApiConfig, type ApiConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { createRedis, type Redis } from '../redis.js';
import { generatePiiKeyFile, piiKeyRingFrom } from '../accounts/pii.js';
import { generateSigningKey, newKeySet } from '../keys/jwt-keys.js';
import { base32Decode } from '../auth/base32.js';
import { totpAt } from '../auth/totp.js';
import type { ApiSecrets } from '../secrets.js';
import type { Role } from '../auth/roles.js';
import { operatorSetRole } from '../admin/service.js';
import type { AnalyticsPluginOptions } from '../../dashboards/plugin.js';

export interface Harness {
  app: FastifyInstance;
  pool: Pool;
  redis: Redis;
  config: ApiConfig;
  secrets: ApiSecrets;
  /** A loopback address of its own for this test, so per-IP limits of one test do not touch another. */
  ip: string;
  /** Moves the app's clock forward (TOTP steps, token expiry). */
  advance(ms: number): void;
  now(): Date;
  inject(opts: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** Registers a customer through the API; the account is removed at cleanup. */
  register(overrides?: Partial<{ email: string; password: string; name: string; locale: string }>): Promise<TestUser>;
  login(u: Pick<TestUser, 'email' | 'password'>): Promise<LightMyRequestResponse>;
  setRole(u: TestUser, role: Role): Promise<void>;
  /** Starts and activates TOTP for a signed-in user; answers the secret, recovery codes and the new token pair. */
  enrolTotp(
    accessToken: string,
  ): Promise<{ secret: Buffer; recoveryCodes: string[]; accessToken: string; refreshToken: string }>;
  totp(secret: Buffer): string;
  track(userId: string): void;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export const uniqueEmail = (tag = 'it') => `${tag}-${randomUUID()}@example.com`;

export async function startHarness(
  opts: { logger?: Logger; env?: NodeJS.ProcessEnv; analytics?: AnalyticsPluginOptions } = {},
): Promise<Harness> {
  const endpoints = loadEndpoints();
  await migrate(endpoints.postgres);
  const pool = createPool(endpoints.postgres);
  // Generous timeouts: on a loaded 2-core CI machine a test process can stall for seconds, and a command timed out
  // there is a 503 the test did not ask for (the 2 s of production are for failing fast behind a dead server).
  const redis = createRedis(endpoints.redis, { commandTimeout: 15_000, connectTimeout: 15_000 });
  const prefix = `ss:test:${randomUUID()}:`;
  const config: ApiConfig = { ...loadApiConfig({ ...opts.env }), redisKeyPrefix: prefix };
  const secrets: ApiSecrets = {
    jwtKeys: newKeySet(await generateSigningKey()),
    pii: piiKeyRingFrom(generatePiiKeyFile()),
  };
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const app = await buildApp({
    config,
    pool,
    redis,
    secrets,
    now,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.analytics ? { analytics: opts.analytics } : {}),
  });
  const ip = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  const userIds = new Set<string>();

  const h: Harness = {
    app,
    pool,
    redis,
    config,
    secrets,
    ip,
    advance: (ms) => {
      offsetMs += ms;
    },
    now,
    inject: ({ token, headers, ...rest }) =>
      app.inject({
        remoteAddress: ip,
        ...rest,
        headers: { ...(headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
    async register(overrides = {}) {
      const body = {
        email: uniqueEmail(),
        password: `pw-${randomUUID()}`,
        name: 'Test User',
        locale: 'en',
        ...overrides,
      };
      const res = await h.inject({ method: 'POST', url: '/v1/auth/register', payload: body });
      if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
      const id = (res.json() as { id: string }).id;
      userIds.add(id);
      return { id, email: body.email, password: body.password };
    },
    login: (u) =>
      h.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: u.email, password: u.password } }),
    async setRole(u, role) {
      await operatorSetRole(app.ctx, u.email, role);
    },
    async enrolTotp(accessToken) {
      const start = await h.inject({ method: 'POST', url: '/v1/me/mfa/totp', token: accessToken });
      if (start.statusCode !== 200) throw new Error(`enrol: ${start.statusCode} ${start.body}`);
      const secret = base32Decode((start.json() as { secret: string }).secret);
      const act = await h.inject({
        method: 'POST',
        url: '/v1/me/mfa/totp/activate',
        token: accessToken,
        payload: { code: h.totp(secret) },
      });
      if (act.statusCode !== 200) throw new Error(`activate: ${act.statusCode} ${act.body}`);
      const body = act.json() as { recoveryCodes: string[]; accessToken: string; refreshToken: string };
      h.advance(30_000); // the next code is of a later step: a TOTP code is accepted once
      return { secret, ...body };
    },
    totp: (secret) => totpAt(secret, now().getTime()),
    track: (id) => void userIds.add(id),
    async close() {
      try {
        const ids = [...userIds];
        if (ids.length) {
          await pool.query('DELETE FROM role_changes WHERE user_id = ANY($1::uuid[]) OR changed_by = ANY($1::uuid[])', [
            ids,
          ]);
          await pool.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [ids]);
        }
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        await app.close();
        await pool.end();
        await redis.quit();
      }
    },
  };
  return h;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
