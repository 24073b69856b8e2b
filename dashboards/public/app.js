/* global Node, URLSearchParams, atob, document, history, location, uPlot, window -- a browser script, uPlot loaded before it */
// The analytics dashboard page: signs in through /v1/auth (password, then TOTP), lists the events the user may
// see, and draws the charts of GET /v1/analytics/dashboard with uPlot, refreshing them every few seconds while
// "Live" is on. No build step: a plain script, uPlot loaded before it. Each chart container carries
// data-points (buckets drawn) and data-total (sum of its main series) so that tests can read what was drawn.
(() => {
  'use strict';

  const REFRESH_MS = 5000;
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const state = { events: [], timer: null, plots: new Map(), inFlight: false, lastOk: 0 };

  /// Auth

  const tokens = {
    get access() {
      return store.getItem('ss.access');
    },
    get refresh() {
      return store.getItem('ss.refresh');
    },
    set(pair) {
      store.setItem('ss.access', pair.accessToken);
      store.setItem('ss.refresh', pair.refreshToken);
    },
    clear() {
      store.removeItem('ss.access');
      store.removeItem('ss.refresh');
    },
  };

  async function post(path, body) {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok)
      throw Object.assign(new Error(json.message || `HTTP ${res.status}`), { code: json.code, status: res.status });
    return json;
  }

  let refreshing = null;
  async function refreshTokens() {
    if (!tokens.refresh) return false;
    refreshing ??= post('/v1/auth/refresh', { refreshToken: tokens.refresh })
      .then((pair) => {
        tokens.set(pair);
        return true;
      })
      .catch(() => {
        tokens.clear();
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  /** GET with the access token; one refresh and retry on 401; null when signed out. */
  async function api(path) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await fetch(path, { headers: { authorization: `Bearer ${tokens.access}` } });
      if (res.status === 401 && attempt === 0 && (await refreshTokens())) continue;
      if (res.status === 401) {
        showSignIn('Your session has ended; please sign in again.');
        return null;
      }
      const json = await res.json().catch(() => ({}));
      if (!res.ok)
        throw Object.assign(new Error(json.message || `HTTP ${res.status}`), { code: json.code, status: res.status });
      return json;
    }
    return null;
  }

  function claims() {
    try {
      const part = tokens.access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part));
    } catch {
      return null;
    }
  }

  let mfaToken = null;
  function showSignIn(message = '') {
    stopTimer();
    $('board').hidden = true;
    $('signout').hidden = true;
    $('who').textContent = '';
    $('signin').hidden = false;
    $('login-form').hidden = false;
    $('totp-form').hidden = true;
    $('signin-error').textContent = message;
  }

  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('signin-error').textContent = '';
    try {
      const r = await post('/v1/auth/login', { email: $('email').value.trim(), password: $('password').value });
      $('password').value = '';
      if (r.mfaRequired) {
        mfaToken = r.mfaToken;
        $('login-form').hidden = true;
        $('totp-form').hidden = false;
        $('totp').focus();
        return;
      }
      tokens.set(r);
      await enter();
    } catch (err) {
      $('signin-error').textContent = err.message;
    }
  });

  $('totp-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      tokens.set(await post('/v1/auth/login/totp', { mfaToken, code: $('totp').value.trim() }));
      $('totp').value = '';
      await enter();
    } catch (err) {
      $('signin-error').textContent = err.message;
    }
  });

  $('signout').addEventListener('click', async () => {
    const refreshToken = tokens.refresh;
    tokens.clear();
    if (refreshToken) await post('/v1/auth/logout', { refreshToken }).catch(() => undefined);
    showSignIn();
  });

  /// Formatting

  const intFmt = new Intl.NumberFormat('en');
  const fmtInt = (n) => (Number.isFinite(n) ? intFmt.format(Math.round(n)) : '–');
  const digitsOf = (currency) => {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      return 2;
    }
  };
  function fmtMoney(minor, currency) {
    if (!currency) return fmtInt(minor);
    const d = digitsOf(currency);
    return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      minor / 10 ** d,
    );
  }
  const fmtPct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
  const fmtMs = (x) => (Number.isFinite(x) ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`) : '–');
  const sum = (rows, k) => rows.reduce((n, r) => n + (Number(r[k]) || 0), 0);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };

  /// Controls

  function selectedRange() {
    const v = $('range').value;
    if (v === 'custom') {
      const from = Date.parse($('from').value);
      const to = Date.parse($('to').value);
      if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return null;
      return { from: Math.floor(from / 1000), to: Math.ceil(to / 1000) };
    }
    const to = Math.ceil(Date.now() / 60000) * 60;
    return { from: to - Number(v), to };
  }

  function currencyOfSelection() {
    const id = $('event').value;
    const scoped = id ? state.events.filter((e) => e.eventId === id) : state.events;
    const currencies = new Set(scoped.map((e) => e.currency));
    return currencies.size === 1 ? [...currencies][0] : '';
  }

  function syncUrl() {
    const p = new URLSearchParams();
    if ($('event').value) p.set('event', $('event').value);
    p.set('range', $('range').value);
    history.replaceState(null, '', `${location.pathname}?${p}`);
  }

  for (const id of ['event', 'range', 'from', 'to']) {
    $(id).addEventListener('change', () => {
      $('custom').hidden = $('range').value !== 'custom';
      if ($('range').value === 'custom' && !$('from').value) {
        const toLocal = (ms) => new Date(ms - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
        $('to').value = toLocal(Date.now());
        $('from').value = toLocal(Date.now() - 3 * 3600 * 1000);
      }
      syncUrl();
      refresh();
    });
  }
  $('live').addEventListener('change', () => ($('live').checked ? startTimer() : stopTimer()));
  document.addEventListener('visibilitychange', () =>
    document.hidden ? stopTimer() : $('live').checked && startTimer(),
  );

  function startTimer() {
    stopTimer();
    state.timer = setInterval(refresh, REFRESH_MS);
  }
  function stopTimer() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
  }

  /// Charts

  const palette = ['#0f6e66', '#d97706', '#2563eb', '#b42318', '#7c3aed', '#0891b2'];

  function caption(fig, chart) {
    const cap = fig.querySelector('figcaption');
    cap.replaceChildren(chart.title, el('small', {}, chart.description));
  }

  /** A time series: x = bucket start (epoch s), one line per [key, label, scale]. */
  function timeSeries(name, chart, series, opts = {}) {
    const fig = $(`chart-${name}`);
    caption(fig, chart);
    const box = fig.querySelector('.plot');
    const rows = chart.rows;
    const data = [
      rows.map((r) => r.t),
      ...series.map(([k, , map]) => rows.map((r) => (map ? map(r[k]) : Number(r[k])))),
    ];
    fig.dataset.points = String(rows.length);
    fig.dataset.total = String(series.length ? data[1].reduce((a, b) => a + (Number(b) || 0), 0) : 0);
    let plot = state.plots.get(name);
    const width = Math.max(260, box.clientWidth || fig.clientWidth - 20);
    if (!plot) {
      box.replaceChildren();
      plot = new uPlot(
        {
          width,
          height: 220,
          scales: { x: { time: true } },
          axes: [{}, { size: 56, values: opts.axis ? (u, ticks) => ticks.map(opts.axis) : undefined }],
          series: [
            {},
            ...series.map(([, label], i) => ({
              label,
              stroke: palette[i % palette.length],
              width: 2,
              points: { show: false },
            })),
          ],
          legend: { live: true },
        },
        data,
        box,
      );
      state.plots.set(name, plot);
    } else {
      plot.setData(data);
    }
    box.classList.toggle('is-empty', rows.length === 0);
  }

  /** Rows as a table with a bar for the main figure. */
  function barTable(name, chart, columns, barKey) {
    const fig = $(`chart-${name}`);
    caption(fig, chart);
    const box = fig.querySelector('.bars, .table');
    fig.dataset.points = String(chart.rows.length);
    fig.dataset.total = String(barKey ? sum(chart.rows, barKey) : chart.rows.length);
    if (chart.rows.length === 0) {
      box.replaceChildren(el('p', { class: 'empty' }, 'No data in this period.'));
      return;
    }
    const max = barKey ? Math.max(...chart.rows.map((r) => Number(r[barKey]) || 0), 1) : 1;
    const head = el(
      'tr',
      {},
      ...columns.map(([, label, , num]) => el('th', num ? { class: 'num' } : {}, label)),
      ...(barKey ? [el('th', { class: 'barcell' }, '')] : []),
    );
    const body = chart.rows.map((r) =>
      el(
        'tr',
        {},
        ...columns.map(([k, , fmt, num]) => el('td', num ? { class: 'num' } : {}, fmt ? fmt(r[k], r) : r[k])),
        ...(barKey
          ? [
              el(
                'td',
                { class: 'barcell' },
                el('div', { class: 'bar', style: `width:${((Number(r[barKey]) || 0) / max) * 100}%` }),
              ),
            ]
          : []),
      ),
    );
    box.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...body)));
  }

  function kpi(id, text, value) {
    const box = $(id);
    box.querySelector('.value').textContent = text;
    box.dataset.value = String(value);
  }

  function render(d) {
    const c = d.charts;
    const currency = currencyOfSelection();
    const moneyRow = (v, r) => fmtMoney(Number(v), r.currency);

    const sales = c.sales_timeline.rows;
    const holds = sum(sales, 'holds');
    const sold = sum(sales, 'tickets_sold');
    const revenue = sum(sales, 'revenue_minor');
    const conv = c.conversion.rows;
    const convHolds = sum(conv, 'holds');
    const lat = c.decision_latency.rows;
    kpi('kpi-tickets', fmtInt(sold), sold);
    kpi('kpi-revenue', currency ? fmtMoney(revenue, currency) : fmtInt(revenue), revenue);
    kpi('kpi-holds', fmtInt(holds), holds);
    kpi(
      'kpi-conversion',
      convHolds ? fmtPct(sum(conv, 'booked') / convHolds) : '–',
      convHolds ? sum(conv, 'booked') / convHolds : 0,
    );
    const p99 = lat.length ? Math.max(...lat.map((r) => Number(r.p99_ms))) : NaN;
    kpi('kpi-latency', fmtMs(p99), Number.isFinite(p99) ? p99 : 0);
    kpi('kpi-rejections', fmtInt(sum(sales, 'rejections')), sum(sales, 'rejections'));

    timeSeries('sales_timeline', c.sales_timeline, [
      ['holds', 'Holds'],
      ['bookings', 'Bookings'],
      ['tickets_sold', 'Tickets sold'],
      ['rejections', 'Rejections'],
      ['expiries', 'Expired holds'],
    ]);
    timeSeries('conversion', c.conversion, [['conversion', 'Booked / holds (%)', (v) => Number(v) * 100]], {
      axis: (v) => `${v} %`,
    });
    timeSeries('decision_latency', c.decision_latency, [
      ['p50_ms', 'p50 (ms)'],
      ['p90_ms', 'p90 (ms)'],
      ['p99_ms', 'p99 (ms)'],
    ]);
    timeSeries('hold_to_payment', c.hold_to_payment, [
      ['p50_s', 'median (s)'],
      ['p90_s', 'p90 (s)'],
    ]);
    barTable(
      'rejections_by_reason',
      c.rejections_by_reason,
      [
        ['command', 'Command'],
        ['code', 'Reason'],
        ['rejections', 'Count', fmtInt, true],
      ],
      'rejections',
    );
    barTable(
      'revenue_by_category',
      c.revenue_by_category,
      [
        ['category', 'Category'],
        ['tickets_sold', 'Tickets', fmtInt, true],
        ['revenue_minor', 'Revenue', moneyRow, true],
        ['tickets_cancelled', 'Cancelled', fmtInt, true],
      ],
      'revenue_minor',
    );
    barTable(
      'checkins_by_gate',
      c.checkins_by_gate,
      [
        ['gate', 'Gate'],
        ['admitted', 'Admitted', fmtInt, true],
        ['refused', 'Refused', fmtInt, true],
      ],
      'admitted',
    );
    barTable('events_overview', c.events_overview, [
      ['name', 'Event'],
      ['holds', 'Holds', fmtInt, true],
      ['bookings', 'Bookings', fmtInt, true],
      ['tickets_sold', 'Tickets sold', fmtInt, true],
      ['capacity', 'Sold / capacity', (v, r) => (Number(v) ? fmtPct(Number(r.tickets_sold) / Number(v)) : '–'), true],
      ['revenue_minor', 'Revenue', moneyRow, true],
      ['rejections', 'Rejections', fmtInt, true],
    ]);
  }

  async function refresh() {
    if (state.inFlight || $('board').hidden) return;
    const range = selectedRange();
    if (!range) {
      $('status').textContent = 'Choose a valid period.';
      return;
    }
    state.inFlight = true;
    const p = new URLSearchParams({ from: String(range.from), to: String(range.to) });
    if ($('event').value) p.set('eventId', $('event').value);
    try {
      const d = await api(`/v1/analytics/dashboard?${p}`);
      if (!d) return;
      render(d);
      state.lastOk = Date.now();
      $('status').classList.remove('stale');
      $('status').textContent =
        `Updated ${new Date(d.generatedAt * 1000).toLocaleTimeString()}${$('live').checked ? ' · live' : ''}`;
      document.body.dataset.refreshedAt = String(d.generatedAt);
    } catch (err) {
      $('status').classList.add('stale');
      $('status').textContent = `Not updated: ${err.message}`;
    } finally {
      state.inFlight = false;
    }
  }

  window.addEventListener('resize', () => {
    for (const [name, plot] of state.plots) {
      const box = $(`chart-${name}`).querySelector('.plot');
      plot.setSize({ width: Math.max(260, box.clientWidth), height: 220 });
    }
  });

  /// Start

  async function enter() {
    const c = claims();
    if (!c) return showSignIn();
    if (c.role !== 'organizer' && c.role !== 'admin') {
      tokens.clear();
      return showSignIn('The dashboards are for organizers and administrators.');
    }
    try {
      const r = await api('/v1/analytics/events');
      if (!r) return;
      state.events = r.events;
    } catch (err) {
      if (err.code === 'SS_ERR_AUTH_MFA_REQUIRED')
        return showSignIn('Enable two-factor authentication on your account first.');
      return showSignIn(err.message);
    }
    $('signin').hidden = true;
    $('board').hidden = false;
    $('signout').hidden = false;
    $('who').textContent = c.role === 'admin' ? 'Administrator · all events' : 'Organizer · your events';
    const select = $('event');
    select.replaceChildren(
      el('option', { value: '' }, c.role === 'admin' ? 'All events' : 'All my events'),
      ...state.events.map((e) => el('option', { value: e.eventId }, `${e.name} (${e.eventId})`)),
    );
    const q = new URLSearchParams(location.search);
    if (q.get('event') && state.events.some((e) => e.eventId === q.get('event'))) select.value = q.get('event');
    if (
      q.get('range') &&
      [...$('range').options].some((o) => o.value === q.get('range')) &&
      q.get('range') !== 'custom'
    ) {
      $('range').value = q.get('range');
    }
    await refresh();
    if ($('live').checked) startTimer();
  }

  if (tokens.access) enter();
  else showSignIn();
})();
