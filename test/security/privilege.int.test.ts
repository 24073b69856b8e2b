/**
 * Privilege. Every operation of the OpenAPI document the API serves is walked (no hand-written list): the ones that
 * declare bearer security refuse anonymous callers (401), refuse every role outside the operation's audience (403
 * SS_ERR_AUTH_FORBIDDEN), and refuse organizer and admin sessions without a verified second factor (403
 * SS_ERR_AUTH_MFA_REQUIRED); never a 2xx. The requests are valid in every other way (values made from the
 * operation's own schemas), so the refusal is the guard's. Then the ways to escalate a role: extra fields at
 * registration, writes to /v1/me, the role route on oneself, a refresh of a session without the second factor.
 *
 * Covered elsewhere, in full (see README.md): organizer A and organizer B's venues and events
 * (api/catalog/organizer.int.test.ts), their analytics (dashboards/plugin.int.test.ts), buyer A and buyer B's holds,
 * bookings and requests (api/bookings/bookings.int.test.ts, api/catalog/buyers.int.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { requiresMfa, roles, type Role } from '../../api/auth/roles.js';
import type { Harness } from '../../api/testing/harness.js';
import {
  assertRefused,
  exampleOf,
  fillPath,
  oneOfEachRole,
  operationsOf,
  securityHarness,
  type Operation,
  type SignedIn,
} from './testing.js';

/** Who each tag of the document is for. A new tag fails the walk until its audience is written here. */
const audienceOfTag: Record<string, readonly Role[]> = {
  me: roles,
  auth: roles,
  bookings: roles,
  checkout: roles,
  tickets: roles,
  notifications: roles,
  live: roles, // stream tokens: the handler decides viewer (a booking) or broadcaster (the event's organizer)
  organizer: ['organizer', 'admin'],
  analytics: ['organizer', 'admin'],
  'check-in': ['organizer', 'admin'],
  admin: ['admin'],
  partners: ['admin'],
};

/** The operations anyone may call without a token. */
const publicOperations = [
  'GET /health',
  'GET /ready',
  'GET /.well-known/jwks.json',
  'POST /v1/auth/register',
  'POST /v1/auth/login',
  'POST /v1/auth/login/totp',
  'POST /v1/auth/refresh',
  'POST /v1/auth/logout', // the bearer is optional: with one, the access token is revoked too
  'GET /v1/events',
  'GET /v1/events/{eventId}',
  'GET /v1/events/{eventId}/availability',
  'GET /v1/ws', // authenticates on the socket (api/push), tested in api/bookings/bookings.int.test.ts
  'GET /v1/tickets/public-key',
  'POST /v1/payments/webhooks/{provider}', // signed by the provider, tested in processors/payments/checkout.int.test.ts
];

const audienceOf = (op: Operation): readonly Role[] => {
  const audiences = op.tags.map((t) => audienceOfTag[t]);
  assert.ok(
    audiences.length > 0 && audiences.every((a) => a !== undefined),
    `${op.method} ${op.path}: tags ${op.tags.join(', ')} have no audience in privilege.int.test.ts`,
  );
  return roles.filter((r) => audiences.every((a) => a!.includes(r)));
};

/** A request for the operation, valid in everything but who sends it. */
function requestFor(op: Operation) {
  const params = Object.fromEntries(op.params.map((p) => [p.name, String(exampleOf(p.schema))]));
  const query = new URLSearchParams();
  for (const q of op.query.filter((x) => x.required)) query.set(q.name, String(exampleOf(q.schema)));
  const qs = query.size ? `?${query}` : '';
  return {
    method: op.method as 'GET',
    url: fillPath(op.path, params) + qs,
    headers: { 'idempotency-key': randomUUID() },
    ...(op.body ? { payload: exampleOf(op.body) as Record<string, unknown> } : {}),
  };
}

