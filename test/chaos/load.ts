/**
 * Virtual buyers of the on-sale: each registers and logs in once, then loops until told to stop — holds given seats
 * from a small contended block (buyers collide on purpose) or the best available ones, then pays for the hold
 * through checkout, releases it, or abandons it to expire. Requests go to the API replicas in turn; a request is
 * retried, with the same Idempotency-Key, only on what a real client retries (no connection, 503, 504, a 202 still
 * pending) and moves to the other replica when one does not answer. Every answer is counted by its code, and every
 * request id the API accepted is kept for the reconciliation.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { requestIdFor } from '../../api/bookings/request-ids.js';
import { isRetryable, type OutcomeCounts } from './invariants.js';

export interface LoadEvent {
  eventId: string;
  /** Seat ids of the contended block, in seat-map order (neighbours are adjacent). */
  hotSeats: string[];
}

export interface AcceptedRequest {
  requestId: string;
  operation: 'hold' | 'release';
  eventId: string;
  buyerId: string;
  /** What the buyer was finally told: 201, 204, or a refusal code. */
  answer: string;
}

export interface LoadResult {
  accepted: AcceptedRequest[];
  /** Every answer a buyer saw, by code (`201`, `RSV_SOLD_OUT`, `SS_ERR_UNAVAILABLE`, `NETWORK`…). */
  outcomes: OutcomeCounts;
  /** Requests given up after retrying for `giveUpMs` (each a request the platform never answered). */
  gaveUp: { what: string; lastCode: string }[];
  /** Bookings buyers were told about (checkout 200). */
  confirmedBookings: string[];
  operations: number;
}

interface Answer {
  status: number;
  code: string;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const decodeSub = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

export class LoadGenerator {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private next = 0;
  private readonly result: LoadResult = {
    accepted: [],
    outcomes: new Map(),
    gaveUp: [],
    confirmedBookings: [],
    operations: 0,
  };
  /** When the last request was answered with a decision (a sign the platform serves buyers). */
  lastDecisionAt = 0;

  /** Requests answered with a decision so far. */
  get decided(): number {
    return this.result.accepted.length;
  }

  constructor(
    private readonly o: {
      apis: string[];
      events: LoadEvent[];
      buyers: number;
      /** Longest retrying of one request before giving up. */
      giveUpMs: number;
      say: (line: string) => void;
    },
  ) {}

  private count(code: string): void {
    this.result.outcomes.set(code, (this.result.outcomes.get(code) ?? 0) + 1);
  }

