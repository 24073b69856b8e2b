/**
 * The demo that `npm start` seeds: a buyer and an organizer account (through the API, as a person would
 * register), the organizer role set by the operator command's service, and a demo event owned by that
 * organizer, published on the catalog topic. Running it again changes nothing: accounts that exist are
 * kept, and the same event revision is ignored by the allocator.
 */
import { loadEndpoints, localPorts } from '../infra/config.js';
import { loadApiConfig } from '../api/config.js';
import { createPool } from '../api/db/pool.js';
import { createRedis } from '../api/redis.js';
import { loadSecrets } from '../api/secrets.js';
import { Sessions } from '../api/auth/sessions.js';
import { operatorSetRole } from '../api/admin/service.js';
import { concertHall } from '../processors/seat-allocation/demo-venue.js';
import { publishCatalog } from '../processors/seat-allocation/publishDemo.js';

export const demoAccounts = {
  buyer: { email: 'buyer@demo.seatstream.test', password: 'demo-buyer-2026!', name: 'Demo Buyer', locale: 'en' },
  organizer: {
    email: 'organizer@demo.seatstream.test',
    password: 'demo-organizer-2026!',
    name: 'Demo Organizer',
    locale: 'fr',
  },
} as const;

async function register(api: string, account: (typeof demoAccounts)[keyof typeof demoAccounts]): Promise<void> {
  const res = await fetch(`${api}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`registering ${account.email}: HTTP ${res.status} ${await res.text()}`);
}

export async function seedDemo(api = `http://127.0.0.1:${localPorts.api}`) {
  await register(api, demoAccounts.buyer);
  await register(api, demoAccounts.organizer);
  const config = loadApiConfig();
  const endpoints = loadEndpoints();
  const pool = createPool(endpoints.postgres);
  const redis = createRedis(endpoints.redis);
  let organizerId: string;
  try {
    const { pii } = await loadSecrets();
    const sessions = new Sessions(redis, config.jwt.accessTtlSec, config.redisKeyPrefix);
    organizerId = (await operatorSetRole({ pool, pii, sessions }, demoAccounts.organizer.email, 'organizer')).id;
  } finally {
    await pool.end();
    redis.disconnect();
  }
  // The sale opened at the start of today (UTC), so every `npm start` of the day publishes the same revision.
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const definition = { ...concertHall({ seed: 7, onSaleAt: today.getTime(), saleDays: 60 }), organizerId };
  await publishCatalog([definition]);
  return { eventId: definition.eventId, eventName: definition.name, ...demoAccounts };
}
