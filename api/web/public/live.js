/* global WebSocket, location -- a browser module */
// GET /v1/ws (api/push/protocol.ts): authenticates with its first message, follows one event's availability and the
// buyer's own holds, answers nothing else. Reconnects with exponential backoff and jitter (0.5 s to 30 s), then
// subscribes again; the page resynchronises from REST on every (re)connection.
import { freshAccessToken } from './api.js';

export class Live {
  constructor({ onAvailability, onMe, onState, onReady, onUnauthenticated }) {
    this.handlers = { onAvailability, onMe, onState, onReady, onUnauthenticated };
    this.eventId = null;
    this.attempt = 0;
    this.ws = null;
    this.stopped = true;
    this.timer = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
    this.handlers.onState('off');
  }

  /** Connects again after the backoff (a token refused twice in a row does not spin). */
  restart() {
    this.stop();
    this.stopped = false;
    this.timer = setTimeout(() => this.connect(), this.backoff());
  }

  backoff() {
    return Math.min(30_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
  }

  follow(eventId) {
    const previous = this.eventId;
    this.eventId = eventId;
    if (this.ws?.readyState !== WebSocket.OPEN || !this.ready) return;
    if (previous && previous !== eventId) this.send({ type: 'unsubscribe', topic: 'availability', eventId: previous });
    if (eventId) this.send({ type: 'subscribe', topic: 'availability', eventId });
  }

  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  async connect() {
    if (this.stopped) return;
    this.handlers.onState('connecting');
    const token = await freshAccessToken();
    if (!token) return this.stop();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`;
    const ws = new WebSocket(url, ['seatstream.v1']);
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        this.handlers.onState('on');
        ws.send(JSON.stringify({ type: 'subscribe', topic: 'me' }));
        if (this.eventId) ws.send(JSON.stringify({ type: 'subscribe', topic: 'availability', eventId: this.eventId }));
        this.handlers.onReady?.();
      } else if (m.type === 'availability') this.handlers.onAvailability(m.eventId, m.availability);
      else if (m.type === 'me') this.handlers.onMe(m.decision);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      if (this.stopped) return;
      this.handlers.onState('off');
      if (e.code === 4401) {
        // not (or no longer) authenticated: the page refreshes the session and restarts, or signs out
        this.stopped = true;
        this.handlers.onUnauthenticated();
        return;
      }
      this.timer = setTimeout(() => this.connect(), this.backoff());
    };
  }
}
