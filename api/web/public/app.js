/* global Option, URLSearchParams, crypto, document, localStorage, location, navigator, window -- a browser module */
// The buyer's page: sign in or register, find an event, see its seat map with live availability, hold seats (picked
// on the map or the best N of a section), watch the hold's countdown, release it. Views follow the URL hash:
// #/events?q=..., #/event/<eventId>.
import { api, ApiError, session } from './api.js';
import { dateTime, has, language, languages, money, number, setLanguage, t } from './i18n.js';
import { Live } from './live.js';
import { decodeStates, SeatMap, STATES } from './seatmap.js';

const $ = (id) => document.getElementById(id);
const fallbackColours = ['#2f6fdf', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0b7285'];

const state = {
  event: null, // EventDetail
  availability: null,
  states: new Uint8Array(0),
  selected: new Set(), // seat indexes
  holds: new Map(), // holdId -> hold (HELD, of the current event)
  seatIndex: new Map(), // seatId -> index
  mineCache: new Set(), // seat ids of own holds, as last painted
  zoom: 1,
};

// ------------------------------------------------------------------ messages

let errorTimer;
function showError(err) {
  if (err instanceof ApiError && err.status === 401 && !err.code.startsWith('SS_ERR_AUTH_INVALID')) {
    // the session ended (refresh refused): back to the sign-in form, saying why
    session.clear();
    route().catch(() => undefined);
  }
  const code = err instanceof ApiError ? err.code : typeof err === 'string' ? err : 'unknown';
  const text = has(`error.${code}`) ? t(`error.${code}`) : t('error.unknown', { code });
  showMessage(text, 'error', code);
  if (!(err instanceof ApiError) && typeof err !== 'string') console.error(err);
}
function showMessage(text, kind = 'info', code = '') {
  const el = $('error');
  el.textContent = text;
  el.dataset.kind = kind;
  el.dataset.code = code;
  el.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => (el.hidden = true), 8000);
}
const clearMessage = () => ($('error').hidden = true);

// ------------------------------------------------------------------ views

function show(view) {
  for (const v of ['auth-view', 'events-view', 'event-view']) $(v).hidden = v !== view;
  const signedIn = Boolean(session.access);
  $('logout').hidden = !signedIn;
  $('live').hidden = !signedIn;
  $('who').textContent = signedIn ? (session.email ?? '') : '';
}

async function route() {
  clearMessage();
  if (!session.access) {
    live.stop();
    return show('auth-view');
  }
  live.start();
  const hash = location.hash.slice(1) || '/events';
  const m = /^\/event\/([A-Za-z0-9][A-Za-z0-9_.:-]{0,127})$/.exec(hash);
  if (m) return openEvent(m[1]);
  live.follow(null);
  state.event = null;
  show('events-view');
  const q = new URLSearchParams(hash.split('?')[1] ?? '').get('q') ?? '';
  $('q').value = q;
  await listEvents(q);
}

// ------------------------------------------------------------------ auth

let mode = 'login';
function setMode(m) {
  mode = m;
  $('mode-login').setAttribute('aria-pressed', String(m === 'login'));
  $('mode-register').setAttribute('aria-pressed', String(m === 'register'));
  $('name-field').hidden = m !== 'register';
  $('auth-submit').dataset.i18n = m === 'login' ? 'auth.login' : 'auth.register';
  $('auth-submit').textContent = t($('auth-submit').dataset.i18n);
  $('auth-form').password.autocomplete = m === 'login' ? 'current-password' : 'new-password';
}

async function submitAuth(e) {
  e.preventDefault();
  const f = e.target;
  const email = f.email.value.trim();
  const password = f.password.value;
  const button = $('auth-submit');
  button.disabled = true;
  try {
    if (mode === 'register')
      await api('/v1/auth/register', {
        method: 'POST',
        body: { email, password, name: f.name.value.trim() || email.split('@')[0], locale: language() },
      });
    const { body } = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
    if (!body.accessToken) throw new ApiError(403, 'SS_ERR_AUTH_MFA_REQUIRED');
    session.set(body, email);
    f.password.value = '';
    await route();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  const refreshToken = session.refresh;
  try {
    await api('/v1/auth/logout', { method: 'POST', auth: true, body: { refreshToken } });
  } catch {
    /* signed out locally whatever the server says */
  }
  session.clear();
  location.hash = '';
  await route();
}

// ------------------------------------------------------------------ events

async function listEvents(q) {
  try {
    const { body } = await api(`/v1/events?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    const list = $('event-list');
    list.replaceChildren(
      ...body.items.map((e) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = `#/event/${e.id}`;
        a.className = 'card event';
        const name = document.createElement('strong');
        name.textContent = e.name;
        const meta = document.createElement('span');
        meta.className = 'muted';
        meta.textContent = [
          dateTime(e.startsAt),
          [e.venue?.name, e.venue?.city].filter(Boolean).join(', '),
          `${money(e.minPriceMinor, e.currency)} – ${money(e.maxPriceMinor, e.currency)}`,
        ]
          .filter(Boolean)
          .join(' · ');
        a.append(name, meta);
        li.append(a);
        return li;
      }),
    );
    $('no-events').hidden = body.items.length > 0;
  } catch (err) {
    showError(err);
  }
}