  /** One HTTP call to the next replica; network failures are answers with code NETWORK. */
  private async call(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    key?: string,
  ): Promise<Answer> {
    const base = this.o.apis[this.next++ % this.o.apis.length]!;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (key) headers['idempotency-key'] = key;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => {
        ac.abort();
        resolve({ status: 0, code: 'NETWORK', body: {} });
      }, 30_000);
    });
    const request = (async (): Promise<Answer> => {
      try {
        const res = await fetch(`${base}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: ac.signal,
        });
        const text = await res.text();
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = { raw: text.slice(0, 200) };
        }
        const code =
          res.status >= 400
            ? typeof parsed.code === 'string'
              ? parsed.code
              : `HTTP_${res.status}`
            : String(res.status);
        return { status: res.status, code, body: parsed };
      } catch {
        return { status: 0, code: 'NETWORK', body: {} };
      }
    })();
    try {
      return await Promise.race([request, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Calls until the answer is final (not retryable), counting every answer; undefined when it gave up.
   */
  private async retrying(what: string, attempt: () => Promise<Answer>): Promise<Answer | undefined> {
    const deadline = Date.now() + this.o.giveUpMs;
    let wait = 100;
    for (;;) {
      const a = await attempt();
      this.count(a.code);
      if (!isRetryable(a)) return a;
      if (Date.now() > deadline) {
        this.result.gaveUp.push({ what, lastCode: a.code });
        return undefined;
      }
      await sleep(wait);
      wait = Math.min(2_000, wait * 2);
    }
  }

  private async signUp(i: number): Promise<{ token: string; buyerId: string }> {
    const account = {
      email: `chaos-${randomUUID()}@example.com`,
      password: `chaos-${randomUUID()}`,
      name: `Chaos Buyer ${i}`,
      locale: 'en',
    };
    const reg = await this.retrying('register', () => this.call('POST', '/v1/auth/register', null, account));
    if (reg?.status !== 201) throw new Error(`registering a buyer: ${reg?.status} ${reg?.code}`);
    const login = await this.retrying('login', () =>
      this.call('POST', '/v1/auth/login', null, { email: account.email, password: account.password }),
    );
    if (login?.status !== 200) throw new Error(`logging a buyer in: ${login?.status} ${login?.code}`);
    const token = login.body.accessToken as string;
    return { token, buyerId: decodeSub(token) };
  }

  private async buyer(i: number, token: string, buyerId: string): Promise<void> {
    const abandoned: { holdId: string; eventId: string }[] = [];
    while (!this.stopping) {
      this.result.operations++;
      const ev = this.o.events[randomInt(this.o.events.length)]!;
      let body: Record<string, unknown>;
      if (Math.random() < 0.5) {
        const n = 1 + randomInt(3);
        const first = randomInt(ev.hotSeats.length - n);
        body = { seatIds: ev.hotSeats.slice(first, first + n) };
      } else body = { quantity: 1 + randomInt(4) };
      const key = `chaos-${randomUUID()}`;
      const requestId = requestIdFor('hold', buyerId, key);
      const held = await this.retrying(`hold ${requestId}`, () =>
        this.call('POST', `/v1/events/${encodeURIComponent(ev.eventId)}/holds`, token, body, key),
      );
      if (!held) continue;
      this.accept(requestId, 'hold', ev.eventId, buyerId, held.code);
      if (held.status !== 201) continue;
      const holdId = held.body.holdId as string;
      const r = Math.random();
      if (r < 0.6) await this.checkout(token, holdId);
      else if (r < 0.9) await this.release(token, buyerId, ev.eventId, holdId);
      else abandoned.push({ holdId, eventId: ev.eventId });
      await sleep(50 + randomInt(150));
    }
    // A buyer leaving releases what it abandoned (what already expired answers with a refusal).
    for (const a of abandoned) await this.release(token, buyerId, a.eventId, a.holdId);
    void i;
  }

  private accept(requestId: string, operation: 'hold' | 'release', eventId: string, buyerId: string, answer: string) {
    this.lastDecisionAt = Date.now();
    this.result.accepted.push({ requestId, operation, eventId, buyerId, answer });
  }

  private async release(token: string, buyerId: string, eventId: string, holdId: string): Promise<void> {
    const requestId = requestIdFor('release', buyerId, holdId);
    const a = await this.retrying(`release ${requestId}`, () =>
      this.call('DELETE', `/v1/holds/${encodeURIComponent(holdId)}`, token),
    );
    if (a) this.accept(requestId, 'release', eventId, buyerId, a.code);
  }

  private async checkout(token: string, holdId: string): Promise<void> {
    const a = await this.retrying(`checkout ${holdId}`, () =>
      this.call('POST', `/v1/holds/${encodeURIComponent(holdId)}/checkout`, token, { paymentToken: 'tok_success' }),
    );
    if (a?.status === 200 && typeof a.body.bookingId === 'string') this.result.confirmedBookings.push(a.body.bookingId);
  }

  /** Registers the buyers (one after another: argon2 is the CPU's), then starts their loops. */
  async start(): Promise<void> {
    const accounts = [];
    for (let i = 0; i < this.o.buyers; i++) accounts.push(await this.signUp(i));
    this.loops = accounts.map((a, i) => this.buyer(i, a.token, a.buyerId));
  }

  /** Lets every buyer finish what it is doing, release what it abandoned, and stop. */
  async stop(): Promise<LoadResult> {
    this.stopping = true;
    await Promise.all(this.loops);
    return this.result;
  }
}
