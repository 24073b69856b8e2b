/**
 * Feature flags on the real Redis of loadEndpoints(): a change made by one process (the CLI's store) reaches a
 * running one (an API's cached store, and the API itself) without a restart, and a best-available hold is refused
 * with SS_ERR_FEATURE_DISABLED while its flag is off. Random key prefixes; every key removed at the end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadEndpoints } from '../config.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { flagCatalog } from './catalog.js';
import { isOn, parseRule } from './rollout.js';
import { FlagStore } from './store.js';

/** Polls until `check` holds (generous deadline: CI is a noisy 2-core machine). */
async function eventually(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`not within ${deadlineMs / 1000} s: ${what}`);
}

const connect = () => new Redis(loadEndpoints().redis, { maxRetriesPerRequest: 3 });

describe('feature flags (real Redis)', () => {
  const prefix = `ss:test:flags:${randomUUID()}:`;
  const redises: Redis[] = [];
  let replica: FlagStore;
  let admin: FlagStore;

  before(async () => {
    const [commands, subscriber, adminRedis] = [connect(), connect(), connect()];
    redises.push(commands, adminRedis);
    replica = new FlagStore({ redis: commands, subscriber, prefix });
    admin = new FlagStore({ redis: adminRedis, prefix });
    await replica.start();
    await admin.start();
  });

  after(async () => {
    await redises[0]?.del(`${prefix}flags`);
    await replica?.close();
    await admin?.close();
    for (const r of redises) r.disconnect();
  });

  it('answers the default until a rule is set, then follows every change made elsewhere', async () => {
    const flag = 'it-flag';
    assert.equal(replica.isOn(flag, { default: true, userId: 'u1' }), true);
    assert.equal(replica.isOn(flag, { default: false, userId: 'u1' }), false);

    await admin.set(flag, parseRule('off'));
    await eventually('off reaches the replica', () => !replica.isOn(flag, { default: true, userId: 'u1' }));

    await admin.set(flag, parseRule('on'));
    await eventually('on reaches the replica', () => replica.isOn(flag, { default: false, userId: 'u1' }));

    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const rule = parseRule('30%');
    await admin.set(flag, rule);
    await eventually('30% reaches the replica', () => replica.rule(flag)?.kind === 'percent');
    for (const u of users) assert.equal(replica.isOn(flag, { default: false, userId: u }), isOn(rule, flag, u), u);

    await admin.unset(flag);
    await eventually('unset reaches the replica', () => replica.rule(flag) === undefined);
    assert.equal(replica.isOn(flag, { default: true, userId: 'u1' }), true);
  });

  it('ignores a rule nobody can read (the default answers), and reads it again once fixed', async () => {
    const flag = 'it-broken';
    await redises[1]!.hset(`${prefix}flags`, flag, 'maybe');
    await redises[1]!.publish(`${prefix}flags:changed`, flag);
    await admin.set('it-marker', parseRule('on')); // published after the broken one: seen means the broken was seen
    await eventually('the marker reaches the replica', () => replica.rule('it-marker') !== undefined);
    assert.equal(replica.rule(flag), undefined);
    assert.equal(replica.isOn(flag, { default: true }), true);
    await admin.set(flag, parseRule('off'));
    await eventually('the fixed rule reaches the replica', () => replica.rule(flag)?.kind === 'off');
  });
});

describe('the hold-best-available flag in the API (real Redis and PostgreSQL)', () => {
  let h: Harness;
  let admin: FlagStore;
  let adminRedis: Redis;
  let token: string;
  const flag = flagCatalog.holdBestAvailable.name;

  before(async () => {
    h = await startHarness();
    adminRedis = connect();
    admin = new FlagStore({ redis: adminRedis, prefix: h.config.redisKeyPrefix });
    await admin.start();
    const user = await h.register();
    const login = await h.login(user);
    assert.equal(login.statusCode, 200, login.body);
    token = login.json<{ accessToken: string }>().accessToken;
  });

  after(async () => {
    await admin?.close();
    adminRedis?.disconnect();
    await h?.close(); // removes every key under the harness's prefix, the flags hash included
  });

  /** A best-available hold without an Idempotency-Key: past the flag it is refused for the missing key. */
  const bestAvailable = () =>
    h.inject({ method: 'POST', url: `/v1/events/${randomUUID()}/holds`, token, payload: { quantity: 2 } });
  const givenSeats = () =>
    h.inject({ method: 'POST', url: `/v1/events/${randomUUID()}/holds`, token, payload: { seatIds: ['A-1-1'] } });
  const codeOf = async (res: Promise<{ json: <T>() => T }>) => (await res).json<{ code: string }>().code;

  it('switches best-available holds off and on again within seconds, for the running app, seat holds untouched', async () => {
    assert.equal(await codeOf(bestAvailable()), 'SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING', 'on by default');

    await admin.set(flag, parseRule('off'));
    await eventually('the app refuses best-available holds', async () => {
      const res = await bestAvailable();
      return res.statusCode === 503 && res.json<{ code: string }>().code === 'SS_ERR_FEATURE_DISABLED';
    });
    assert.match((await bestAvailable()).json<{ message: string }>().message, /hold-best-available/);
    assert.equal(await codeOf(givenSeats()), 'SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING', 'given seats are not gated');

    await admin.set(flag, parseRule('on'));
    await eventually(
      'the app takes best-available holds again',
      async () => (await codeOf(bestAvailable())) === 'SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING',
    );
  });
});
