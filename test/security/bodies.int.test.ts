/**
 * Bodies. What the parser and the validators do with hostile bodies, on every operation of the served OpenAPI
 * document that takes one: over the body limit 413 SS_ERR_BODY_TOO_LARGE (whatever the declared length); a body that
 * is not JSON 415 SS_ERR_UNSUPPORTED_MEDIA_TYPE; nesting 10,000 (and 100,000) deep a 400 without a crash; duplicate
 * keys read one way only (the last wins, for the validator and the handler alike); every array bounded by its schema.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { loadCatalogConfig } from '../../api/catalog/config.js';
import type { Harness } from '../../api/testing/harness.js';
import {
  assertRefused,
  exampleOf,
  fillPath,
  operationsOf,
  securityHarness,
  signIn,
  type JsonSchema,
  type Operation,
  type SignedIn,
} from './testing.js';

const withBody = (ops: Operation[]) => ops.filter((o) => o.body && !o.path.startsWith('/docs'));
const urlOf = (op: Operation) =>
  fillPath(op.path, Object.fromEntries(op.params.map((p) => [p.name, String(exampleOf(p.schema))])));

/** Arrays of a schema, with where they are. */
function arraysOf(s: JsonSchema, at = 'body'): { at: string; schema: JsonSchema }[] {
  const out: { at: string; schema: JsonSchema }[] = [];
  if (s.type === 'array' || s.items) out.push({ at, schema: s }, ...arraysOf(s.items ?? {}, `${at}[]`));
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...arraysOf(v, `${at}.${k}`));
  // Alternatives restate the base's properties (their type only): their own properties are the new ones.
  for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) {
    const own = Object.entries(alt.properties ?? {}).filter(([k]) => !(k in (s.properties ?? {})));
    out.push(...arraysOf({ ...alt, properties: Object.fromEntries(own) }, at));
  }
  return out;
}

