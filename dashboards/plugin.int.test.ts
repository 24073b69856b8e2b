/**
 * The dashboards plugin on the API's real app (test harness: real tokens, PostgreSQL, Redis) and a ClickHouse
 * 18.16 database holding a simulated on-sale of three events, two of organizer A and one of organizer B:
 * each organizer sees only their events' figures, an admin sees all, the figures are those of the data.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../api/testing/harness.js';
import { customer, fastArgon2, organizer, type SignedIn } from '../api/catalog/testing.js';
import { analyticsDatabase, simulateOnSale, type AnalyticsDatabase, type AnalyticsFixture } from './testing.js';

const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000;

describe('analytics dashboards plugin (real API app, ClickHouse 18.16)', () => {
  let h: Harness;
  let db: AnalyticsDatabase;
  let fx: AnalyticsFixture;
  let orgA: SignedIn;
  let orgB: SignedIn;
  let admin: SignedIn;
  let buyer: SignedIn;
  let eventsOfA: string[];
  let eventsOfB: string[];

  before(async () => {
    db = await analyticsDatabase();
    h = await startHarness({ env: fastArgon2, analytics: { clickhouse: db.ch } });
    orgA = await organizer(h);
    orgB = await organizer(h);
    admin = await organizer(h, 'admin');
    buyer = await customer(h);
    fx = await simulateOnSale(db, {
      organizers: [orgA.user.id, orgB.user.id],
      start: T0,
      commands: 3_000,
      meanGapMs: 1_500,
    });
    eventsOfA = fx.sim.catalog.filter((c) => c.organizerId === orgA.user.id).map((c) => c.eventId);
    eventsOfB = fx.sim.catalog.filter((c) => c.organizerId === orgB.user.id).map((c) => c.eventId);
  });

  after(async () => {
    await h?.close();
    await db?.drop();
  });

  const get = (url: string, who?: SignedIn) => h.inject({ method: 'GET', url, ...(who ? { token: who.token } : {}) });
  const range = `from=${T0 / 1000 - 600}&to=${T0 / 1000 + 4 * 3600}`;
  const expected = (eventIds: string[]) => {
    const rows = fx.rows.filter((r) => eventIds.includes(r.event_id) && r.replay === 0);
    return {
      holds: rows.filter((r) => r.decision === 'SeatsHeld').length,
      bookings: rows.filter((r) => r.decision === 'BookingConfirmed').length,
      revenue: rows.filter((r) => r.decision === 'BookingConfirmed').reduce((n, r) => n + r.total_minor, 0),
      rejections: rows.filter((r) => r.decision === 'HoldRejected' || r.decision === 'CommandRejected').length,
    };
  };
  const totals = (rows: Record<string, number>[]) => ({
    holds: rows.reduce((n, r) => n + r.holds!, 0),
    bookings: rows.reduce((n, r) => n + r.bookings!, 0),
    revenue: rows.reduce((n, r) => n + r.revenue_minor!, 0),
    rejections: rows.reduce((n, r) => n + r.rejections!, 0),
  });

  it('lists to an organizer their own events only, to an admin all of them', async () => {
    const a = await get('/v1/analytics/events', orgA);
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual((a.json().events as { eventId: string }[]).map((e) => e.eventId).sort(), [...eventsOfA].sort());
    const b = await get('/v1/analytics/events', orgB);
    assert.deepEqual(
      (b.json().events as { eventId: string }[]).map((e) => e.eventId),
      eventsOfB,
    );
    const all = await get('/v1/analytics/events', admin);
    const allIds = (all.json().events as { eventId: string }[]).map((e) => e.eventId);
    for (const id of [...eventsOfA, ...eventsOfB]) assert.ok(allIds.includes(id));
  });

  it('gives an organizer the figures of their events, and only theirs', async () => {
    const res = await get(`/v1/analytics/dashboard?${range}`, orgA);
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    assert.deepEqual([...d.eventIds].sort(), [...eventsOfA].sort());
    assert.deepEqual(totals(d.charts.sales_timeline.rows), expected(eventsOfA));
    assert.deepEqual(
      (d.charts.events_overview.rows as { event_id: string }[]).map((r) => r.event_id).sort(),
      [...eventsOfA].sort(),
    );
    assert.ok(expected(eventsOfA).bookings > 50, 'a real on-sale, not an empty one');

    const one = await get(`/v1/analytics/dashboard?${range}&eventId=${eventsOfB[0]}`, orgB);
    assert.deepEqual(totals(one.json().charts.sales_timeline.rows), expected(eventsOfB));
  });

  it("refuses an organizer another organizer's event, on every route", async () => {
    for (const url of [
      `/v1/analytics/dashboard?eventId=${eventsOfB[0]}`,
      `/v1/analytics/charts/sales_timeline?eventId=${eventsOfB[0]}`,
    ]) {
      const res = await get(url, orgA);
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.json().code, 'SS_ERR_AUTH_FORBIDDEN');
    }
  });

  it('gives an admin any event', async () => {
    const res = await get(`/v1/analytics/charts/sales_timeline?${range}&eventId=${eventsOfB[0]}`, admin);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(totals(res.json().rows), expected(eventsOfB));
  });

  it('answers every chart with its rows: conversion, latency quantiles, hold to payment, rejections, revenue per category', async () => {
    const d = (await get(`/v1/analytics/dashboard?${range}&step=900`, admin)).json();
    assert.equal(d.step, 900);
    const c = d.charts;
    for (const r of c.conversion.rows) assert.ok(r.conversion >= 0 && r.conversion <= 1 && r.booked <= r.holds);
    for (const r of c.decision_latency.rows)
      assert.ok(r.p50_ms <= r.p90_ms && r.p90_ms <= r.p99_ms && r.p99_ms <= r.max_ms);
    for (const r of c.hold_to_payment.rows) assert.ok(r.p50_s > 0 && r.p50_s <= r.p90_s);
    assert.ok(c.rejections_by_reason.rows.some((r: { code: string }) => r.code === 'RSV_HOLD_NOT_FOUND'));
    const cats = new Set(c.revenue_by_category.rows.map((r: { category: string }) => r.category));
    for (const cat of ['VIP', 'CAT1', 'PIT']) assert.ok(cats.has(cat), cat);
    assert.deepEqual(c.checkins_by_gate.rows, []);
    for (const chart of Object.values(c) as { title: string }[]) assert.ok(chart.title);
  });

  it('requires a token of an organizer or admin', async () => {
    assert.equal((await get('/v1/analytics/events')).statusCode, 401);
    const res = await get('/v1/analytics/events', buyer);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'SS_ERR_AUTH_FORBIDDEN');
  });

  it('validates parameters: no injection reaches ClickHouse', async () => {
    for (const [url, code] of [
      [`/v1/analytics/dashboard?eventId=${encodeURIComponent("x') OR 1=1 --")}`, 'SS_ERR_VALIDATION'],
      ['/v1/analytics/dashboard?from=100&to=50', 'SS_ERR_VALIDATION'],
      ['/v1/analytics/dashboard?step=7', 'SS_ERR_VALIDATION'],
      ['/v1/analytics/dashboard?debug=1', 'SS_ERR_VALIDATION'],
      ['/v1/analytics/charts/system_tables', 'SS_ERR_VALIDATION'],
    ]) {
      const res = await get(url!, admin);
      assert.equal(res.statusCode, 400, `${url} ${res.body}`);
      assert.equal(res.json().code, code);
    }
  });

  it('serves the page and its scripts, with its own CSP and ETags', async () => {
    const page = await get('/dashboards');
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.match(page.body, /uPlot\.iife\.min\.js/);
    for (const asset of [
      '/dashboards/app.js',
      '/dashboards/style.css',
      '/dashboards/vendor/uPlot.iife.min.js',
      '/dashboards/vendor/uPlot.min.css',
    ]) {
      const res = await get(asset);
      assert.equal(res.statusCode, 200, asset);
      const again = await h.inject({
        method: 'GET',
        url: asset,
        headers: { 'if-none-match': res.headers.etag as string },
      });
      assert.equal(again.statusCode, 304, asset);
    }
  });
});
