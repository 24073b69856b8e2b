/** GDPR export and erasure on the real PostgreSQL and Redis. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../testing/harness.js';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('GDPR export and erasure (PostgreSQL + Redis)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('exports the account, its sessions and role history', async () => {
    const u = await h.register({ name: 'Omar Export', locale: 'fr' });
    await h.setRole(u, 'partner');
    const pair = (await h.login(u)).json() as Pair;
    const res = await h.inject({ url: '/v1/me/export', token: pair.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const exp = res.json() as {
      account: { id: string; email: string; name: string; role: string; locale: string };
      mfa: { enabled: boolean; unusedRecoveryCodes: number };
      sessions: { revokedAt: string | null; amr: string[] }[];
      roleChanges: { oldRole: string; newRole: string }[];
    };
    assert.deepEqual(
      {
        id: exp.account.id,
        email: exp.account.email,
        name: exp.account.name,
        role: exp.account.role,
        locale: exp.account.locale,
      },
      { id: u.id, email: u.email, name: 'Omar Export', role: 'partner', locale: 'fr' },
    );
    assert.deepEqual(exp.mfa, { enabled: false, unusedRecoveryCodes: 0 });
    assert.equal(exp.sessions.length, 1);
    assert.deepEqual(exp.sessions[0]!.amr, ['pwd']);
    assert.equal(exp.sessions[0]!.revokedAt, null);
    assert.deepEqual(
      exp.roleChanges.map((r) => [r.oldRole, r.newRole]),
      [['customer', 'partner']],
    );
    // No secret in the export: no hash, no token, no TOTP secret.
    assert.ok(!/argon2|token_hash|secret/i.test(res.body));
  });

  it('erases personal data, keeps the id as a pseudonym, and ends every session', async () => {
    const u = await h.register({ name: 'Nadia Erase' });
    const pair = (await h.login(u)).json() as Pair;
    const other = (await h.login(u)).json() as Pair;

    const wrong = await h.inject({
      method: 'DELETE',
      url: '/v1/me',
      token: pair.accessToken,
      payload: { password: 'not my password' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
    const noBody = await h.inject({ method: 'DELETE', url: '/v1/me', token: pair.accessToken });
    assert.equal(noBody.statusCode, 400);

    const erased = await h.inject({
      method: 'DELETE',
      url: '/v1/me',
      token: pair.accessToken,
      payload: { password: u.password },
    });
    assert.equal(erased.statusCode, 204, erased.body);

    const { rows } = await h.pool.query(
      'SELECT id, email_enc, email_bidx, name_enc, password_hash, totp_secret_enc, erased_at IS NOT NULL AS erased FROM users WHERE id = $1',
      [u.id],
    );
    assert.deepEqual(rows, [
      {
        id: u.id,
        email_enc: null,
        email_bidx: null,
        name_enc: null,
        password_hash: null,
        totp_secret_enc: null,
        erased: true,
      },
    ]);
    const live = await h.pool.query(
      'SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
      [u.id],
    );
    assert.equal(live.rows[0].n, 0);

    for (const token of [pair.accessToken, other.accessToken]) {
      const me = await h.inject({ url: '/v1/me', token });
      assert.equal(me.statusCode, 401);
      assert.equal(me.json().code, 'SS_ERR_AUTH_TOKEN_REVOKED');
    }
    assert.equal(
      (
        await h.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: other.refreshToken } })
      ).json().code,
      'SS_ERR_AUTH_REFRESH_INVALID',
    );
    assert.equal((await h.login(u)).json().code, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
    // The e-mail is free again: the blind index went with the rest.
    const again = await h.register({ email: u.email });
    assert.notEqual(again.id, u.id);
  });

  it('erasure wipes TOTP and recovery codes too', async () => {
    const u = await h.register();
    await h.setRole(u, 'organizer');
    const { accessToken } = await h.enrolTotp(((await h.login(u)).json() as Pair).accessToken);
    assert.equal(
      (await h.inject({ method: 'DELETE', url: '/v1/me', token: accessToken, payload: { password: u.password } }))
        .statusCode,
      204,
    );
    const codes = await h.pool.query('SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1', [u.id]);
    assert.equal(codes.rows[0].n, 0);
    const { rows } = await h.pool.query('SELECT totp_secret_enc, totp_enabled_at FROM users WHERE id = $1', [u.id]);
    assert.deepEqual(rows, [{ totp_secret_enc: null, totp_enabled_at: null }]);
  });
});