// ------------------------------------------------------------------ one event

const categoryOf = (id) => state.event?.priceCategories.find((c) => c.id === id);
function colourOf(id) {
  const cats = state.event?.priceCategories ?? [];
  const i = cats.findIndex((c) => c.id === id);
  return cats[i]?.color ?? fallbackColours[Math.max(0, i) % fallbackColours.length];
}

const mineSeats = () => {
  const out = new Set();
  for (const h of state.holds.values()) for (const s of h.seats) out.add(s.seatId);
  return out;
};

function seatState(i) {
  const seat = state.event.seats[i];
  if (state.mineCache.has(seat.id)) return 'mine';
  if (state.selected.has(i)) return 'selected';
  return STATES[state.states[i]] ?? 'free';
}

function repaint() {
  if (!state.event) return;
  state.mineCache = mineSeats();
  for (const i of [...state.selected])
    if (state.states[i] !== 0 || state.mineCache.has(state.event.seats[i].id)) state.selected.delete(i);
  map.paint(seatState);
  const a = state.availability;
  $('counts').textContent = a ? t('counts', { free: number(a.totals.free), total: number(a.totals.total) }) : '';
  const n = state.selected.size;
  const price = [...state.selected].reduce(
    (sum, i) => sum + (categoryOf(state.event.seats[i].priceCategoryId)?.priceMinor ?? 0),
    0,
  );
  $('selection').textContent = n
    ? t('select.some', { n, price: money(price, state.event.currency) })
    : t('select.none');
  $('hold-selected').disabled = n === 0;
  $('clear-selection').disabled = n === 0;
  renderHolds();
}

async function openEvent(eventId) {
  show('event-view');
  try {
    if (state.event?.id !== eventId) {
      state.event = null;
      state.selected.clear();
      state.holds.clear();
      $('map').replaceChildren();
      const { body: e } = await api(`/v1/events/${encodeURIComponent(eventId)}`);
      state.event = e;
      state.seatIndex = new Map(e.seats.map((s, i) => [s.id, i]));
      state.states = new Uint8Array(e.seats.length);
      state.availability = null;
      $('event-name').textContent = e.name;
      renderEventMeta();
      $('map').setAttribute('aria-label', t('map.label', { name: e.name }));
      renderLegend();
      renderSections();
      map.draw(e.seats, colourOf, e.focus ? { ...e.focus, label: t('map.stage') } : null);
      applyZoom();
    }
    live.follow(eventId);
    await resync();
  } catch (err) {
    showError(err);
  }
}

/** Availability and own holds from REST: on opening, and after every (re)connection of the live socket. */
async function resync() {
  const e = state.event;
  if (!e) return;
  const [avail, holds] = await Promise.allSettled([
    api(`/v1/events/${encodeURIComponent(e.id)}/availability?seats=none`),
    api(`/v1/me/holds?eventId=${encodeURIComponent(e.id)}&status=HELD&limit=100`, { auth: true }),
  ]);
  if (state.event !== e) return;
  if (avail.status === 'fulfilled') applyAvailability(avail.value.body);
  else if (avail.reason?.code !== 'SS_ERR_AVAILABILITY_NOT_FOUND') showError(avail.reason);
  if (holds.status === 'fulfilled')
    for (const h of holds.value.body.items) if (new Date(h.expiresAt) > new Date()) state.holds.set(h.holdId, h);
  repaint();
}

function applyAvailability(a) {
  if (!state.event || a.eventId !== state.event.id) return;
  if (state.availability && a.version < state.availability.version) return; // an older snapshot: latest wins
  state.availability = a;
  state.states = decodeStates(state.event.seats, a);
  repaint();
}

function renderEventMeta() {
  const e = state.event;
  $('event-meta').textContent = [dateTime(e.startsAt), [e.venue?.name, e.venue?.city].filter(Boolean).join(', ')]
    .filter(Boolean)
    .join(' · ');
}

