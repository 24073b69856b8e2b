/**
 * The buyer's page (api/web) in Debian's headless Chromium, driven by playwright-core, on the real local stack
 * (Kafka, schema registry, PostgreSQL, Redis from loadEndpoints()):
 *   - the seat allocator as a child process (its main.ts, a random application id and instance id, state in a
 *     temporary directory), the push router as a child process (its main.ts, a random group and Redis channel
 *     prefix, routing only this allocator's records), the read-model sink in this process (from the end of the log),
 *     the API (buildApp through the test harness) listening on a free loopback port;
 *   - a concert hall (~3,000 seats and a standing pit) published under a random event id, two buyers registered.
 * Buyer A signs in on the page, picks two seats on the map and holds them; buyer B's browser (another context) sees
 * them taken, live; A's countdown runs; A releases and B sees them free again. The Arabic page renders right to
 * left. Screenshots (phone and desktop) go to test-results/buyer-page/.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cleanUp, startTestSink, testKafka } from '../../connectors/postgres/testing.js';
import type { PostgresSink } from '../../connectors/postgres/sink.js';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { customer, fastArgon2, type SignedIn } from '../../api/catalog/testing.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { publishCatalog } from '../../processors/seat-allocation/publishDemo.js';
import { ServiceProcess, stopAllServices } from '../../processors/seat-allocation/testing/service-process.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(repo, 'test-results', 'buyer-page');
const chromiumPath = '/usr/bin/chromium';
const HOLD_MS = 180_000;
const WAIT = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = WAIT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The push router (connectors/push-router/main.ts) as a child process; its output kept for a failure's message. */
function startPushRouter(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'connectors/push-router/main.ts')], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
  const keep = (c: Buffer) => void (out = (out + c.toString('utf8')).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

describe('buyer page in headless Chromium (real stack)', { timeout: 300_000 }, () => {
  const endpoints = loadEndpoints();
  const kafka = testKafka('seatstream-it-browser');
  const eventId = `it-browser-${randomUUID()}`;
  const eventName = `Browser test concert ${randomUUID().slice(0, 8)}`;
  const allocatorApp = `it-browser-alloc-${randomUUID()}`;
  const pushGroup = `it-browser-push-${randomUUID()}`;
  const channelPrefix = `ss:it:${randomUUID()}:push:`;
  let stateDir: string;
  let h: Harness;
  let sink: PostgresSink;
  let sinkConsumer: string;
  let sinkGroup: string;
  let router: ReturnType<typeof startPushRouter> | undefined;
  let browser: Browser;
  let base: string;
  let a: SignedIn;
  let b: SignedIn;
  let seats: { id: string; sectionId: string; rowId: string }[];

  before(async () => {
    mkdirSync(shots, { recursive: true });
    stateDir = await mkdtemp(join(tmpdir(), 'browser-it-'));
    // The API's bookings and live push read their settings from the environment (api/bookings/config.ts).
    process.env.PUSH_CHANNEL_PREFIX = channelPrefix;
    h = await startHarness({ env: fastArgon2 });
    ({ sink, consumer: sinkConsumer, groupId: sinkGroup } = await startTestSink(h.pool, kafka));
    new ServiceProcess('allocator', {
      SEAT_ALLOCATION_APPLICATION_ID: allocatorApp,
      SEAT_ALLOCATION_INSTANCE_ID: `it-${randomUUID().slice(0, 8)}`,
      SEAT_ALLOCATION_STATE_DIR: join(stateDir, 'allocator'),
      SEAT_ALLOCATION_SESSION_TIMEOUT_MS: '6000',
    });
    router = startPushRouter({
      PUSH_CHANNEL_PREFIX: channelPrefix,
      PUSH_ROUTER_GROUP_ID: pushGroup,
      PUSH_ROUTER_ORIGIN_APP: allocatorApp,
      PUSH_ROUTER_SESSION_TIMEOUT_MS: '6000',
    });
    const def = {
      ...concertHall({ eventId, onSaleAt: Date.now() - 60_000, holdDurationMs: HOLD_MS, maxTicketsPerBuyer: 10 }),
      name: eventName,
    };
    await publishCatalog([def], { brokers: kafkaBrokers(endpoints) });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    // The event reaches the read model (the sink) and its first availability snapshot (the allocator, then the sink).
    const detail = await eventually('the event in the read model', async () => {
      const res = await h.inject({ url: `/v1/events/${eventId}` });
      return res.statusCode === 200 && (res.json() as { seats: typeof seats });
    });
    seats = detail.seats;
    await eventually('the first availability snapshot', async () => {
      return (await h.inject({ url: `/v1/events/${eventId}/availability?seats=none` })).statusCode === 200;
    });
    [a, b] = [await customer(h), await customer(h)];
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await stopChild(router?.child);
    await stopAllServices();
    await sink?.stop();
    if (h) {
      await cleanUp(h.pool, kafka, {
        eventIds: [eventId],
        consumers: [sinkConsumer],
        groupIds: [sinkGroup, pushGroup, allocatorApp],
      });
      await h.close();
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  /** A browser context signed in as `who` through the page's form, on the event's page. */
  async function signedInPage(
    who: SignedIn,
    viewport: { width: number; height: number },
  ): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport, locale: 'en-GB', deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(`${base}/?lang=en`);
    await page.locator('#auth-form input[name=email]').fill(who.user.email);
    await page.locator('#auth-form input[name=password]').fill(who.user.password);
    await page.locator('#auth-submit').click();
    await page.locator('#events-view').waitFor({ state: 'visible' });
    await page.locator('#q').fill(eventName);
    await page.locator('#search-form button[type=submit]').click();
    await page.getByRole('link', { name: eventName }).click();
    await page.locator('#map circle').first().waitFor({ state: 'attached' });
    await page.locator('#live[data-state=on]').waitFor();
    return { ctx, page };
  }

  const seatState = (page: Page, seatId: string) =>
    page.locator(`#map circle[data-id="${seatId}"]`).getAttribute('data-state');
  const waitState = (page: Page, seatId: string, state: string) =>
    page
      .locator(`#map circle[data-id="${seatId}"][data-state="${state}"]`)
      .waitFor({ state: 'attached', timeout: WAIT });

  it('A holds two seats, B sees them taken live, the countdown runs, A releases and B sees them free', async (t) => {
    const A = await signedInPage(a, { width: 1280, height: 900 });
    const B = await signedInPage(b, { width: 360, height: 740 });
    // Two neighbours in a row of the middle of the seat map.
    const mid = seats.findIndex(
      (s, i) => i >= seats.length / 2 && seats[i + 1]?.rowId === s.rowId && seats[i + 1]?.sectionId === s.sectionId,
    );
    const pair = [seats[mid]!.id, seats[mid + 1]!.id];
    for (const id of pair) {
      assert.equal(await seatState(A.page, id), 'free');
      assert.equal(await seatState(B.page, id), 'free');
    }

    for (const id of pair) await A.page.locator(`#map circle[data-id="${id}"]`).click();
    for (const id of pair) assert.equal(await seatState(A.page, id), 'selected');
    const clicked = Date.now();
    await A.page.locator('#hold-selected').click();
    await A.page.locator('#hold-panel').waitFor({ state: 'visible', timeout: WAIT });
    for (const id of pair) await waitState(A.page, id, 'mine');

    // B, another buyer in another context, sees them taken without reloading.
    for (const id of pair) await waitState(B.page, id, 'held');
    t.diagnostic(
      `A's click on hold -> B's page shows the seats taken: ${Date.now() - clicked} ms (a measure, not a check)`,
    );
    await B.page.screenshot({ path: join(shots, 'phone-b-sees-taken.png'), fullPage: true });
    // Zoomed in on a phone, the taken seats are easy to tell apart.
    await B.page.locator('#zoom-in').click();
    await B.page.locator('#zoom-in').click();
    await B.page.locator(`#map circle[data-id="${pair[0]}"]`).scrollIntoViewIfNeeded();
    await B.page.screenshot({ path: join(shots, 'phone-b-sees-taken-zoomed.png') });

    // The countdown starts near the hold's duration and goes down.
    const seconds = async () => Number(await A.page.locator('#countdown').getAttribute('data-seconds'));
    const first = await seconds();
    assert.ok(first > 0 && first <= HOLD_MS / 1000, `countdown ${first}`);
    await eventually('the countdown to go down', async () => (await seconds()) < first);
    assert.match((await A.page.locator('#countdown').textContent()) ?? '', /^\d+:\d\d$/);
    await A.page.screenshot({ path: join(shots, 'desktop-a-holding.png'), fullPage: true });

    // A phone-sized page of A too: the map and panels fit 360 px without horizontal scrolling of the page.
    await A.page.setViewportSize({ width: 360, height: 740 });
    const overflow = await A.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, 'no horizontal scroll at 360 px');
    await A.page.screenshot({ path: join(shots, 'phone-a-holding.png'), fullPage: true });
    await A.page.setViewportSize({ width: 1280, height: 900 });

    const releasing = Date.now();
    await A.page.locator('#release').click();
    await A.page.locator('#hold-panel').waitFor({ state: 'hidden', timeout: WAIT });
    for (const id of pair) await waitState(B.page, id, 'free');
    t.diagnostic(`A's click on release -> B's page shows the seats free: ${Date.now() - releasing} ms`);
    for (const id of pair) await waitState(A.page, id, 'free');
    await B.page.screenshot({ path: join(shots, 'phone-b-sees-free.png'), fullPage: true });
    await A.ctx.close();
    await B.ctx.close();
  });

  it('a refusal is shown by its code, translated; a hold made elsewhere shows up and is released from the page', async () => {
    const A = await signedInPage(a, { width: 1280, height: 900 });
    const id = seats[Math.floor(seats.length / 3)]!.id;
    // A holds one seat through the API (another tab, say): the page learns it live and shows it as A's.
    const res = await h.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/holds`,
      token: a.token,
      headers: { 'idempotency-key': randomUUID() },
      payload: { seatIds: [id] },
    });
    // 201 with the hold, or 202 when the decision took longer than the API waits: then its status URL says
    if (res.statusCode === 202) {
      const statusUrl = (res.json() as { statusUrl: string }).statusUrl;
      await eventually('the hold to be decided', async () => {
        const st = await h.inject({ url: statusUrl, token: a.token });
        return st.statusCode === 200 && (st.json() as { status: string }).status !== 'PENDING' && st;
      }).then((st) => assert.equal((st.json() as { status: string }).status, 'ACCEPTED', st.body));
    } else assert.equal(res.statusCode, 201, res.body);
    await waitState(A.page, id, 'mine');
    await A.page.locator('#hold-panel').waitFor({ state: 'visible', timeout: WAIT });

    // The keyboard selects too: the map is one tab stop, arrows move, Enter toggles the focused seat.
    await A.page.locator('#map').focus();
    await A.page.keyboard.press('Enter');
    await A.page.keyboard.press('ArrowRight');
    await A.page.keyboard.press('Enter');
    assert.equal(await A.page.locator('#map circle[data-state="selected"]').count(), 2);
    assert.match((await A.page.locator('#focused-seat').textContent()) ?? '', /^Row .+, seat .+: selected$/);
    await A.page.locator('#clear-selection').click();
    assert.equal(await A.page.locator('#map circle[data-state="selected"]').count(), 0);

    // Ten more would pass the event's limit of ten tickets per buyer: the allocator refuses, the page says why (in
    // French once the language is switched).
    await A.page.locator('#lang').selectOption('fr');
    await A.page.waitForFunction(() => document.documentElement.lang === 'fr'); // once fr.json is loaded
    await A.page.locator('#best-qty').fill('10');
    await A.page.locator('#best-form button[type=submit]').click();
    const error = A.page.locator('#error[data-code="RSV_LIMIT_EXCEEDED"]');
    await error.waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(
      await error.textContent(),
      'C’est plus de billets qu’un acheteur ne peut en avoir pour cet événement.',
    );

    await A.page.locator('#release').click();
    await A.page.locator('#hold-panel').waitFor({ state: 'hidden', timeout: WAIT });
    await waitState(A.page, id, 'free');
    await A.ctx.close();
  });

  it('the Arabic page renders right to left', async () => {
    for (const [name, viewport] of [
      ['phone', { width: 360, height: 740 }],
      ['desktop', { width: 1280, height: 900 }],
    ] as const) {
      const ctx = await browser.newContext({ viewport, locale: 'ar' });
      const page = await ctx.newPage();
      await page.goto(`${base}/?lang=ar`);
      await page.locator('#auth-view').waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
      assert.equal(await page.locator('#auth-view h1').textContent(), 'سجّل الدخول لشراء التذاكر');
      // Laid out right to left: the form runs rtl, and the brand sits at the right end of the header.
      const brand = (await page.locator('.brand').boundingBox())!;
      assert.ok(brand.x > viewport.width / 2, `brand at x=${brand.x}`);
      const direction = await page.locator('#auth-form').evaluate((el) => getComputedStyle(el).direction);
      assert.equal(direction, 'rtl');
      await page.screenshot({ path: join(shots, `${name}-ar-sign-in.png`), fullPage: true });
      await ctx.close();
    }
    // Signed in, the event's page in Arabic: mirrored, its legend and panels translated.
    const { ctx, page } = await signedInPage(b, { width: 360, height: 740 });
    await page.locator('#lang').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.lang === 'ar'); // once ar.json is loaded
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.ok(((await page.locator('#legend').textContent()) ?? '').includes('محجوز لك'));
    assert.equal(await page.locator('#best-form h2').textContent(), 'أفضل المقاعد المتاحة');
    await page.screenshot({ path: join(shots, 'phone-ar-event.png'), fullPage: true });
    await ctx.close();
  });
});
