/**
 * The HTTP surface on the real stack: bad input everywhere answers 4xx with a stable code (never a
 * 5xx), health and readiness, metrics, the OpenAPI document, security headers, CORS, request ids
 * and what reaches the logs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { loadEndpoints } from '../../infra/config.js';
import { buildApp } from '../app.js';
import { loadApiConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { createRedis } from '../redis.js';
import { errorCatalog } from '../errors.js';
import { startHarness, uniqueEmail, type Harness } from '../testing/harness.js';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

const codes = new Set(Object.keys(errorCatalog));

function assertRefused(
  res: { statusCode: number; body: string },
  status: number | null,
  code: string | null,
  what: string,
) {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode} ${res.body}`);
  const body = JSON.parse(res.body) as { code: string; message: string };
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message'], what);
  assert.ok(codes.has(body.code), `${what}: unknown code ${body.code}`);
  if (status !== null) assert.equal(res.statusCode, status, `${what}: ${res.body}`);
  if (code !== null) assert.equal(body.code, code, `${what}: ${res.body}`);
}

/** Every route with a body, with a valid body (only the shape matters here: validation runs first). */
const bodyRoutes: { method: 'POST' | 'PUT' | 'DELETE'; url: string; valid: Record<string, unknown> }[] = [
  {
    method: 'POST',
    url: '/v1/auth/register',
    valid: { email: 'a@example.com', password: 'long enough password', name: 'A', locale: 'en' },
  },
  { method: 'POST', url: '/v1/auth/login', valid: { email: 'a@example.com', password: 'x' } },
  { method: 'POST', url: '/v1/auth/login/totp', valid: { mfaToken: 'A'.repeat(43), code: '123456' } },
  { method: 'POST', url: '/v1/auth/refresh', valid: { refreshToken: 'A'.repeat(43) } },
  { method: 'POST', url: '/v1/auth/logout', valid: { refreshToken: 'A'.repeat(43) } },
  { method: 'DELETE', url: '/v1/me', valid: { password: 'x' } },
  { method: 'POST', url: '/v1/me/mfa/totp/activate', valid: { code: '123456' } },
  { method: 'PUT', url: '/v1/admin/users/00000000-0000-4000-8000-000000000000/role', valid: { role: 'organizer' } },
];

