/**
 * Secrets absent from logs. The API runs as the real process (`api/main.ts`, its real pino logger at debug level,
 * stdout and stderr captured as raw bytes) with key material of this test, and goes through registration, login,
 * refresh, a second-factor enrolment and login, a checkout with a card token, partner credentials made and rotated,
 * refused requests of every kind, a GDPR export and an erasure. Then the raw bytes of the logs must hold none of: a
 * password, an access or refresh token, a second-factor token, secret or code, a recovery code, a cookie, an API key,
 * the personal-data keys, the JWT private key, the card token, a partner's secret, an e-mail address or a name.
 * (SeatStream stores no phone number: there is none to find, see README.md.)
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadEndpoints, repoRoot } from '../../infra/config.js';
import { createPool } from '../../api/db/pool.js';
import { createRedis } from '../../api/redis.js';
import { generatePiiKeyFile } from '../../api/accounts/pii.js';
import { generateSigningKey, newKeySet } from '../../api/keys/jwt-keys.js';
import { base32Decode } from '../../api/auth/base32.js';
import { totpAt } from '../../api/auth/totp.js';
import { fastArgon2 } from '../../api/catalog/testing.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('security: secrets absent from logs (api/main.ts as a process)', () => {
  const prefix = `ss:test:${randomUUID()}:`;
  const userIds: string[] = [];
  const partnerIds: string[] = [];
  let child: ChildProcess | null = null;
  let base = '';
  let adminToken = '';

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const pool = createPool(loadEndpoints().postgres);
    const redis = createRedis(undefined, { commandTimeout: 15_000 });
    try {
      if (partnerIds.length) {
        await pool.query('DELETE FROM partner_audit WHERE partner_id = ANY($1)', [partnerIds]);
        await pool.query('DELETE FROM partners WHERE partner_id = ANY($1)', [partnerIds]);
      }
      if (userIds.length) {
        await pool.query('DELETE FROM role_changes WHERE user_id = ANY($1::uuid[]) OR changed_by = ANY($1::uuid[])', [
          userIds,
        ]);
        await pool.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [userIds]);
      }
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      await pool.end();
      await redis.quit();
    }
  });

  const call = async (
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      ...(opts.raw !== undefined
        ? { body: opts.raw }
        : opts.body !== undefined
          ? { body: JSON.stringify(opts.body) }
          : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers of many routes, read field by field
      body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as any,
    };
  };

  it('no secret and no personal data reaches the logs, whatever the flow', { timeout: 240_000 }, async () => {
    const piiKeys = generatePiiKeyFile('sec-logs');
    const jwtKeys = newKeySet(await generateSigningKey());
    const port = await freePort();
    const chunks: Buffer[] = [];
    const proc = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...fastArgon2,
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        API_MIGRATE: '0',
        LOG_LEVEL: 'debug',
        API_REDIS_PREFIX: prefix,
        API_CHECKOUT_WAIT_MS: '300',
        SEATSTREAM_PII_KEYS: JSON.stringify(piiKeys),
        SEATSTREAM_JWT_KEYS: JSON.stringify(jwtKeys),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', (d: Buffer) => chunks.push(d));
    proc.stderr!.on('data', (d: Buffer) => chunks.push(d));
    const logs = () => Buffer.concat(chunks);
    const deadline = Date.now() + 120_000;
    while (!logs().includes('API listening')) {
      if (proc.exitCode !== null) assert.fail(`the API exited: ${logs().toString()}`);
      if (Date.now() > deadline) assert.fail(`the API did not start: ${logs().toString().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    base = `http://127.0.0.1:${port}`;

    // A customer: register, login, refresh, read, export, logout; cookies and API keys sent along.
    const secrets: string[] = [];
    const personal: string[] = [];
    const email = `Logs.Person+${randomUUID()}@Example.com`;
    const name = `Yasmine Secretname-${randomBytes(4).toString('hex')}`;
    const password = `Pw-${randomUUID()}`;
    const cookie = `sid-${randomUUID()}`;
    const apiKey = `key-${randomUUID()}`;
    personal.push(email, email.toLowerCase(), email.split('@')[0]!, name, name.split(' ')[1]!);
    secrets.push(password, cookie, apiKey);
    const reg = await call('POST', '/v1/auth/register', { body: { email, password, name, locale: 'en' } });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    userIds.push(reg.body.id);
    const withExtras = { cookie: `session=${cookie}; other=1`, 'x-api-key': apiKey };
    const login = await call('POST', '/v1/auth/login', { body: { email, password }, headers: withExtras });
    assert.equal(login.status, 200);
    const refreshed = await call('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    assert.equal(refreshed.status, 200);
    secrets.push(
      login.body.accessToken,
      login.body.refreshToken,
      refreshed.body.accessToken,
      refreshed.body.refreshToken,
    );
    const token = refreshed.body.accessToken as string;
    assert.equal((await call('GET', '/v1/me', { token, headers: withExtras })).status, 200);
    assert.equal((await call('GET', '/v1/me/export', { token })).status, 200);

    // Refused requests that carry secrets: wrong password, malformed JSON right after a password, unknown fields,
    // an oversized password, a reused refresh token, a forged bearer.
    const wrong = `Wrong-${randomUUID()}`;
    secrets.push(wrong);
    assert.equal((await call('POST', '/v1/auth/login', { body: { email, password: wrong } })).status, 401);
    const broken = `Broken-${randomUUID()}`;
    secrets.push(broken);
    assert.equal(
      (await call('POST', '/v1/auth/login', { raw: `{"email":"${email}","password":"${broken}" "x":1}` })).status,
      400,
    );
    const extra = `Extra-${randomUUID()}`;
    secrets.push(extra);
    assert.equal((await call('POST', '/v1/auth/login', { body: { email, password, [extra]: extra } })).status, 400);
    const long = `Long-${randomUUID()}`.padEnd(200, 'x');
    secrets.push(long.slice(0, 41));
    assert.equal((await call('POST', '/v1/auth/login', { body: { email, password: long } })).status, 400);
    assert.equal(
      (await call('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } })).status,
      401,
    );
    const forged = `${token.split('.').slice(0, 2).join('.')}.${randomBytes(64).toString('base64url')}`;
    secrets.push(forged.split('.')[2]!);
    assert.equal((await call('GET', '/v1/me', { token: forged })).status, 401);

    // A checkout with a card token (no such hold: the saga refuses it, or the API answers 202 while it waits).
    const cardToken = `tok_${randomBytes(12).toString('hex')}`;
    secrets.push(cardToken);
    const checkout = await call('POST', `/v1/holds/H-${randomUUID()}/checkout`, {
      token,
      body: { paymentToken: cardToken },
    });
    assert.ok(checkout.status < 500 || checkout.status === 503, JSON.stringify(checkout.body));

    // An admin: enrols TOTP, signs in with a code, makes a partner and rotates its secret.
    const admin = {
      email: `logs-admin-${randomUUID()}@example.com`,
      password: `Adm-${randomUUID()}`,
      name: 'Admin Logs',
    };
    personal.push(admin.email);
    secrets.push(admin.password);
    const adminReg = await call('POST', '/v1/auth/register', { body: { ...admin, locale: 'fr' } });
    assert.equal(adminReg.status, 201);
    userIds.push(adminReg.body.id);
    const setRole = spawnSync(process.execPath, ['--import', 'tsx', 'api/admin/set-role.ts', admin.email, 'admin'], {
      cwd: repoRoot,
      env: { ...process.env, API_REDIS_PREFIX: prefix, SEATSTREAM_PII_KEYS: JSON.stringify(piiKeys) },
      encoding: 'utf8',
    });
    assert.equal(setRole.status, 0, setRole.stderr);
    const adminLogin = await call('POST', '/v1/auth/login', { body: { email: admin.email, password: admin.password } });
    assert.equal(adminLogin.status, 200);
    const enrol = await call('POST', '/v1/me/mfa/totp', { token: adminLogin.body.accessToken });
    assert.equal(enrol.status, 200);
    const totpSecret = base32Decode(enrol.body.secret);
    secrets.push(enrol.body.secret, totpSecret.toString('hex'), totpSecret.toString('base64'), enrol.body.otpauthUri);
    const code = totpAt(totpSecret, Date.now());
    const activated = await call('POST', '/v1/me/mfa/totp/activate', {
      token: adminLogin.body.accessToken,
      body: { code },
    });
    assert.equal(activated.status, 200, JSON.stringify(activated.body));
    secrets.push(
      ...(activated.body.recoveryCodes as string[]),
      activated.body.accessToken,
      activated.body.refreshToken,
    );
    adminToken = activated.body.accessToken;
    const challenge = await call('POST', '/v1/auth/login', { body: { email: admin.email, password: admin.password } });
    assert.equal(challenge.body.mfaRequired, true);
    secrets.push(challenge.body.mfaToken);
    const recovery = (activated.body.recoveryCodes as string[])[0]!;
    const second = await call('POST', '/v1/auth/login/totp', {
      body: { mfaToken: challenge.body.mfaToken, code: recovery },
    });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    secrets.push(second.body.accessToken, second.body.refreshToken);

    const partnerId = `seclogs${randomBytes(4).toString('hex')}`;
    partnerIds.push(partnerId);
    const made = await call('POST', '/v1/admin/partners', {
      token: adminToken,
      body: { partnerId, displayName: 'Logs Partner', kind: 'media', entitlements: ['catalog'] },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    secrets.push(made.body.credentials.password);
    const rotated = await call('POST', `/v1/admin/partners/${partnerId}/credentials`, { token: adminToken });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    secrets.push(rotated.body.credentials?.password ?? rotated.body.password);
    assert.equal((await call('DELETE', `/v1/admin/partners/${partnerId}`, { token: adminToken })).status, 200);

    // The customer leaves: logout, then erasure.
    assert.equal(
      (await call('POST', '/v1/auth/logout', { body: { refreshToken: refreshed.body.refreshToken } })).status,
      204,
    );
    const again = await call('POST', '/v1/auth/login', { body: { email, password } });
    secrets.push(again.body.accessToken, again.body.refreshToken);
    assert.equal((await call('DELETE', '/v1/me', { token: again.body.accessToken, body: { password } })).status, 204);

    proc.kill('SIGTERM');
    await once(proc, 'exit');
    const raw = logs();
    const lines = raw
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    assert.ok(lines.length > 40, `only ${lines.length} log lines`);
    assert.ok(
      lines.some((l) => l.includes('/v1/admin/partners')),
      'the partner requests were logged',
    );

    const keyMaterial = [
      ...Object.values(piiKeys.encryption.keys),
      piiKeys.blindIndexKey,
      ...Object.values(piiKeys.encryption.keys).map((k) => Buffer.from(k, 'base64').toString('hex')),
      ...jwtKeys.keys.map((k) => String(k.privateJwk.d)),
    ];
    const forms = (s: string) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)];
    for (const [kind, values] of [
      ['secret', secrets],
      ['personal data', personal],
      ['key material', keyMaterial],
    ] as const) {
      for (const v of values) {
        assert.ok(typeof v === 'string' && v.length >= 8, `${kind}: a value to look for is missing`);
        for (const f of forms(v)) assert.ok(!raw.includes(f), `${kind} reached the logs: ${v.slice(0, 10)}…`);
      }
    }
    assert.ok(!raw.includes(`"${code}"`), 'the TOTP code reached the logs');
    assert.doesNotMatch(raw.toString('utf8'), /Bearer [A-Za-z0-9_-]+\./, 'an Authorization header reached the logs');
  });
});