describe('security: privilege', () => {
  let h: Harness;
  let who: Record<Role, SignedIn>;
  let ops: Operation[];
  /** Organizer and admin sessions that skipped the second factor (they have not enrolled yet). */
  let pwdOnly: { organizer: string; admin: string };

  before(async () => {
    h = await securityHarness();
    who = await oneOfEachRole(h);
    ops = await operationsOf(h);
    const pending = async (role: 'organizer' | 'admin') => {
      const u = await h.register();
      await h.setRole(u, role);
      return ((await h.login(u)).json() as { accessToken: string }).accessToken;
    };
    pwdOnly = { organizer: await pending('organizer'), admin: await pending('admin') };
  });
  after(async () => {
    await h.close();
  });

  it('the operations without bearer security are exactly the public ones', () => {
    const open = ops.filter((o) => !o.secured && !o.path.startsWith('/docs')).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(open.sort(), [...publicOperations].sort());
    assert.ok(
      ops.filter((o) => o.secured).length >= 40,
      `only ${ops.filter((o) => o.secured).length} secured operations`,
    );
  });

  it('every secured operation: anonymous 401, a role outside its audience 403, organizer/admin without TOTP 403; never 2xx', async () => {
    const tally = { anonymous: 0, forbidden: 0, mfa: 0 };
    for (const op of ops.filter((o) => o.secured)) {
      const audience = audienceOf(op);
      const req = requestFor(op);
      const what = `${op.method} ${op.path}`;
      for (const authorization of [undefined, 'Bearer ']) {
        const res = await h.inject({
          ...req,
          headers: { ...req.headers, ...(authorization ? { authorization } : {}) },
        });
        assertRefused(res, `${what} anonymous`, 401);
        tally.anonymous++;
      }
      for (const role of roles.filter((r) => !audience.includes(r))) {
        assertRefused(
          await h.inject({ ...req, token: who[role].accessToken }),
          `${what} as ${role}`,
          403,
          'SS_ERR_AUTH_FORBIDDEN',
        );
        tally.forbidden++;
      }
      for (const role of ['organizer', 'admin'] as const) {
        const res = await h.inject({ ...req, token: pwdOnly[role] });
        if (!audience.includes(role))
          assertRefused(res, `${what} as ${role} without TOTP`, 403, 'SS_ERR_AUTH_FORBIDDEN');
        else if (requiresMfa(role) && audience.length < roles.length) {
          assertRefused(res, `${what} as ${role} without TOTP`, 403, 'SS_ERR_AUTH_MFA_REQUIRED');
          tally.mfa++;
        }
      }
    }
    console.log(`privilege walk: ${JSON.stringify(tally)}`);
    assert.ok(tally.forbidden > 0 && tally.mfa > 0);
  });

  it('registration takes no role: extra role fields are refused and make no account', async () => {
    const base = () => ({
      email: `sec-${randomUUID()}@example.com`,
      password: `pw-${randomUUID()}`,
      name: 'Escalating Eve',
      locale: 'en',
    });
    for (const extra of [{ role: 'admin' }, { roles: ['admin'] }, { isAdmin: true }, { amr: ['otp'] }]) {
      const body = { ...base(), ...extra };
      const res = await h.inject({ method: 'POST', url: '/v1/auth/register', payload: body });
      assertRefused(res, `register with ${JSON.stringify(extra)}`, 400, 'SS_ERR_VALIDATION');
      assertRefused(await h.login(body), 'no account was made', 401, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
    }
    // Through the prototype: refused, or ignored (a customer); never an admin.
    const body = base();
    const raw = JSON.stringify(body).replace(
      /}$/,
      ',"__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}',
    );
    const res = await h.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: raw,
      headers: { 'content-type': 'application/json' },
    });
    if (res.statusCode === 201) {
      h.track((res.json() as { id: string }).id);
      assert.equal((res.json() as { role: string }).role, 'customer');
    } else assertRefused(res, 'register with __proto__', 400);
    assert.equal(({} as Record<string, unknown>).role, undefined, 'Object.prototype polluted');
  });

  it('/v1/me cannot be written (405) and the role route refuses anyone but an admin, an admin even for themselves (409)', async () => {
    for (const role of roles) {
      const s = who[role];
      for (const method of ['PUT', 'PATCH', 'POST'] as const) {
        const res = await h.inject({ method, url: '/v1/me', token: s.accessToken, payload: { role: 'admin' } });
        assertRefused(res, `${method} /v1/me as ${role}`, 405, 'SS_ERR_METHOD_NOT_ALLOWED');
      }
      const self = await h.inject({
        method: 'PUT',
        url: `/v1/admin/users/${s.user.id}/role`,
        token: s.accessToken,
        payload: { role: 'admin' },
      });
      if (role === 'admin')
        assertRefused(self, 'an admin changing their own role', 409, 'SS_ERR_ADMIN_SELF_ROLE_CHANGE');
      else assertRefused(self, `${role} making themselves admin`, 403, 'SS_ERR_AUTH_FORBIDDEN');
      const me = await h.inject({ url: '/v1/me', token: s.accessToken });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal((me.json() as { role: string }).role, role);
    }
  });

  it('a session without the second factor stays without it through refreshes', async () => {
    const u = await h.register();
    await h.setRole(u, 'organizer');
    let pair = (await h.login(u)).json() as { accessToken: string; refreshToken: string };
    for (let i = 0; i < 2; i++) {
      const r = await h.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken: pair.refreshToken },
      });
      assert.equal(r.statusCode, 200, r.body);
      pair = r.json() as typeof pair;
      assertRefused(
        await h.inject({ url: '/v1/organizer/venues', token: pair.accessToken }),
        `refresh ${i + 1}`,
        403,
        'SS_ERR_AUTH_MFA_REQUIRED',
      );
    }
  });

  it('a customer who guesses ids of organizer or admin objects gets 403 before any lookup (no oracle of what exists)', async () => {
    const organizerObjects = ops.filter((o) => o.secured && !audienceOf(o).includes('customer') && o.params.length);
    assert.ok(organizerObjects.length > 5);
    for (const op of organizerObjects) {
      const req = requestFor(op);
      const codes = new Set<string>();
      for (let i = 0; i < 2; i++)
        codes.add(
          assertRefused(await h.inject({ ...requestFor(op), token: who.customer.accessToken }), `${op.path}`, 403),
        );
      assert.deepEqual([...codes], ['SS_ERR_AUTH_FORBIDDEN'], `${req.method} ${req.url}`);
    }
    // The signed-in organizer, for a sanity check the requests are well-formed: an unknown id is a 404 or 403, not 400.
    const venue = ops.find((o) => o.method === 'GET' && o.path === '/v1/organizer/venues/{venueId}')!;
    const res = await h.inject({ ...requestFor(venue), token: who.organizer.accessToken });
    assert.ok([403, 404].includes(res.statusCode), res.body);
  });
});
