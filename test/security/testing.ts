/**
 * What the security suite shares: a harness on the real stack with cheap password hashing, one signed-in account of
 * each role (organizers and admins with TOTP enrolled, as their routes require), the OpenAPI document the API serves,
 * and the assertion that an answer is a refusal with a stable `{code, message}` body.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalog } from '../../api/errors.js';
import type { Role } from '../../api/auth/roles.js';
import { startHarness, type Harness, type TestUser } from '../../api/testing/harness.js';
import { fastArgon2 } from '../../api/catalog/testing.js';

export interface SignedIn {
  user: TestUser;
  role: Role;
  accessToken: string;
  refreshToken: string;
}

/** A harness whose argon2 is cheap (the suite signs many people in); `env` adds settings. */
export const securityHarness = (opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> =>
  startHarness({ ...opts, env: { ...fastArgon2, ...opts.env } });

/** Registers someone, gives them `role` (as an operator would), signs them in; organizers and admins enrol TOTP. */
export async function signIn(h: Harness, role: Role, overrides: Parameters<Harness['register']>[0] = {}) {
  const user = await h.register(overrides);
  if (role !== 'customer') await h.setRole(user, role);
  const login = await h.login(user);
  assert.equal(login.statusCode, 200, login.body);
  let pair = login.json() as { accessToken: string; refreshToken: string };
  if (role === 'organizer' || role === 'admin') pair = await h.enrolTotp(pair.accessToken);
  return { user, role, accessToken: pair.accessToken, refreshToken: pair.refreshToken } satisfies SignedIn;
}

/** One signed-in account per role. */
export async function oneOfEachRole(h: Harness): Promise<Record<Role, SignedIn>> {
  return {
    customer: await signIn(h, 'customer'),
    organizer: await signIn(h, 'organizer'),
    admin: await signIn(h, 'admin'),
    partner: await signIn(h, 'partner'),
  };
}

export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. `/v1/holds/{holdId}`. */
  path: string;
  tags: string[];
  secured: boolean;
  body: JsonSchema | null;
  query: { name: string; schema: JsonSchema; required: boolean }[];
  params: { name: string; schema: JsonSchema }[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  [k: string]: unknown;
}

/** Every operation of the OpenAPI document the API serves at /docs/json, `$ref`s resolved. */
export async function operationsOf(h: Harness): Promise<Operation[]> {
  const res = await h.inject({ url: '/docs/json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  const components = doc.components?.schemas ?? {};
  const resolve = (s: JsonSchema, depth = 0): JsonSchema => {
    if (depth > 20) return s;
    if (s.$ref) return resolve(components[s.$ref.replace('#/components/schemas/', '')] ?? {}, depth + 1);
    const out: JsonSchema = { ...s };
    if (s.properties)
      out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(v, depth + 1)]));
    if (s.items) out.items = resolve(s.items, depth + 1);
    for (const k of ['oneOf', 'anyOf', 'allOf'] as const) if (s[k]) out[k] = s[k].map((x) => resolve(x, depth + 1));
    return out;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as {
        in: string;
        name: string;
        schema: JsonSchema;
        required?: boolean;
      }[];
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const security = op.security as Record<string, unknown>[] | undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        tags: (op.tags as string[] | undefined) ?? [],
        secured: !!security?.length && security.every((s) => Object.keys(s).length > 0),
        body: content?.['application/json'] ? resolve(content['application/json'].schema) : null,
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: resolve(p.schema), required: p.required === true })),
        params: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: resolve(p.schema) })),
      });
    }
  }
  return ops;
}

const codes = new Set(Object.keys(errorCatalog));

/** The answer is a 4xx `{code, message}` with a code of the catalog (and the given status and code, when given). */
export function assertRefused(res: LightMyRequestResponse, what: string, status?: number, code?: string): string {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const body = JSON.parse(res.body) as { code: string; message: string };
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message'], what);
  assert.ok(codes.has(body.code), `${what}: unknown code ${body.code}`);
  if (status !== undefined) assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 300)}`);
  if (code !== undefined) assert.equal(body.code, code, `${what}: ${res.body.slice(0, 300)}`);
  return body.code;
}

const loneSurrogates = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Fills a path template with values (URL-encoded). */
export const fillPath = (path: string, values: Record<string, string>): string =>
  path.replace(/\{(\w+)\}/g, (_, name: string) =>
    // An unpaired surrogate has no UTF-8 form: it goes as U+FFFD, as a browser sends it.
    encodeURIComponent((values[name] ?? `missing-${name}`).replace(loneSurrogates, '\uFFFD')),
  );

/** Strings tried for a pattern fast-check cannot generate from. */
const patternCandidates = ['abc', 'abcd-efgh', 'A1', 'ABC', '123456', 'H-1', 'B-1', 'T-1'];

/**
 * A valid instance of a JSON Schema, deterministic (fixed seed): the smallest that satisfies required properties,
 * lengths, ranges, enums, formats and patterns. Enough for the schemas of this API; it throws on one it cannot fill.
 */
export function exampleOf(schema: JsonSchema, seed = 7): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  const alt = schema.oneOf ?? schema.anyOf;
  if (alt?.length) {
    // The first alternative, merged with what the schema says beside it.
    const { oneOf: _o, anyOf: _a, ...rest } = schema;
    const first = alt[0]!;
    return exampleOf(
      {
        ...rest,
        ...first,
        properties: Object.fromEntries(
          [...new Set([...Object.keys(rest.properties ?? {}), ...Object.keys(first.properties ?? {})])].map((k) => [
            k,
            { ...rest.properties?.[k], ...first.properties?.[k] },
          ]),
        ),
        required: [...(rest.required ?? []), ...(first.required ?? [])],
      },
      seed,
    );
  }
  if (schema.allOf?.length) return exampleOf(Object.assign({}, ...schema.allOf) as JsonSchema, seed);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) out[k] = exampleOf(schema.properties?.[k] ?? {}, seed);
      return out;
    }
    case 'array': {
      const n = schema.minItems ?? 0;
      return Array.from({ length: n }, (_, i) => exampleOf(schema.items ?? {}, seed + i));
    }
    case 'integer':
      return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 1, 1));
    case 'number':
      return Math.max(schema.minimum ?? 0, Math.min(schema.maximum ?? 0, 0));
    case 'boolean':
      return false;
    case 'string':
      return stringOf(schema, seed);
    default:
      return {};
  }
}

function stringOf(s: JsonSchema, seed: number): string {
  const fits = (x: string) =>
    x.length >= (s.minLength ?? 0) &&
    x.length <= (s.maxLength ?? Infinity) &&
    (s.pattern === undefined || new RegExp(s.pattern, 'u').test(x));
  if (s.format === 'uuid') return randomUUID();
  if (s.format === 'date-time') return new Date(Date.UTC(2030, 0, 1 + (seed % 28))).toISOString();
  if (s.format === 'email') return `sec-${randomUUID()}@example.com`;
  if (s.pattern !== undefined) {
    try {
      const sampled = fc.sample(fc.stringMatching(new RegExp(s.pattern)), { numRuns: 50, seed });
      const found = sampled.find(fits);
      if (found !== undefined) return found;
    } catch {
      // a pattern fast-check does not support (lookahead): the candidates below
    }
    const found = patternCandidates.find(fits);
    if (found !== undefined) return found;
    throw new Error(`no example for the pattern ${s.pattern}`);
  }
  return 'x'.repeat(Math.max(1, s.minLength ?? 1));
}
