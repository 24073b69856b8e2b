/**
 * `npm run flags -- <command>`: feature flags of the running platform (store.ts), changed for every API replica
 * within a second, without a restart.
 *
 *   npm run flags -- list                          every known flag: its rule, or its default
 *   npm run flags -- set <name> on|off|<n>%        e.g. set hold-best-available 25%
 *   npm run flags -- unset <name>                  back to the default
 *   npm run flags -- check <name> <user id>        the answer for one user
 *
 * Redis from infra/config.ts (REDIS_URL), key prefix the API's (API_REDIS_PREFIX). Only flags of catalog.ts.
 * Exit status 2 on a usage error, 1 when Redis fails.
 */
import { Redis } from 'ioredis';
import { loadApiConfig } from '../../api/config.js';
import { loadEndpoints } from '../config.js';
import { flagSpec, knownFlags } from './catalog.js';
import { formatRule, parseRule, FlagRuleError } from './rollout.js';
import { FlagStore } from './store.js';

const usage = 'usage: npm run flags -- list | set <name> on|off|<n>% | unset <name> | check <name> <user id>';

function fail(message: string, status: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

const [command, name, arg] = process.argv.slice(2);
const known = (n: string | undefined) => {
  if (!n) fail(usage, 2);
  if (!flagSpec(n)) fail(`unknown flag '${n}'; known: ${knownFlags.map((f) => f.name).join(', ')}`, 2);
  return flagSpec(n)!;
};

const redis = new Redis(loadEndpoints().redis, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: true });
redis.on('error', () => undefined);
const store = new FlagStore({ redis, prefix: loadApiConfig().redisKeyPrefix });
try {
  await redis.connect();
  await store.start();
  if (command === 'list') {
    for (const f of knownFlags) {
      const rule = store.rule(f.name);
      const value = rule ? formatRule(rule) : `${f.default ? 'on' : 'off'} (default)`;
      process.stdout.write(`${f.name.padEnd(28)} ${value.padEnd(16)} ${f.description}\n`);
    }
  } else if (command === 'set') {
    const spec = known(name);
    if (!arg) fail(usage, 2);
    const rule = parseRule(arg);
    await store.set(spec.name, rule);
    process.stdout.write(`${spec.name} ${formatRule(rule)}\n`);
  } else if (command === 'unset') {
    const spec = known(name);
    await store.unset(spec.name);
    process.stdout.write(`${spec.name} ${spec.default ? 'on' : 'off'} (default)\n`);
  } else if (command === 'check') {
    const spec = known(name);
    if (!arg) fail(usage, 2);
    process.stdout.write(`${store.isOn(spec.name, { default: spec.default, userId: arg }) ? 'on' : 'off'}\n`);
  } else fail(usage, 2);
} catch (err) {
  if (err instanceof FlagRuleError) fail(err.message, 2);
  fail(`flags: ${err instanceof Error ? err.message : String(err)}`, 1);
} finally {
  await store.close();
  redis.disconnect();
}
