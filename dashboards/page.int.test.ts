/**
 * The dashboard page in Debian's headless Chromium (playwright-core) during a running on-sale, end to end on the
 * local stack: the simulation's decisions (the real decider's) are produced to Kafka in transactions as they
 * happen, the ClickHouse sink (a child process) writes them to a fresh database, the API (test harness: real
 * PostgreSQL, Redis and tokens) serves the dashboards plugin on a loopback port. An organizer signs in on the page
 * (password, then TOTP), sees only their events in the picker, and the charts draw real numbers that change
 * from one refresh to the next. Screenshots (desktop and phone) go to test-results/dashboards/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../infra/config.js';
import { startHarness, type Harness, type TestUser } from '../api/testing/harness.js';
import { fastArgon2 } from '../api/catalog/testing.js';
import { createClickhouse, type ClickHouseClient } from '../connectors/clickhouse/client.js';
import { migrate } from '../connectors/clickhouse/migrator.js';
import { OnSaleSimulation } from '../connectors/clickhouse/testing/onsale-simulation.js';
import {
  count,
  createWorld,
  log,
  produceCatalog,
  produceDecisions,
  startSinkProcess,
  waitFor,
  type SinkProcess,
  type TestWorld,
} from '../connectors/clickhouse/testing/kafka-fixtures.js';

const shots = join(repoRoot, 'test-results', 'dashboards');

describe('dashboard page in headless Chromium during a running on-sale', { timeout: 240_000 }, () => {
  let w: TestWorld;
  let database: string;
  let ch: ClickHouseClient;
  let sink: SinkProcess;
  let h: Harness;
  let browser: Browser;
  let base: string;
  let organizer: TestUser & { secret: Buffer };
  let sim: OnSaleSimulation;
  let producing: Promise<void> | undefined;
  let running = true;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    w = await createWorld(4);
    database = `it_page_${w.id}`;
    w.own({ database, group: `it-page-sink-${w.id}` });
    await migrate(database, { log });
    ch = createClickhouse({ database });
    h = await startHarness({ env: fastArgon2, analytics: { clickhouse: ch } });

    const user = await h.register();
    await h.setRole(user, 'organizer');
    const login = await h.login(user);
    const { secret } = await h.enrolTotp((login.json() as { accessToken: string }).accessToken);
    organizer = { ...user, secret };

    // The on-sale opened ten minutes ago; two of its three events are this organizer's.
    const start = Date.now() - 10 * 60_000;
    sim = new OnSaleSimulation({
      seed: 9,
      onSaleAt: start,
      organizers: [user.id, `someone-else-${w.id}`],
      eventPrefix: `page-${w.id}`,
      holdDurationMs: 60_000,
    });
    await produceCatalog(w, sim.catalog);
    await produceDecisions(w, sim.simulate(1_500, start, 350));
    sink = startSinkProcess([
      '--database',
      database,
      '--group',
      `it-page-sink-${w.id}`,
      '--reservation-topic',
      w.reservations,
      '--catalog-topic',
      w.catalog,
      '--max-wait-ms',
      '300',
      '--metrics-port',
      '0',
      '--session-timeout-ms',
      '6000',
    ]);
    await waitFor(
      'the backlog in ClickHouse',
      () => count(ch, 'SELECT count() AS n FROM reservation_events'),
      (n) => n > 1_000,
    );
    // From now on, the on-sale goes on in real time: a few commands a second.
    producing = (async () => {
      while (running) {
        const now = Date.now();
        const ds = [...sim.step(now), ...sim.step(now + 1), ...sim.step(now + 2)];
        await produceDecisions(w, ds, { txSize: 50 });
        await new Promise((r) => setTimeout(r, 400));
      }
    })();

    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    running = false;
    await producing?.catch(() => undefined);
    await browser?.close();
    if (sink && sink.child.exitCode === null && sink.child.signalCode === null) {
      sink.child.kill('SIGTERM');
      await sink.exited;
    }
    await h?.close();
    await ch?.close();
    await w?.cleanup();
  });

  const figures = (page: Page) =>
    page.evaluate(() => ({
      refreshedAt: document.body.dataset.refreshedAt ?? '',
      points: Number(document.getElementById('chart-sales_timeline')?.dataset.points ?? 0),
      holds: Number(document.getElementById('kpi-holds')?.dataset.value ?? 0),
      sold: Number(document.getElementById('kpi-tickets')?.dataset.value ?? 0),
      latencyPoints: Number(document.getElementById('chart-decision_latency')?.dataset.points ?? 0),
      canvases: document.querySelectorAll('.plot canvas').length,
    }));

  it('an organizer signs in, sees only their events, and the charts draw real numbers that change', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${base}/dashboards?range=3600`);
    await page.fill('#email', organizer.email);
    await page.fill('#password', organizer.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#totp-form:not([hidden])');
    await page.fill('#totp', h.totp(organizer.secret));
    await page.click('#totp-form button[type=submit]');
    await page.waitForSelector('#board:not([hidden])');

    const options = await page.$$eval('#event option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value).filter(Boolean),
    );
    const mine = sim.catalog.filter((c) => c.organizerId === organizer.id).map((c) => c.eventId);
    assert.deepEqual(options.sort(), mine.sort());

    await page.waitForFunction(() => Number(document.getElementById('kpi-holds')?.dataset.value ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
    const first = await figures(page);
    assert.ok(first.points > 0 && first.holds > 0 && first.sold > 0 && first.latencyPoints > 0, JSON.stringify(first));
    assert.ok(first.canvases >= 4, 'uPlot drew the time series');
    await page.screenshot({ path: join(shots, 'desktop-organizer.png'), fullPage: true });

    // The next refreshes (every 5 s) show the on-sale going on.
    await page.waitForFunction(
      (before) =>
        Number(document.getElementById('kpi-holds')?.dataset.value ?? 0) > before &&
        document.body.dataset.refreshedAt !== '',
      first.holds,
      { timeout: 60_000, polling: 500 },
    );
    const later = await figures(page);
    assert.ok(later.holds > first.holds, `${later.holds} > ${first.holds}`);
    assert.notEqual(later.refreshedAt, first.refreshedAt);

    // One event only.
    await page.selectOption('#event', mine[0]!);
    await page.waitForFunction(() => /event=/.test(location.search));
    await page.waitForFunction((b) => document.body.dataset.refreshedAt !== b, later.refreshedAt, { timeout: 30_000 });
    const one = await figures(page);
    assert.ok(one.holds > 0 && one.holds < later.holds + 1_000);
    await context.close();

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const p2 = await phone.newPage();
    // Same session storage does not carry over contexts: sign in again.
    await p2.goto(`${base}/dashboards`);
    await p2.fill('#email', organizer.email);
    await p2.fill('#password', organizer.password);
    await p2.click('#login-form button[type=submit]');
    await p2.waitForSelector('#totp-form:not([hidden])');
    h.advance(30_000); // a TOTP code is accepted once: the next one is of a later step
    await p2.fill('#totp', h.totp(organizer.secret));
    await p2.click('#totp-form button[type=submit]');
    await p2.waitForFunction(() => Number(document.getElementById('kpi-holds')?.dataset.value ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
    await p2.screenshot({ path: join(shots, 'phone-organizer.png'), fullPage: true });
    const overflow = await p2.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${[...e.classList].join('.')}`)
        .slice(0, 8);
      return { by: document.documentElement.scrollWidth - width, wide };
    });
    assert.ok(overflow.by <= 1, `no horizontal scrolling on a phone: ${JSON.stringify(overflow)}`);
    await phone.close();
  });
});