function renderLegend() {
  const items = state.event.priceCategories.map((c) => [
    colourOf(c.id),
    `${c.name} · ${money(c.priceMinor, state.event.currency)}`,
    'free',
  ]);
  items.push(['', t('state.selected'), 'selected'], ['', t('state.mine'), 'mine'], ['', t('state.held'), 'held']);
  $('legend').replaceChildren(
    ...items.map(([colour, label, kind]) => {
      const li = document.createElement('li');
      const dot = document.createElement('span');
      dot.className = `dot ${kind}`;
      if (colour) dot.style.background = colour;
      li.append(dot, document.createTextNode(label));
      return li;
    }),
  );
}

function renderSections() {
  const sel = $('best-section');
  const any = new Option(t('best.any'), '');
  sel.replaceChildren(any, ...state.event.sections.map((s) => new Option(s.name, s.id)));
}

function describeSeat(i) {
  const s = state.event.seats[i];
  const c = categoryOf(s.priceCategoryId);
  return t('seat.describe', {
    row: s.row,
    label: s.label,
    category: c?.name ?? s.priceCategoryId,
    price: money(c?.priceMinor ?? 0, state.event.currency),
    state: t(`state.${seatState(i)}`),
  });
}

function toggleSeat(i) {
  if (state.states[i] !== 0 || state.mineCache?.has(state.event.seats[i].id)) return;
  if (state.selected.has(i)) state.selected.delete(i);
  else state.selected.add(i);
  repaint();
  $('focused-seat').textContent = describeSeat(i);
}

// ------------------------------------------------------------------ holds

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Follows a 202's statusUrl until the decision is known. */
async function awaitDecision(statusUrl) {
  for (let i = 0; i < 60; i++) {
    await sleep(Math.min(2000, 250 * (i + 1)));
    const { body } = await api(statusUrl, { auth: true });
    if (body.status === 'ACCEPTED' && body.hold) return body.hold;
    if (body.status === 'REJECTED') throw new ApiError(409, body.code ?? 'unknown', body.message);
  }
  throw new ApiError(504, 'SS_ERR_UNAVAILABLE');
}