describe('HTTP surface (PostgreSQL + Redis)', () => {
  let h: Harness;
  let rawLogs = '';
  const logLines = () =>
    rawLogs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  before(async () => {
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        rawLogs += chunk.toString();
        done();
      },
    });
    h = await startHarness({ logger: pino({ level: 'trace' }, sink) });
  });
  after(async () => {
    await h.close();
  });

  describe('bad input gets a 4xx with a stable code', () => {
    for (const r of bodyRoutes) {
      it(`${r.method} ${r.url.replace(/[0-9a-f-]{36}/, ':id')}`, async () => {
        const send = (payload: string, contentType = 'application/json') =>
          h.inject({ method: r.method, url: r.url, payload, headers: { 'content-type': contentType } });
        const fields = Object.keys(r.valid);
        for (const f of fields) {
          for (const wrong of [42, true, null, [], {}, ['x']])
            assertRefused(
              await send(JSON.stringify({ ...r.valid, [f]: wrong })),
              400,
              'SS_ERR_VALIDATION',
              `${f}=${JSON.stringify(wrong)}`,
            );
          const { [f]: _dropped, ...missing } = r.valid;
          assertRefused(await send(JSON.stringify(missing)), 400, 'SS_ERR_VALIDATION', `missing ${f}`);
        }
        assertRefused(
          await send(JSON.stringify({ ...r.valid, isAdmin: true })),
          400,
          'SS_ERR_VALIDATION',
          'unknown field',
        );
        for (const shape of ['[]', '"text"', '42', 'null', 'true'])
          assertRefused(await send(shape), 400, null, `body ${shape}`);
        assertRefused(await send('{"email": "a@example.com",'), 400, 'SS_ERR_MALFORMED_JSON', 'truncated JSON');
        assertRefused(await send("{'single': 'quotes'}"), 400, 'SS_ERR_MALFORMED_JSON', 'not JSON');
        assertRefused(await send(''), 400, 'SS_ERR_MALFORMED_JSON', 'empty body');
        assertRefused(
          await send(JSON.stringify({ ...r.valid, pad: 'x'.repeat(20_000) })),
          413,
          'SS_ERR_BODY_TOO_LARGE',
          'oversized',
        );
        assertRefused(
          await send(`{"${fields[0]}":${'['.repeat(7000)}${']'.repeat(7000)}}`),
          400,
          'SS_ERR_VALIDATION',
          'deeply nested',
        );
        assertRefused(
          await send(`${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`),
          400,
          'SS_ERR_VALIDATION',
          'deeply nested objects',
        );
        assertRefused(
          await send(`{"__proto__": {"role": "admin"}, ${JSON.stringify(r.valid).slice(1)}`),
          400,
          null,
          '__proto__',
        );
        assertRefused(
          await send(`{"constructor": {"prototype": {"role": "admin"}}, ${JSON.stringify(r.valid).slice(1)}`),
          400,
          null,
          'constructor.prototype',
        );
        assertRefused(
          await send('email=a@example.com', 'application/x-www-form-urlencoded'),
          415,
          'SS_ERR_UNSUPPORTED_MEDIA_TYPE',
          'form body',
        );
        assertRefused(
          await send(JSON.stringify(r.valid), 'text/plain'),
          415,
          'SS_ERR_UNSUPPORTED_MEDIA_TYPE',
          'text/plain',
        );
        assertRefused(
          await h.inject({ method: r.method, url: `${r.url}?debug=1`, payload: r.valid }),
          400,
          'SS_ERR_VALIDATION',
          'unknown query parameter',
        );
      });
    }

    it('random JSON bodies on every route never get a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...bodyRoutes),
          fc.oneof(
            fc.jsonValue({ maxDepth: 4 }),
            fc.dictionary(
              fc.constantFrom('email', 'password', 'name', 'locale', 'code', 'mfaToken', 'refreshToken', 'role'),
              fc.jsonValue({ maxDepth: 2 }),
            ),
          ),
          async (r, body) => {
            const res = await h.inject({
              method: r.method,
              url: r.url,
              payload: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            });
            assert.ok(res.statusCode < 500, `${r.url} ${JSON.stringify(body)} -> ${res.statusCode} ${res.body}`);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('random path segments never get a 5xx', async () => {
      const pageFiles = new Set(
        readdirSync(new URL('../web/public/', import.meta.url), { withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => e.name),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 300 }),
          fc.constantFrom('/v1/admin/users/', '/v1/', '/'),
          async (segment, base) => {
            const url = base + encodeURIComponent(segment);
            const res = await h.inject({ method: 'GET', url });
            // `/` and the page's own files are served (200); anything else is a 4xx, never a 5xx. Dot segments are
            // resolved as in any URL (`/.`, `/v1/..` are `/`), so the served path is the resolved one.
            const resolved = new URL(url, 'http://api.test').pathname;
            const servedPage = resolved === '/' || pageFiles.has(decodeURIComponent(resolved.slice(1)));
            if (servedPage) assert.equal(res.statusCode, 200, `${base}${segment} -> ${res.statusCode}`);
            else assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${base}${segment} -> ${res.statusCode}`);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('SQL metacharacters are data: stored and answered verbatim, never a 5xx', async () => {
      const email = `o'brien+${Date.now()}--@example.com`;
      const name = `Robert'); DROP TABLE users;-- \\ "quoted" % _ ; /* */`;
      const reg = await h.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email, password: `' OR '1'='1' --`, name, locale: 'en' },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      h.track((reg.json() as { id: string }).id);
      assert.equal((reg.json() as { name: string }).name, name);
      const login = await h.login({ email, password: `' OR '1'='1' --` });
      assert.equal(login.statusCode, 200);
      assert.equal((await h.login({ email: `admin'--@example.com`, password: `' OR '1'='1` })).statusCode, 401);
      assertRefused(
        await h.inject({
          url: `/v1/admin/users/${encodeURIComponent("1' OR '1'='1")}`,
          token: (login.json() as Pair).accessToken,
        }),
        400,
        'SS_ERR_VALIDATION',
        'SQL in a path param',
      );
      const { rows } = await h.pool.query(`SELECT to_regclass('public.users') IS NOT NULL AS ok`);
      assert.equal(rows[0].ok, true);
    });

    it('refuses invalid values: e-mail format, short password, unknown locale, blank name', async () => {
      const base = { email: uniqueEmail(), password: 'long enough password', name: 'A', locale: 'en' };
      for (const [field, value] of [
        ['email', 'not-an-email'],
        ['email', `${'a'.repeat(250)}@example.com`],
        ['password', 'short'],
        ['password', 'x'.repeat(129)],
        ['locale', 'de'],
        ['name', '   '],
        ['name', 'n'.repeat(101)],
      ] as const) {
        assertRefused(
          await h.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, [field]: value } }),
          400,
          'SS_ERR_VALIDATION',
          `${field}=${value.slice(0, 20)}`,
        );
      }
    });

    it('unknown routes: 404 SS_ERR_NOT_FOUND; known paths with another method: 405 with Allow; a malformed URL: 400', async () => {
      assertRefused(await h.inject({ url: '/v1/nothing-here' }), 404, 'SS_ERR_NOT_FOUND', 'unknown route');
      const patch = await h.inject({ method: 'PATCH', url: '/v1/me' });
      assertRefused(patch, 405, 'SS_ERR_METHOD_NOT_ALLOWED', 'a known path, another method');
      assert.equal(patch.headers.allow, 'DELETE, GET, HEAD');
      assertRefused(
        await h.inject({ method: 'POST', url: '/v1/admin/users/00000000-0000-4000-8000-000000000000' }),
        405,
        'SS_ERR_METHOD_NOT_ALLOWED',
        'a known pattern, another method',
      );
      assertRefused(
        await h.inject({ method: 'PATCH', url: '/v1/nothing-here' }),
        404,
        'SS_ERR_NOT_FOUND',
        'unknown path, any method',
      );
      assertRefused(await h.inject({ url: '/v1/%E0%A4%A' }), 400, 'SS_ERR_BAD_REQUEST', 'bad percent-encoding');
    });
  });

  describe('operations', () => {
    it('/health and /ready answer 200 when PostgreSQL and Redis are up', async () => {
      assert.deepEqual((await h.inject({ url: '/health' })).json(), { status: 'ok' });
      assert.deepEqual((await h.inject({ url: '/ready' })).json(), { status: 'ready', postgres: 'up', redis: 'up' });
    });

    it('/ready answers 503 SS_ERR_NOT_READY when Redis is unreachable, /health stays 200, requests needing Redis get 503 SS_ERR_UNAVAILABLE', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const pool = createPool(loadEndpoints().postgres);
      const redis = createRedis(`redis://127.0.0.1:${port}`);
      const app = await buildApp({
        config: loadApiConfig({}),
        pool,
        redis,
        secrets: h.secrets,
        logger: pino({ level: 'fatal' }, new Writable({ write: (_c, _e, done) => done() })),
      });
      try {
        const ready = await app.inject({ url: '/ready' });
        assert.equal(ready.statusCode, 503);
        assert.deepEqual(ready.json(), { code: 'SS_ERR_NOT_READY', message: 'unreachable: redis' });
        assert.equal((await app.inject({ url: '/health' })).statusCode, 200);
        const login = await app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: 'a@example.com', password: 'whatever123' },
        });
        assert.equal(login.statusCode, 503);
        assert.equal(login.json().code, 'SS_ERR_UNAVAILABLE');
      } finally {
        await app.close();
        await pool.end();
        redis.disconnect();
      }
    });

    it('/metrics has the HTTP latency histogram by route template and status', async () => {
      await h.inject({ url: '/health' });
      await h.inject({ url: '/v1/admin/users/00000000-0000-4000-8000-000000000001' });
      await h.inject({ url: '/v1/nowhere/42' });
      const res = await h.inject({ url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(
        res.body,
        /^http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} [1-9]/m,
      );
      assert.match(
        res.body,
        /^http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/admin\/users\/:userId",status_code="401"\} \d+/m,
      );
      assert.match(
        res.body,
        /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} [1-9]/m,
      );
      assert.ok(!res.body.includes('/v1/nowhere/42'), 'raw URLs are not labels');
      assert.match(res.body, /^process_resident_memory_bytes /m);
    });

    it('/docs/json is an OpenAPI 3 document with every route, strict schemas and error responses; /docs serves the UI', async () => {
      const res = await h.inject({ url: '/docs/json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json() as {
        openapi: string;
        paths: Record<
          string,
          Record<
            string,
            {
              requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> };
              responses: Record<string, unknown>;
            }
          >
        >;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      };
      assert.equal(doc.openapi, '3.0.3');
      const expected = [
        '/v1/auth/register',
        '/v1/auth/login',
        '/v1/auth/login/totp',
        '/v1/auth/refresh',
        '/v1/auth/logout',
        '/v1/me',
        '/v1/me/export',
        '/v1/me/mfa/totp',
        '/v1/me/mfa/totp/activate',
        '/v1/organizer/session',
        '/v1/admin/users/{userId}',
        '/v1/admin/users/{userId}/role',
        '/health',
        '/ready',
        '/.well-known/jwks.json',
      ];
      for (const p of expected) assert.ok(doc.paths[p], `${p} missing from ${Object.keys(doc.paths).join(', ')}`);
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          assert.ok(op.responses['400'], `${method} ${path} documents no 400`);
          const schema = op.requestBody?.content['application/json']?.schema;
          if (schema) assert.equal(schema.additionalProperties, false, `${method} ${path} body accepts unknown fields`);
        }
      }
      assert.ok(doc.components.schemas.ErrorBody && doc.components.schemas.TokenPair && doc.components.schemas.Account);
      assert.ok(doc.components.securitySchemes.bearerAuth);
      const ui = await h.inject({ url: '/docs' });
      assert.ok(ui.statusCode === 200 || ui.statusCode === 302, String(ui.statusCode));
    });

    it('sets security headers, and CORS only for configured origins', async () => {
      const res = await h.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.headers['strict-transport-security']);
      assert.ok(res.headers['content-security-policy']);
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.equal(res.headers['access-control-allow-origin'], undefined);

      const withCors = await startHarness({ env: { API_CORS_ORIGINS: 'https://tickets.example' } });
      try {
        const pre = await withCors.inject({
          method: 'OPTIONS',
          url: '/v1/auth/login',
          headers: {
            origin: 'https://tickets.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        assert.equal(pre.statusCode, 204);
        assert.equal(pre.headers['access-control-allow-origin'], 'https://tickets.example');
        const other = await withCors.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
        assert.equal(other.headers['access-control-allow-origin'], undefined);
      } finally {
        await withCors.close();
      }
    });
  });

  describe('request ids and logs', () => {
    it("echoes the caller's x-request-id, or a generated one, and binds it to the request's log lines", async () => {
      const given = await h.inject({ url: '/v1/me', headers: { 'x-request-id': 'trace-abc-123456' } });
      assert.equal(given.headers['x-request-id'], 'trace-abc-123456');
      const generated = await h.inject({ url: '/v1/me', headers: { 'x-request-id': 'bad id with spaces' } });
      assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      const mine = logLines().filter((l) => l.requestId === 'trace-abc-123456');
      assert.ok(mine.some((l) => l.msg === 'incoming request'));
      assert.ok(mine.some((l) => l.msg === 'request completed'));
      assert.ok(mine.some((l) => l.msg === 'request refused' && l.code === 'SS_ERR_AUTH_TOKEN_MISSING'));
    });

    it('no password, token, code or secret reaches the logs, whatever the flow', async () => {
      const u = await h.register({ password: 'Sup3r-Secret-Passw0rd' });
      await h.setRole(u, 'organizer');
      const pair = (await h.login(u)).json() as Pair;
      const { secret, recoveryCodes, refreshToken } = await h.enrolTotp(pair.accessToken);
      const challenge = (await h.login(u)).json() as { mfaToken: string };
      const code = h.totp(secret);
      const full = (
        await h.inject({ method: 'POST', url: '/v1/auth/login/totp', payload: { mfaToken: challenge.mfaToken, code } })
      ).json() as Pair;
      await h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
      await h.inject({
        method: 'POST',
        url: '/v1/auth/logout',
        token: full.accessToken,
        payload: { refreshToken: full.refreshToken },
      });
      await h.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: u.email, password: 'Wr0ng-Secret-Passw0rd' },
      });
      assert.ok(rawLogs.length > 0);
      const secrets = [
        'Sup3r-Secret-Passw0rd',
        'Wr0ng-Secret-Passw0rd',
        pair.accessToken,
        pair.refreshToken,
        full.accessToken,
        full.refreshToken,
        refreshToken,
        challenge.mfaToken,
        secret.toString('hex'),
        ...recoveryCodes,
      ];
      for (const s of secrets) assert.ok(!rawLogs.includes(s), `a secret reached the logs: ${s.slice(0, 12)}…`);
      assert.ok(!rawLogs.includes(`"${code}"`), 'the TOTP code reached the logs');
    });
  });
});