describe('security: bodies', () => {
  let h: Harness;
  let ops: Operation[];
  let admin: SignedIn;

  before(async () => {
    h = await securityHarness();
    ops = await operationsOf(h);
    admin = await signIn(h, 'admin');
  });
  after(async () => {
    await h.close();
  });

  /** The body limit of an operation: the API's, or the larger one of the seat-map routes (api/catalog/config.ts). */
  const limitOf = (op: Operation) =>
    /^\/v1\/organizer\/venues/.test(op.path)
      ? loadCatalogConfig(process.env).venueBodyLimitBytes
      : h.config.bodyLimitBytes;

  it('over the body limit: 413 SS_ERR_BODY_TOO_LARGE on every operation that takes a body, with or without a length', async () => {
    for (const op of withBody(ops)) {
      const big = JSON.stringify({ name: 'x'.repeat(limitOf(op)) });
      const res = await h.inject({
        method: op.method as 'POST',
        url: urlOf(op),
        payload: big,
        headers: { 'content-type': 'application/json' },
        token: admin.accessToken,
      });
      assertRefused(res, `${op.method} ${op.path}`, 413, 'SS_ERR_BODY_TOO_LARGE');
      // Streamed without a Content-Length (chunked): counted as it arrives.
      const streamed = await h.inject({
        method: op.method as 'POST',
        url: urlOf(op),
        payload: Readable.from([big.slice(0, 1000), big.slice(1000)]),
        headers: { 'content-type': 'application/json' },
        token: admin.accessToken,
      });
      assertRefused(streamed, `${op.method} ${op.path} streamed`, 413, 'SS_ERR_BODY_TOO_LARGE');
    }
  });

  it('a body that is not JSON: 415 SS_ERR_UNSUPPORTED_MEDIA_TYPE on every operation that takes a body', async () => {
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'text/html',
      'application/octet-stream',
    ];
    for (const op of withBody(ops)) {
      for (const type of types) {
        const res = await h.inject({
          method: op.method as 'POST',
          url: urlOf(op),
          payload: type.startsWith('application/x-www') ? 'role=admin' : '<role>admin</role>',
          headers: { 'content-type': type },
          token: admin.accessToken,
        });
        assertRefused(res, `${op.method} ${op.path} as ${type}`, 415, 'SS_ERR_UNSUPPORTED_MEDIA_TYPE');
      }
    }
  });

  it('nesting 10,000 and 100,000 deep: a 400 with a stable code, and the API keeps answering', async () => {
    const deep = await securityHarness({ env: { API_BODY_LIMIT_BYTES: String(1024 * 1024) } });
    try {
      const register = ops.find((o) => o.path === '/v1/auth/register')!;
      const user = await signIn(deep, 'customer');
      const timings: string[] = [];
      for (const depth of [10_000, 100_000]) {
        const bodies = {
          arrays: '['.repeat(depth) + ']'.repeat(depth),
          objects: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
          'in a field': `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        };
        for (const [shape, payload] of Object.entries(bodies)) {
          for (const [url, token] of [
            [register.path, undefined],
            ['/v1/me/notification-preferences', user.accessToken],
          ] as const) {
            const started = process.hrtime.bigint();
            const res = await deep.inject({
              method: url === register.path ? 'POST' : 'PUT',
              url,
              payload,
              headers: { 'content-type': 'application/json' },
              ...(token ? { token } : {}),
            });
            timings.push(`${depth} ${shape} ${url}: ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
            assertRefused(res, `${depth} deep ${shape} on ${url}`, 400);
          }
        }
      }
      console.log(`deeply nested bodies answered in: ${timings.join('; ')}`);
      assert.equal((await deep.inject({ url: '/health' })).statusCode, 200);
    } finally {
      await deep.close();
    }
  });

  it('duplicate keys: the last one wins for the validator and the handler alike (no parser differential)', async () => {
    const email = `dup-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const raw = `{"email":"${email}","password":"${password}","name":"First","name":"Second","locale":"en","locale":"fr"}`;
    const reg = await h.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: raw,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const account = reg.json() as { id: string; name: string; locale: string; role: string };
    h.track(account.id);
    assert.deepEqual([account.name, account.locale, account.role], ['Second', 'fr', 'customer']);
    // A valid value first and an invalid one last: refused, so the validator read the one the handler would use.
    const bad = await h.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: `{"email":"dup-${randomUUID()}@example.com","password":"${password}","name":"N","locale":"en","locale":"xx"}`,
      headers: { 'content-type': 'application/json' },
    });
    assertRefused(bad, 'invalid last duplicate', 400, 'SS_ERR_VALIDATION');
    const sneaky = await h.inject({
      method: 'PUT',
      url: `/v1/admin/users/${account.id}/role`,
      payload: '{"role":"admin","role":"partner"}',
      headers: { 'content-type': 'application/json' },
      token: admin.accessToken,
    });
    assert.equal(sneaky.statusCode, 200, sneaky.body);
    const { rows } = await h.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [account.id]);
    assert.equal(rows[0]!.role, 'partner');
  });

  it('every array of every body has a bound, and one item over it is a 400', async () => {
    let checked = 0;
    for (const op of withBody(ops)) {
      for (const { at, schema } of arraysOf(op.body!)) {
        const boundedByEnum = schema.uniqueItems === true && Array.isArray(schema.items?.enum);
        assert.ok(
          schema.maxItems !== undefined || boundedByEnum,
          `${op.method} ${op.path} ${at}: an array without maxItems`,
        );
        if (schema.maxItems === undefined || at.includes('[]')) continue;
        const path = at.split('.').slice(1);
        const item = exampleOf(schema.items ?? {});
        const body = structuredClone(exampleOf(op.body!)) as Record<string, unknown>;
        let parent = body;
        for (const k of path.slice(0, -1)) parent = (parent[k] ??= {}) as Record<string, unknown>;
        parent[path[path.length - 1]!] = Array.from({ length: schema.maxItems + 1 }, () => item);
        const res = await h.inject({
          method: op.method as 'POST',
          url: urlOf(op),
          payload: body,
          token: admin.accessToken,
        });
        // Within the body limit a 400, beyond it a 413: refused either way, before any handler.
        assert.ok([400, 413].includes(res.statusCode), `${op.method} ${op.path} ${at}: ${res.statusCode} ${res.body}`);
        checked++;
      }
    }
    console.log(`arrays checked over their bound: ${checked}`);
    assert.ok(checked >= 3);
  });
});