async function hold(body) {
  const e = state.event;
  const buttons = [$('hold-selected'), ...$('best-form').querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  try {
    const res = await api(`/v1/events/${encodeURIComponent(e.id)}/holds`, {
      method: 'POST',
      auth: true,
      body,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    let h = res.body;
    if (res.status === 202) {
      showMessage(t('hold.pending'));
      h = await awaitDecision(res.body.statusUrl);
      clearMessage();
    }
    if (state.event === e) {
      state.holds.set(h.holdId, h);
      state.selected.clear();
    }
  } catch (err) {
    showError(err);
  } finally {
    for (const b of buttons) b.disabled = false;
    repaint();
  }
}

/** Releases every hold of this event the panel shows. */
async function releaseAll(button) {
  button.disabled = true;
  try {
    for (const holdId of [...state.holds.keys()]) {
      try {
        const res = await api(`/v1/holds/${encodeURIComponent(holdId)}`, { method: 'DELETE', auth: true });
        if (res.status === 202) await awaitDecision(res.body.statusUrl).catch(() => undefined);
        state.holds.delete(holdId);
      } catch (err) {
        if (err.code === 'RSV_HOLD_NOT_FOUND' || err.code === 'RSV_HOLD_EXPIRED') state.holds.delete(holdId);
        throw err;
      }
    }
    showMessage(t('hold.released'));
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
    repaint();
  }
}

function remaining(expiresAt) {
  const s = Math.max(0, Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function renderHolds() {
  const panel = $('hold-panel');
  const holds = [...state.holds.values()];
  panel.hidden = holds.length === 0;
  if (!holds.length) return;
  const h = holds[holds.length - 1];
  panel.dataset.holdId = h.holdId;
  const seats = holds.flatMap((x) => x.seats.map((s) => t('hold.seat', { row: s.rowLabel, label: s.seatLabel })));
  const ga = holds
    .filter((x) => x.generalAdmission)
    .map((x) => {
      const sec = state.event.sections.find((s) => s.id === x.generalAdmission.sectionId);
      return t('hold.places', { n: x.generalAdmission.quantity, section: sec?.name ?? x.generalAdmission.sectionId });
    });
  $('hold-seats').textContent = [...seats, ...ga].join(', ');
  $('hold-total').textContent = money(
    holds.reduce((s, x) => s + x.totalMinor, 0),
    h.currency,
  );
  tick();
}

function tick() {
  const holds = [...state.holds.values()];
  if (!holds.length) return;
  const first = holds.reduce((a, b) => (Date.parse(a.expiresAt) <= Date.parse(b.expiresAt) ? a : b));
  $('countdown').textContent = remaining(first.expiresAt);
  $('countdown').dataset.seconds = String(Math.max(0, Math.ceil((Date.parse(first.expiresAt) - Date.now()) / 1000)));
  if (Date.parse(first.expiresAt) <= Date.now()) {
    state.holds.delete(first.holdId);
    showMessage(t('hold.expired'));
    repaint();
  }
}

/** Own decisions pushed live: a hold made elsewhere appears, a released or expired one goes away. */
function onMe(d) {
  if (!state.event || d.eventId !== state.event.id) return;
  if (d.type === 'SeatsHeld' && d.hold) state.holds.set(d.hold.holdId, d.hold);
  else if ((d.type === 'HoldReleased' || d.type === 'HoldExpired' || d.type === 'BookingConfirmed') && d.holdId) {
    if (state.holds.delete(d.holdId) && d.type === 'HoldExpired') showMessage(t('hold.expired'));
  } else if (d.type === 'BookingConfirmed' && d.booking) state.holds.delete(d.booking.holdId);
  repaint();
}

// ------------------------------------------------------------------ zoom

function applyZoom() {
  $('map').style.width = `${state.zoom * 100}%`;
  $('zoom-out').disabled = state.zoom <= 1;
  $('zoom-in').disabled = state.zoom >= 8;
}

// ------------------------------------------------------------------ wiring

const map = new SeatMap($('map'), {
  onToggle: (i) => toggleSeat(i),
  onFocus: (i) => ($('focused-seat').textContent = describeSeat(i)),
});

const live = new Live({
  onAvailability: (eventId, a) => applyAvailability({ ...a, eventId }),
  onMe,
  onState: (s) => {
    $('live').dataset.state = s;
    $('live').textContent = t(s === 'on' ? 'live.on' : s === 'connecting' ? 'live.connecting' : 'live.off');
  },
  onReady: () => resync().catch(showError),
  // the socket's token was refused: a call through api() refreshes the session, or ends it
  onUnauthenticated: () => api('/v1/me', { auth: true }).then(() => live.restart(), showError),
});

async function start() {
  const saved = localStorage.getItem('ss.lang');
  const lang = new URLSearchParams(location.search).get('lang') ?? saved ?? (navigator.language ?? 'en').slice(0, 2);
  await setLanguage(languages.includes(lang) ? lang : 'en');
  $('lang').value = language();
  $('lang').addEventListener('change', async (e) => {
    localStorage.setItem('ss.lang', e.target.value);
    await setLanguage(e.target.value);
    setMode(mode);
    $('live').textContent = t($('live').dataset.state === 'on' ? 'live.on' : 'live.off');
    if (state.event) {
      for (const el of document.querySelectorAll('#map .stage text')) el.textContent = t('map.stage');
      $('map').setAttribute('aria-label', t('map.label', { name: state.event.name }));
      renderEventMeta();
      renderLegend();
      renderSections();
      repaint();
    } else if (!$('events-view').hidden) await listEvents($('q').value.trim());
  });
  $('mode-login').addEventListener('click', () => setMode('login'));
  $('mode-register').addEventListener('click', () => setMode('register'));
  $('auth-form').addEventListener('submit', submitAuth);
  $('logout').addEventListener('click', logout);
  $('home').addEventListener('click', (e) => {
    e.preventDefault();
    location.hash = '#/events';
  });
  $('back').addEventListener('click', () => (location.hash = '#/events'));
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('q').value.trim();
    location.hash = q ? `#/events?q=${encodeURIComponent(q)}` : '#/events';
  });
  $('hold-selected').addEventListener('click', () =>
    hold({ seatIds: [...state.selected].map((i) => state.event.seats[i].id) }),
  );
  $('clear-selection').addEventListener('click', () => {
    state.selected.clear();
    repaint();
  });
  $('best-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const quantity = Number($('best-qty').value);
    const sectionId = $('best-section').value;
    hold(sectionId ? { quantity, sectionId } : { quantity });
  });
  $('release').addEventListener('click', (e) => releaseAll(e.currentTarget));
  $('zoom-in').addEventListener('click', () => {
    state.zoom = Math.min(8, state.zoom * 2);
    applyZoom();
  });
  $('zoom-out').addEventListener('click', () => {
    state.zoom = Math.max(1, state.zoom / 2);
    applyZoom();
  });
  setInterval(tick, 1000);
  window.addEventListener('hashchange', () => route().catch(showError));
  setMode('login');
  await route();
}

start().catch(showError);
