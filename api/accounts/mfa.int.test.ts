/** TOTP for organizers and admins, recovery codes, and role changes by an admin, on the real PostgreSQL and Redis. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness, type TestUser } from '../testing/harness.js';
import { base32Decode } from '../auth/base32.js';
import { totpAt } from '../auth/totp.js';

interface Pair {
  accessToken: string;
  refreshToken: string;
  mfaEnrolmentRequired: boolean;
}
interface Challenge {
  mfaRequired: true;
  mfaToken: string;
}

describe('second factor and roles (PostgreSQL + Redis)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  /** An admin with TOTP active and a fully verified session. */
  async function admin(): Promise<{ user: TestUser; accessToken: string }> {
    const user = await h.register();
    await h.setRole(user, 'admin');
    const first = (await h.login(user)).json() as Pair;
    const { accessToken } = await h.enrolTotp(first.accessToken);
    return { user, accessToken };
  }

  it('an organizer without TOTP gets a restricted session: /v1/me yes, organizer routes 403 SS_ERR_AUTH_MFA_REQUIRED', async () => {
    const org = await h.register();
    await h.setRole(org, 'organizer');
    const pair = (await h.login(org)).json() as Pair;
    assert.equal(pair.mfaEnrolmentRequired, true);
    assert.equal((await h.inject({ url: '/v1/me', token: pair.accessToken })).statusCode, 200);
    const refused = await h.inject({ url: '/v1/organizer/session', token: pair.accessToken });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'SS_ERR_AUTH_MFA_REQUIRED');
    // Refreshing does not add a factor.
    const refreshed = (
      await h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } })
    ).json() as Pair;
    assert.equal(refreshed.mfaEnrolmentRequired, true);
    assert.equal((await h.inject({ url: '/v1/organizer/session', token: refreshed.accessToken })).statusCode, 403);
  });

  it('enrols an organizer in TOTP, then logs in with password + code and reaches organizer routes', async () => {
    const org = await h.register();
    await h.setRole(org, 'organizer');
    const restricted = (await h.login(org)).json() as Pair;

    const start = await h.inject({ method: 'POST', url: '/v1/me/mfa/totp', token: restricted.accessToken });
    assert.equal(start.statusCode, 200, start.body);
    const enrolment = start.json() as { secret: string; otpauthUri: string; digits: number; periodSec: number };
    const uri = new URL(enrolment.otpauthUri);
    assert.equal(uri.searchParams.get('secret'), enrolment.secret);
    assert.equal(decodeURIComponent(uri.pathname), `/SeatStream:${org.email}`);
    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);

    const wrong = await h.inject({
      method: 'POST',
      url: '/v1/me/mfa/totp/activate',
      token: restricted.accessToken,
      payload: { code: '000000' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'SS_ERR_AUTH_MFA_CODE_INVALID');

    const secret = base32Decode(enrolment.secret);
    const activated = await h.inject({
      method: 'POST',
      url: '/v1/me/mfa/totp/activate',
      token: restricted.accessToken,
      payload: { code: totpAt(secret, h.now().getTime()) },
    });
    assert.equal(activated.statusCode, 200, activated.body);
    const act = activated.json() as Pair & { recoveryCodes: string[] };
    assert.equal(act.recoveryCodes.length, 10);
    assert.ok(act.recoveryCodes.every((c) => /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(c)));
    assert.equal(new Set(act.recoveryCodes).size, 10);
    assert.equal(act.mfaEnrolmentRequired, false);
    assert.equal((await h.inject({ url: '/v1/organizer/session', token: act.accessToken })).statusCode, 200);
    // The session opened without the second factor is gone.
    const old = await h.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: restricted.refreshToken },
    });
    assert.equal(old.statusCode, 401);
    // Enrolling again is refused.
    const again = await h.inject({ method: 'POST', url: '/v1/me/mfa/totp', token: act.accessToken });
    assert.equal(again.json().code, 'SS_ERR_AUTH_MFA_ALREADY_ENROLLED');

    // From now on, the password alone answers a challenge, not tokens.
    h.advance(30_000);
    const login = await h.login(org);
    assert.equal(login.statusCode, 200);
    const challenge = login.json() as Challenge;
    assert.equal(challenge.mfaRequired, true);
    assert.equal((login.json() as { accessToken?: string }).accessToken, undefined);

    const bad = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: challenge.mfaToken, code: '123456' === h.totp(secret) ? '654321' : '123456' },
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().code, 'SS_ERR_AUTH_MFA_CODE_INVALID');
    const code = h.totp(secret);
    const ok = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: challenge.mfaToken, code },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const full = ok.json() as Pair;
    const session = await h.inject({ url: '/v1/organizer/session', token: full.accessToken });
    assert.equal(session.statusCode, 200);
    assert.deepEqual(session.json(), {
      userId: org.id,
      role: 'organizer',
      amr: ['pwd', 'otp'],
      unusedRecoveryCodes: 10,
    });

    // The challenge is single use, and the same code is not accepted twice (replay).
    const reuse = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: challenge.mfaToken, code },
    });
    assert.equal(reuse.json().code, 'SS_ERR_AUTH_MFA_TOKEN_INVALID');
    const second = (await h.login(org)).json() as Challenge;
    const replay = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: second.mfaToken, code },
    });
    assert.equal(replay.json().code, 'SS_ERR_AUTH_MFA_CODE_INVALID');
  });

  it('logs in with a recovery code, once', async () => {
    const org = await h.register();
    await h.setRole(org, 'organizer');
    const { recoveryCodes } = await h.enrolTotp(((await h.login(org)).json() as Pair).accessToken);
    const code = recoveryCodes[3]!;
    const c1 = (await h.login(org)).json() as Challenge;
    const ok = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: c1.mfaToken, code: code.toLowerCase().replace(/-/g, '') },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const session = await h.inject({ url: '/v1/organizer/session', token: (ok.json() as Pair).accessToken });
    assert.equal((session.json() as { unusedRecoveryCodes: number }).unusedRecoveryCodes, 9);
    const c2 = (await h.login(org)).json() as Challenge;
    const again = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: c2.mfaToken, code },
    });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().code, 'SS_ERR_AUTH_MFA_CODE_INVALID');
  });

  it('a second-factor challenge dies after 5 wrong codes', async () => {
    const org = await h.register();
    await h.setRole(org, 'organizer');
    const { secret } = await h.enrolTotp(((await h.login(org)).json() as Pair).accessToken);
    const c = (await h.login(org)).json() as Challenge;
    const right = h.totp(secret);
    const wrongCode = right === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) {
      const r = await h.inject({
        method: 'POST',
        url: '/v1/auth/login/totp',
        payload: { mfaToken: c.mfaToken, code: wrongCode },
      });
      assert.ok(r.statusCode === 401 || r.statusCode === 429, `${r.statusCode}`);
    }
    const late = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: c.mfaToken, code: right },
    });
    assert.ok(['SS_ERR_AUTH_MFA_TOKEN_INVALID', 'SS_ERR_AUTH_RATE_LIMITED'].includes(late.json().code), late.body);
    assert.notEqual(late.statusCode, 200);
  });

  it('second-factor failures add up across logins: a password login does not reset them', async () => {
    const org = await h.register();
    await h.setRole(org, 'organizer');
    const { secret } = await h.enrolTotp(((await h.login(org)).json() as Pair).accessToken);
    const wrongCode = () => (h.totp(secret) === '111111' ? '222222' : '111111');
    const first = (await h.login(org)).json() as Challenge;
    for (let i = 0; i < 4; i++) {
      const r = await h.inject({
        method: 'POST',
        url: '/v1/auth/login/totp',
        payload: { mfaToken: first.mfaToken, code: wrongCode() },
      });
      assert.equal(r.statusCode, 401);
    }
    const second = (await h.login(org)).json() as Challenge;
    assert.equal(second.mfaRequired, true);
    assert.equal(
      (
        await h.inject({
          method: 'POST',
          url: '/v1/auth/login/totp',
          payload: { mfaToken: second.mfaToken, code: wrongCode() },
        })
      ).statusCode,
      401,
    );
    const locked = await h.inject({
      method: 'POST',
      url: '/v1/auth/login/totp',
      payload: { mfaToken: second.mfaToken, code: h.totp(secret) },
    });
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'SS_ERR_AUTH_RATE_LIMITED');
    assert.equal((await h.login(org)).statusCode, 429);
  });

  it('an admin without TOTP cannot use admin routes; with it, changes roles', async () => {
    const user = await h.register();
    await h.setRole(user, 'admin');
    const restricted = (await h.login(user)).json() as Pair;
    const target = await h.register();
    const refused = await h.inject({
      method: 'PUT',
      url: `/v1/admin/users/${target.id}/role`,
      token: restricted.accessToken,
      payload: { role: 'organizer' },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'SS_ERR_AUTH_MFA_REQUIRED');

    const { accessToken } = await h.enrolTotp(restricted.accessToken);
    const targetPair = (await h.login(target)).json() as Pair;
    const changed = await h.inject({
      method: 'PUT',
      url: `/v1/admin/users/${target.id}/role`,
      token: accessToken,
      payload: { role: 'organizer' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(
      { ...(changed.json() as Record<string, unknown>), createdAt: undefined },
      { id: target.id, role: 'organizer', locale: 'en', mfaEnabled: false, erased: false, createdAt: undefined },
    );

    // The target's sessions ended: access token (epoch) and refresh token.
    const stale = await h.inject({ url: '/v1/me', token: targetPair.accessToken });
    assert.equal(stale.statusCode, 401);
    assert.equal(stale.json().code, 'SS_ERR_AUTH_TOKEN_REVOKED');
    assert.equal(
      (await h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: targetPair.refreshToken } }))
        .statusCode,
      401,
    );
    // The next login carries the new role, and asks for enrolment.
    const next = (await h.login(target)).json() as Pair;
    assert.equal(next.mfaEnrolmentRequired, true);
    assert.equal(
      ((await h.inject({ url: '/v1/me', token: next.accessToken })).json() as { role: string }).role,
      'organizer',
    );

    const view = await h.inject({ url: `/v1/admin/users/${target.id}`, token: accessToken });
    assert.equal(view.statusCode, 200);
    assert.equal((view.json() as { role: string }).role, 'organizer');
    const { rows } = await h.pool.query('SELECT old_role, new_role, changed_by FROM role_changes WHERE user_id = $1', [
      target.id,
    ]);
    assert.deepEqual(rows, [{ old_role: 'customer', new_role: 'organizer', changed_by: user.id }]);

    const self = await h.inject({
      method: 'PUT',
      url: `/v1/admin/users/${user.id}/role`,
      token: accessToken,
      payload: { role: 'customer' },
    });
    assert.equal(self.json().code, 'SS_ERR_ADMIN_SELF_ROLE_CHANGE');
    const ghost = await h.inject({
      method: 'PUT',
      url: '/v1/admin/users/00000000-0000-4000-8000-000000000000/role',
      token: accessToken,
      payload: { role: 'partner' },
    });
    assert.equal(ghost.statusCode, 404);
    assert.equal(ghost.json().code, 'SS_ERR_USER_NOT_FOUND');
    const badRole = await h.inject({
      method: 'PUT',
      url: `/v1/admin/users/${target.id}/role`,
      token: accessToken,
      payload: { role: 'root' },
    });
    assert.equal(badRole.json().code, 'SS_ERR_VALIDATION');
  });

  it('a customer (and a partner) cannot call admin or organizer routes: 403 SS_ERR_AUTH_FORBIDDEN', async () => {
    const { user: adm } = await admin();
    for (const role of ['customer', 'partner'] as const) {
      const u = await h.register();
      if (role !== 'customer') await h.setRole(u, role);
      const pair = (await h.login(u)).json() as Pair;
      for (const req of [
        { method: 'GET' as const, url: `/v1/admin/users/${adm.id}` },
        { method: 'PUT' as const, url: `/v1/admin/users/${u.id}/role`, payload: { role: 'admin' } },
        { method: 'GET' as const, url: '/v1/organizer/session' },
      ]) {
        const res = await h.inject({ ...req, token: pair.accessToken });
        assert.equal(res.statusCode, 403, `${role} ${req.method} ${req.url}`);
        assert.equal(res.json().code, 'SS_ERR_AUTH_FORBIDDEN');
      }
      const me = (await h.inject({ url: '/v1/me', token: pair.accessToken })).json() as { role: string };
      assert.equal(me.role, role);
    }
  });
});
