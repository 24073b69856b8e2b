/** Registration, login, refresh rotation, logout, lockout and token checks, through the real app on PostgreSQL and Redis. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, uniqueEmail, type Harness } from '../testing/harness.js';
import { AccessTokens } from './access-tokens.js';
import { generateSigningKey, newKeySet } from '../keys/jwt-keys.js';

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  mfaEnrolmentRequired: boolean;
}

describe('accounts and tokens (PostgreSQL + Redis)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('registers a customer, who logs in and reads /v1/me', async () => {
    const email = uniqueEmail('Reg');
    const res = await h.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password: 'correct horse battery', name: 'Leïla Ben Ali', locale: 'ar' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const account = res.json() as { id: string; email: string; role: string; locale: string; mfaEnabled: boolean };
    h.track(account.id);
    assert.deepEqual(
      { ...account, id: undefined, createdAt: undefined },
      {
        id: undefined,
        createdAt: undefined,
        email,
        name: 'Leïla Ben Ali',
        role: 'customer',
        locale: 'ar',
        mfaEnabled: false,
      },
    );

    const login = await h.login({ email: email.toUpperCase(), password: 'correct horse battery' });
    assert.equal(login.statusCode, 200, login.body);
    const pair = login.json() as Pair;
    assert.equal(pair.expiresIn, 600);
    assert.equal(pair.mfaEnrolmentRequired, false);
    const me = await h.inject({ url: '/v1/me', token: pair.accessToken });
    assert.equal(me.statusCode, 200);
    assert.equal((me.json() as { id: string }).id, account.id);
  });

  it('refuses a second account with the same e-mail, whatever its case (409 SS_ERR_AUTH_EMAIL_TAKEN)', async () => {
    const u = await h.register();
    const res = await h.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: ` ${u.email.toUpperCase()}`.trim(), password: 'another password', name: 'Twin', locale: 'en' },
    });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'SS_ERR_AUTH_EMAIL_TAKEN');
  });

  it('answers the same 401 for a wrong password and for an unknown e-mail', async () => {
    const u = await h.register();
    const wrong = await h.login({ email: u.email, password: 'not the password' });
    const unknown = await h.login({ email: uniqueEmail('nobody'), password: 'whatever123' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.statusCode, 401);
      assert.deepEqual(r.json(), { code: 'SS_ERR_AUTH_INVALID_CREDENTIALS', message: 'wrong e-mail or password' });
    }
  });

  it('rotates refresh tokens: the new pair works, the old refresh token is refused, and its reuse revokes the whole family', async () => {
    const u = await h.register();
    const first = (await h.login(u)).json() as Pair;
    const r1 = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    assert.equal(r1.statusCode, 200, r1.body);
    const second = r1.json() as Pair;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await h.inject({ url: '/v1/me', token: second.accessToken })).statusCode, 200);

    // The first token again: a replay. Refused, and the family (so the second token too) is revoked.
    const replay = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().code, 'SS_ERR_AUTH_REFRESH_REUSED');
    const afterReplay = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: second.refreshToken },
    });
    assert.equal(afterReplay.statusCode, 401);
    assert.equal(afterReplay.json().code, 'SS_ERR_AUTH_REFRESH_INVALID');

    // Another login is another family, untouched.
    const other = (await h.login(u)).json() as Pair;
    assert.equal(
      (await h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: other.refreshToken } }))
        .statusCode,
      200,
    );
    const { rows } = await h.pool.query<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at',
      [u.id],
    );
    assert.deepEqual(
      rows.map((r) => r.revoked_reason),
      ['rotated', 'reused', 'rotated', null],
    );
  });

  it('two concurrent refreshes with one token: exactly one succeeds', async () => {
    const u = await h.register();
    const pair = (await h.login(u)).json() as Pair;
    const results = await Promise.all(
      [1, 2].map(() =>
        h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 401]);
  });

  it('refuses unknown and malformed refresh tokens with stable codes', async () => {
    const unknown = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: 'A'.repeat(43) },
    });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().code, 'SS_ERR_AUTH_REFRESH_INVALID');
    const malformed = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: "' OR 1=1 --" },
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'SS_ERR_VALIDATION');
  });

  it('logout revokes the refresh family and the access token shown with it', async () => {
    const u = await h.register();
    const pair = (await h.login(u)).json() as Pair;
    const out = await h.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      token: pair.accessToken,
      payload: { refreshToken: pair.refreshToken },
    });
    assert.equal(out.statusCode, 204);
    const me = await h.inject({ url: '/v1/me', token: pair.accessToken });
    assert.equal(me.statusCode, 401);
    assert.equal(me.json().code, 'SS_ERR_AUTH_TOKEN_REVOKED');
    const refresh = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: pair.refreshToken },
    });
    assert.equal(refresh.json().code, 'SS_ERR_AUTH_REFRESH_INVALID');
    // Idempotent.
    assert.equal(
      (await h.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: pair.refreshToken } }))
        .statusCode,
      204,
    );
  });

  it('locks an account after 5 failed logins: 429 SS_ERR_AUTH_RATE_LIMITED with Retry-After, even with the right password', async () => {
    const u = await h.register();
    for (let i = 0; i < 5; i++) {
      const r = await h.login({ email: u.email, password: `wrong-${i}-password` });
      assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
    }
    const locked = await h.login(u);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'SS_ERR_AUTH_RATE_LIMITED');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 850 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    // The lock is per account: another account from the same address still logs in.
    const other = await h.register();
    assert.equal((await h.login(other)).statusCode, 200);
  });

  it('locks unknown e-mails the same way (the answer tells nothing about which accounts exist)', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 5; i++) assert.equal((await h.login({ email, password: 'whatever123' })).statusCode, 401);
    assert.equal((await h.login({ email, password: 'whatever123' })).statusCode, 429);
  });

  it('limits logins per IP address', async () => {
    const limited = await startHarness({ env: { API_LOGIN_PER_IP_PER_MIN: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push((await limited.login({ email: uniqueEmail('ip'), password: 'whatever123' })).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('refuses forged, tampered, expired and wrong-audience access tokens, and malformed Authorization headers, with stable codes', async () => {
    const u = await h.register();
    const pair = (await h.login(u)).json() as Pair;
    const claims = { sub: u.id, role: 'admin' as const, amr: ['pwd' as const, 'otp' as const], sep: 0 };
    const jwtOpts = { ...h.config.jwt, ttlSec: 600 };
    const forged = (await (await AccessTokens.create(newKeySet(await generateSigningKey()), jwtOpts)).sign(claims))
      .token;
    const wrongAudience = (
      await (await AccessTokens.create(h.secrets.jwtKeys, { ...jwtOpts, audience: 'another-api' })).sign(claims)
    ).token;
    const expired = (
      await h.app.ctx.tokens.sign({ ...claims, role: 'customer', amr: ['pwd'] }, new Date(Date.now() - 3_600_000))
    ).token;
    const [head, payload, sig] = pair.accessToken.split('.') as [string, string, string];
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    const cases: [string, string, string][] = [
      ['forged (unknown key)', forged, 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['wrong audience', wrongAudience, 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['tampered payload', `${head}.${elevated}.${sig}`, 'SS_ERR_AUTH_TOKEN_INVALID'],
      ['expired', expired, 'SS_ERR_AUTH_TOKEN_EXPIRED'],
    ];
    for (const [what, token, code] of cases) {
      const res = await h.inject({ url: '/v1/me', token });
      assert.equal(res.statusCode, 401, what);
      assert.equal(res.json().code, code, what);
      assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/, what);
    }
    const missing = await h.inject({ url: '/v1/me' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().code, 'SS_ERR_AUTH_TOKEN_MISSING');
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      `Bearer ${pair.accessToken} extra`,
      'bearer x.y.z\u0000',
    ]) {
      const res = await h.inject({ url: '/v1/me', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
      assert.equal(res.json().code, 'SS_ERR_AUTH_TOKEN_INVALID', authorization);
    }
  });

  it('keeps e-mail and name unreadable in the users table, and finds the account by blind index only', async () => {
    const email = uniqueEmail('secret.person');
    const u = await h.register({ email, name: 'Zineb Secret-Name' });
    const { rows } = await h.pool.query<{ row: string; email_bidx: Buffer }>(
      'SELECT users::text AS row, email_bidx FROM users WHERE id = $1',
      [u.id],
    );
    const row = rows[0]!.row;
    for (const plain of [
      email,
      email.split('@')[0]!,
      'Zineb',
      'Secret-Name',
      Buffer.from(email).toString('base64'),
      Buffer.from(email).toString('hex'),
    ]) {
      assert.ok(!row.includes(plain), `${plain} readable in ${row}`);
    }
    assert.match(row, /v1\.[A-Za-z0-9_-]+\./);
    assert.equal(rows[0]!.email_bidx.length, 32);
    const byPlain = await h.pool.query('SELECT 1 FROM users WHERE email_enc = $1 OR name_enc = $2', [
      email,
      'Zineb Secret-Name',
    ]);
    assert.equal(byPlain.rowCount, 0);
  });

  it('stores passwords as argon2id hashes', async () => {
    const u = await h.register();
    const { rows } = await h.pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [
      u.id,
    ]);
    assert.match(rows[0]!.password_hash, /^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    assert.ok(!rows[0]!.password_hash.includes(u.password));
  });

  it('serves the public keys (and only them) as a JWKS document', async () => {
    const res = await h.inject({ url: '/.well-known/jwks.json' });
    assert.equal(res.statusCode, 200);
    const jwks = res.json() as { keys: { kid: string; d?: string }[] };
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [h.secrets.jwtKeys.current],
    );
    assert.ok(jwks.keys.every((k) => k.d === undefined));
  });
});
