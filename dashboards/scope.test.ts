import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { autoStep, resolveRange, resolveScope } from './scope.js';

const events = [
  { eventId: 'e1', organizerId: 'org-a' },
  { eventId: 'e2', organizerId: 'org-b' },
  { eventId: 'e3', organizerId: 'org-a' },
];

describe('dashboard scope', () => {
  it('gives an organizer their own events only', () => {
    assert.deepEqual(resolveScope({ sub: 'org-a', role: 'organizer' }, events, undefined), {
      ok: true,
      eventIds: ['e1', 'e3'],
    });
    assert.deepEqual(resolveScope({ sub: 'org-a', role: 'organizer' }, events, 'e3'), { ok: true, eventIds: ['e3'] });
    assert.deepEqual(resolveScope({ sub: 'org-a', role: 'organizer' }, events, 'e2'), {
      ok: false,
      reason: 'forbidden',
    });
    assert.deepEqual(resolveScope({ sub: 'org-a', role: 'organizer' }, events, 'unknown'), {
      ok: false,
      reason: 'forbidden',
    });
    assert.deepEqual(resolveScope({ sub: 'org-z', role: 'organizer' }, events, undefined), { ok: true, eventIds: [] });
  });

  it('gives an admin every event, and any event by id', () => {
    assert.deepEqual(resolveScope({ sub: 'adm', role: 'admin' }, events, undefined), {
      ok: true,
      eventIds: ['e1', 'e2', 'e3'],
    });
    assert.deepEqual(resolveScope({ sub: 'adm', role: 'admin' }, events, 'e-not-in-catalog-yet'), {
      ok: true,
      eventIds: ['e-not-in-catalog-yet'],
    });
  });
});

describe('dashboard time range', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 30);
  it('defaults to the last three hours up to the end of the current minute, with an automatic step', () => {
    const r = resolveRange({}, now);
    assert.ok(r.ok);
    assert.equal(r.range.to, Date.UTC(2026, 0, 1, 12, 1) / 1000);
    assert.equal(r.range.to - r.range.from, 3 * 3600);
    assert.equal(r.range.step, 60);
  });

  it('picks the smallest step that keeps the buckets few', () => {
    assert.equal(autoStep(0, 4 * 3600), 60);
    assert.equal(autoStep(0, 24 * 3600), 900);
    assert.equal(autoStep(0, 30 * 86_400), 10_800);
  });

  it('refuses inverted or huge ranges and odd steps', () => {
    assert.equal(resolveRange({ from: 100, to: 100 }, now).ok, false);
    assert.equal(resolveRange({ from: 0, to: 500 * 86_400 }, now).ok, false);
    assert.equal(resolveRange({ from: 0, to: 3600, step: 7 }, now).ok, false);
    assert.equal(resolveRange({ from: 0, to: 30 * 86_400, step: 60 }, now).ok, false);
  });
});
