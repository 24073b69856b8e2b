/**
 * Brute force. Every secret a caller can guess is guarded by a limit kept in Redis (shared by the API replicas), and
 * every limit answers 429 SS_ERR_AUTH_RATE_LIMITED with a Retry-After header:
 *
 *   password        5 failures per account (known or not) in 15 min lock it; 50 per IP lock the IP; 30 logins/min/IP
 *   TOTP at login   5 codes per challenge; failures count on the account, across challenges (as passwords do)
 *   TOTP enrolment  10 activation codes per account in 15 min
 *   refresh tokens  256 random bits (a guess is useless) and 60 refreshes/min/IP
 *   erasure         5 password checks per account in 15 min (a stolen access token cannot guess the password)
 *   registration    30 per IP and hour
 *
 * Proven elsewhere, in full: the account lockout with the right password refused and unknown e-mails locked alike,
 * logins per IP (api/auth/auth.int.test.ts); a challenge dying after 5 codes and code failures adding up across
 * challenges (api/accounts/mfa.int.test.ts). Here: the rest, each with its Retry-After.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { base32Decode } from '../../api/auth/base32.js';
import { totpAt } from '../../api/auth/totp.js';
import type { Harness } from '../../api/testing/harness.js';
import { assertRefused, securityHarness, signIn } from './testing.js';

/** A 429 with our code and a Retry-After in whole seconds within `maxSec`. */
function assertLimited(res: LightMyRequestResponse, what: string, maxSec: number): void {
  assertRefused(res, what, 429, 'SS_ERR_AUTH_RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSec,
    `${what}: Retry-After ${retryAfter}`,
  );
}

