/* global URLSearchParams, WebSocket, window -- a browser module */
// The live-stream pages' side of the streaming service (api/streaming/protocol.ts): stream tokens from the API,
// then request/answer signalling over GET /v1/stream/ws, which the gateway serves under this page's origin.
import { api, freshAccessToken, session, ApiError } from './api.js';

export { api, session, ApiError };

export const STREAM_SUBPROTOCOL = 'seatstream-stream.v1';

/** mediasoup-client, bundled by the streaming service itself (no CDN). */
export const loadMediasoupClient = () => import('/v1/stream/mediasoup-client.js');

/** A stream token of the signed-in user for an event, as `viewer` or `broadcaster`. */
export async function streamToken(eventId, role) {
  const { body } = await api(`/v1/events/${encodeURIComponent(eventId)}/stream-token`, {
    method: 'POST',
    auth: true,
    body: { role },
  });
  return body;
}

/** Signs in with e-mail and password (and a TOTP code when the account asks for one); keeps the tokens in the session. */
export async function signIn(email, password, totp) {
  const { body } = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
  let tokens = body;
  if (body.mfaRequired) {
    if (!totp) throw new ApiError(401, 'SS_ERR_AUTH_MFA_CODE_INVALID', 'a second-factor code is required');
    tokens = (await api('/v1/auth/login/totp', { method: 'POST', body: { mfaToken: body.mfaToken, code: totp } })).body;
  }
  session.set(tokens, email);
}

/** One signalling connection: `request(method, data)` answers the server's `data` or throws {code, message}. */
export class Signal {
  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.onNotification = () => {};
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => {
        for (const { reject } of this.pending.values())
          reject(new ApiError(0, 'SS_ERR_STREAM_CLOSED', 'connection closed'));
        this.pending.clear();
        resolve({ code: e.code, reason: e.reason });
      }),
    );
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(e.data);
      if (m.notification) return this.onNotification(m.notification, m.data);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.data);
      else p.reject(new ApiError(0, m.error.code, m.error.message));
    });
  }

  static async open() {
    const token = await freshAccessToken();
    if (!token) throw new ApiError(401, 'SS_ERR_STREAM_UNAUTHENTICATED', 'sign in first');
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/v1/stream/ws`;
    const ws = new WebSocket(url, [STREAM_SUBPROTOCOL, `bearer.${token}`]);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener(
        'error',
        () => reject(new ApiError(0, 'SS_ERR_UNAVAILABLE', 'the streaming service is unreachable')),
        {
          once: true,
        },
      );
    });
    return new Signal(ws);
  }

  request(method, data = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, data }));
    });
  }

  close() {
    if (this.ws.readyState <= 1) this.ws.close(1000, 'left');
  }
}

/** Wires a mediasoup-client transport's `connect` (and `produce`) events to signalling requests. */
export function wireTransport(signal, transport) {
  transport.on('connect', ({ dtlsParameters }, ok, fail) =>
    signal.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(ok, fail),
  );
  transport.on('produce', ({ kind, rtpParameters }, ok, fail) =>
    signal
      .request('produce', { transportId: transport.id, kind, rtpParameters })
      .then(({ producerId }) => ok({ id: producerId }), fail),
  );
}

/** The close reason the service gives (`SS_ERR_…: why`) split into code and text. */
export function closeReason({ code, reason }) {
  const m = /^(SS_ERR_[A-Z_]+): ?(.*)$/.exec(reason || '');
  return m ? { code: m[1], message: m[2], wsCode: code } : { code: `WS_${code}`, message: reason || '', wsCode: code };
}

/** The `event` parameter of the page's URL. */
export const eventIdFromUrl = () => new URLSearchParams(window.location.search).get('event') || '';
