/**
 * Operator command: `npx tsx api/admin/set-role.ts <email> <role>` sets an account's role directly
 * in PostgreSQL (how the first admin comes to be). Uses the same secrets and endpoints as the API.
 */
import { loadEndpoints } from '../../infra/config.js';
import { loadApiConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { createRedis } from '../redis.js';
import { loadSecrets } from '../secrets.js';
import { Sessions } from '../auth/sessions.js';
import { isRole } from '../auth/roles.js';
import { operatorSetRole } from './service.js';

const [email, role] = process.argv.slice(2);
if (!email || !isRole(role)) {
  console.error('usage: npx tsx api/admin/set-role.ts <email> <customer|organizer|admin|partner>');
  process.exit(2);
}
const config = loadApiConfig();
const endpoints = loadEndpoints();
const pool = createPool(endpoints.postgres);
const redis = createRedis(endpoints.redis);
try {
  const { pii } = await loadSecrets();
  const user = await operatorSetRole(
    { pool, pii, sessions: new Sessions(redis, config.jwt.accessTtlSec, config.redisKeyPrefix) },
    email,
    role,
  );
  console.log(
    `user ${user.id} is now ${user.role}${user.role === 'organizer' || user.role === 'admin' ? ' (TOTP enrolment required at next login)' : ''}`,
  );
} catch (err) {
  console.error(`set-role failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
  redis.disconnect();
}