/** Runs `body` with a harness of its own (its own IP and Redis prefix), closed whatever happens. */
async function withHarness(env: Record<string, string>, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await securityHarness({ env });
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/** A loopback address of its own for each test: the per-IP limits of one test do not touch another. */
let nextIp = 1;
const newIp = () => `127.254.${Math.floor(Math.random() * 250) + 1}.${nextIp++}`;

describe('security: brute force', () => {
  let h: Harness;
  before(async () => {
    h = await securityHarness({ env: { API_IP_LOCKOUT_FAILURES: '6', API_TOKEN_PER_IP_PER_MIN: '8' } });
  });
  after(async () => {
    await h.close();
  });
  const from = (ip: string) => (opts: InjectOptions) => h.app.inject({ ...opts, remoteAddress: ip });
  const loginFrom = (ip: string, u: { email: string; password: string }) =>
    from(ip)({ method: 'POST', url: '/v1/auth/login', payload: { email: u.email, password: u.password } });

  it('password guesses spread over many accounts from one IP lock the IP, the right password of another account included', async () => {
    const victim = await h.register();
    const ip = newIp();
    for (let i = 0; i < 6; i++) {
      const r = await loginFrom(ip, { email: `spray-${i}-${randomUUID()}@example.com`, password: 'Summer2026!' });
      assertRefused(r, `guess ${i + 1}`, 401, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
    }
    assertLimited(await loginFrom(ip, victim), 'the right password from the locked IP', 900);
    // The lock is the IP's: the victim from elsewhere still signs in.
    const elsewhere = await loginFrom(newIp(), victim);
    assert.equal(elsewhere.statusCode, 200, elsewhere.body);
  });

  it('TOTP codes at login: failures lock the account across challenges, with Retry-After, and the right password is refused while locked', () =>
    (async () => {
      const org = await signIn(h, 'organizer');
      let last: LightMyRequestResponse | null = null;
      for (let i = 0; i < 6 && last?.statusCode !== 429; i++) {
        // Each guess from another address: the account's count, not an IP's, is what locks.
        const ip = newIp();
        const challenge = (await loginFrom(ip, org.user)).json() as { mfaToken?: string };
        if (!challenge.mfaToken) break; // the password login itself is refused once the account is locked
        last = await from(ip)({
          method: 'POST',
          url: '/v1/auth/login/totp',
          payload: { mfaToken: challenge.mfaToken, code: '000000' },
        });
      }
      const right = await loginFrom(newIp(), org.user);
      assertLimited(right, 'the right password of an account locked by TOTP guesses', 900);
    })());

  it('TOTP enrolment: activation codes are limited per account (429 with Retry-After)', () =>
    (async () => {
      const u = await h.register();
      const token = ((await h.login(u)).json() as { accessToken: string }).accessToken;
      const start = await h.inject({ method: 'POST', url: '/v1/me/mfa/totp', token });
      assert.equal(start.statusCode, 200, start.body);
      // Guesses that are surely wrong: not the codes of the steps around now.
      const secret = base32Decode((start.json() as { secret: string }).secret);
      const valid = new Set([-30_000, 0, 30_000].map((d) => totpAt(secret, h.now().getTime() + d)));
      const guesses = Array.from({ length: 40 }, (_, i) => String(100000 + i)).filter((c) => !valid.has(c));
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await h.inject({
          method: 'POST',
          url: '/v1/me/mfa/totp/activate',
          token,
          payload: { code: guesses[i] },
        });
        codes.push(r.statusCode);
        if (r.statusCode === 429) {
          assertLimited(r, `activation guess ${i + 1}`, 900);
          break;
        }
        assertRefused(r, `activation guess ${i + 1}`, 401, 'SS_ERR_AUTH_MFA_CODE_INVALID');
      }
      assert.equal(codes.at(-1), 429, `answers: ${codes.join(',')}`);
      assert.ok(codes.length <= 11, `${codes.length - 1} guesses allowed`);
    })());

  it('refresh tokens: a guess is useless (256 random bits, stored hashed) and guessing is limited per IP', () =>
    (async () => {
      const u = await h.register();
      const real = ((await h.login(u)).json() as { refreshToken: string }).refreshToken;
      assert.match(real, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(real, 'base64url').length, 32);
      const raw = await h.pool.query<{ row: string }>(
        'SELECT refresh_tokens::text AS row FROM refresh_tokens WHERE user_id = $1',
        [u.id],
      );
      assert.equal(raw.rows.length, 1);
      for (const form of [real, Buffer.from(real, 'base64url').toString('hex')])
        assert.ok(!raw.rows[0]!.row.includes(form), 'the refresh token is stored as it was given');
      const guesser = from(newIp());
      for (let i = 0; i < 9; i++) {
        const guess = randomBytes(32).toString('base64url');
        const r = await guesser({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: guess } });
        if (i < 8) assertRefused(r, `guess ${i + 1}`, 401, 'SS_ERR_AUTH_REFRESH_INVALID');
        else assertLimited(r, 'guess 9', 60);
      }
      // The limit is per IP: the real token works from the caller's own address, not from the guesser's.
      assertLimited(
        await guesser({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: real } }),
        'the guesser',
        60,
      );
      const own = await from(newIp())({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: real } });
      assert.equal(own.statusCode, 200, own.body);
    })());

  it('erasure: a stolen access token gets 5 password guesses, then 429 with Retry-After, and the account stays', () =>
    (async () => {
      const u = await h.register();
      const token = ((await h.login(u)).json() as { accessToken: string }).accessToken;
      for (let i = 0; i < 5; i++) {
        const r = await h.inject({ method: 'DELETE', url: '/v1/me', token, payload: { password: `guess-${i}` } });
        assertRefused(r, `guess ${i + 1}`, 401, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
      }
      assertLimited(
        await h.inject({ method: 'DELETE', url: '/v1/me', token, payload: { password: u.password } }),
        'the right password after 5 guesses',
        900,
      );
      const { rows } = await h.pool.query<{ erased: boolean }>(
        'SELECT erased_at IS NOT NULL AS erased FROM users WHERE id = $1',
        [u.id],
      );
      assert.deepEqual(rows, [{ erased: false }]);
    })());

  it('registration is limited per IP (429 with Retry-After)', () =>
    withHarness({ API_REGISTER_PER_IP_PER_HOUR: '3' }, async (h) => {
      for (let i = 0; i < 3; i++) await h.register();
      const r = await h.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: {
          email: `flood-${randomUUID()}@example.com`,
          password: `pw-${randomUUID()}`,
          name: 'F',
          locale: 'en',
        },
      });
      assertLimited(r, 'the 4th registration', 3600);
    }));
});
