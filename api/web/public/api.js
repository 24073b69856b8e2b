/* global atob, window -- a browser module */
// The API as the page uses it: tokens kept in sessionStorage, refreshed once on 401, errors as {status, code}.
const store = window.sessionStorage;

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export const session = {
  get access() {
    return store.getItem('ss.access');
  },
  get refresh() {
    return store.getItem('ss.refresh');
  },
  get email() {
    return store.getItem('ss.email');
  },
  set(tokens, email) {
    store.setItem('ss.access', tokens.accessToken);
    store.setItem('ss.refresh', tokens.refreshToken);
    if (email) store.setItem('ss.email', email);
  },
  clear() {
    for (const k of ['ss.access', 'ss.refresh', 'ss.email']) store.removeItem(k);
  },
};

let refreshing = null;
async function refreshTokens() {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refresh }),
      });
      if (!res.ok) return false;
      session.set(await res.json());
      return true;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

export async function api(path, { method = 'GET', body, auth = false, headers = {} } = {}) {
  const send = () => {
    const h = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (auth && session.access) h.authorization = `Bearer ${session.access}`;
    return fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let res;
  try {
    res = await send();
    if (res.status === 401 && auth && session.refresh && (await refreshTokens())) res = await send();
  } catch {
    throw new ApiError(0, 'network');
  }
  if (res.status === 204) return { status: 204, body: null };
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json?.code ?? `HTTP_${res.status}`, json?.message, json);
  return { status: res.status, body: json };
}

/** A fresh access token for the WebSocket (refreshed when it expires within a minute). */
export async function freshAccessToken() {
  const token = session.access;
  if (!token) return null;
  try {
    const { exp } = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    if (exp * 1000 - Date.now() < 60_000) await refreshTokens();
  } catch {
    /* not a JWT we can read: use it as it is */
  }
  return session.access;
}
