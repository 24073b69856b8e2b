/**
 * The sandbox payment provider: a separate HTTP service that behaves like a card processor for local use and tests.
 * State is in memory (a restart forgets every payment, like a fresh test account).
 *
 *   POST /v1/payments                  {token, amountMinor, currency, reference} → 201 authorised | 402 declined
 *   POST /v1/payments/:id/capture      {amountMinor}                              → 200 captured
 *   POST /v1/payments/:id/void                                                    → 200 voided
 *   POST /v1/payments/:id/refunds      {amountMinor}                              → 201 refund
 *   GET  /v1/payments/:id, GET /v1/payments?reference=…                           → the payment(s), with counters
 *   GET  /_sandbox/requests                                                       → every call received (tests)
 *   GET  /health
 *
 * Every POST needs `Authorization: Bearer <apiKey>` and an `Idempotency-Key`. A key seen before with the same
 * request answers the stored answer again (header `Idempotent-Replayed: true`); with another request, 409. Answers
 * of 5xx are not stored, so a retry gets a fresh try.
 *
 * Test tokens: `tok_success…` authorises; `tok_decline…` is declined (402 card_declined); `tok_timeout…` never
 * answers (the connection is held until `hangMs`, then closed); `tok_5xx…` always fails with 500; `tok_flaky…`
 * fails with 503 on the first try of each idempotency key, then authorises. Other tokens: 400 invalid_token.
 *
 * Webhooks: each change of a payment is POSTed to `webhookUrl` (when set) as JSON, signed with HMAC-SHA256 over
 * `<t>.<body>` (header `SeatStream-Sandbox-Signature: t=…,v1=…`), retried three times with backoff.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SANDBOX_SIGNATURE_HEADER, signPayload } from '../../processors/payments/provider/webhook-signature.js';

export interface SandboxConfig {
  apiKey: string;
  webhookSecret: string;
  /** Where webhooks go; none are sent when unset. */
  webhookUrl?: string;
  /** How long a `tok_timeout` request is held before its socket is closed (default 30 s). */
  hangMs?: number;
  log?: (line: string) => void;
}

export type SandboxStatus = 'authorised' | 'captured' | 'voided' | 'refunded';

export interface SandboxPayment {
  id: string;
  reference: string;
  amountMinor: number;
  currency: string;
  status: SandboxStatus;
  /** Times a capture changed the payment (at most 1 unless the sandbox is broken). */
  captures: number;
  capturedMinor: number;
  refundedMinor: number;
  refunds: { id: string; amountMinor: number }[];
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  body: unknown;
  status: number;
  replayed: boolean;
}

interface Answer {
  status: number;
  body: unknown;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export class PaymentSandbox {
  readonly payments = new Map<string, SandboxPayment>();
  readonly requests: RecordedRequest[] = [];
  private readonly idempotency = new Map<string, { fingerprint: string; answer: Answer }>();
  private readonly flakySeen = new Set<string>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;

  constructor(private readonly config: SandboxConfig) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (a: Answer, headers: Record<string, string> = {}) => {
      res.writeHead(a.status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(a.body));
    };
    try {
      if (req.method === 'GET') return send(this.read(url));
      if (req.method !== 'POST') throw new HttpFailure(405, 'method_not_allowed', 'only GET and POST');
      if (req.headers.authorization !== `Bearer ${this.config.apiKey}`)
        throw new HttpFailure(401, 'unauthorised', 'wrong or missing API key');
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0 || key.length > 255)
        throw new HttpFailure(400, 'idempotency_key_missing', 'every POST needs an Idempotency-Key');
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        throw new HttpFailure(400, 'malformed_json', 'the body is not JSON');
      }
      const fingerprint = createHash('sha256').update(`${req.method} ${url.pathname} ${raw}`).digest('hex');
      const stored = this.idempotency.get(key);
      const record = (status: number, replayed: boolean) =>
        this.requests.push({ method: 'POST', path: url.pathname, idempotencyKey: key, body, status, replayed });
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          record(409, false);
          throw new HttpFailure(409, 'idempotency_mismatch', 'this Idempotency-Key was used with another request');
        }
        record(stored.answer.status, true);
        return send(stored.answer, { 'idempotent-replayed': 'true' });
      }
      const token = typeof body.token === 'string' ? body.token : '';
      if (url.pathname === '/v1/payments' && token.startsWith('tok_timeout')) {
        record(0, false);
        this.hanging.add(res);
        const timer = setTimeout(() => res.destroy(), this.config.hangMs ?? 30_000);
        res.once('close', () => {
          clearTimeout(timer);
          this.hanging.delete(res);
        });
        return;
      }
      let answer: Answer;
      try {
        answer = this.post(url.pathname, body, key);
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        answer = { status: err.status, body: { error: { code: err.errorCode, message: err.message } } };
      }
      record(answer.status, false);
      if (answer.status < 500) this.idempotency.set(key, { fingerprint, answer });
      return send(answer);
    } catch (err) {
      const f = err instanceof HttpFailure ? err : new HttpFailure(500, 'internal', String(err));
      return send({ status: f.status, body: { error: { code: f.errorCode, message: f.message } } });
    }
  }

  private read(url: URL): Answer {
    if (url.pathname === '/health') return { status: 200, body: { ok: true } };
    if (url.pathname === '/_sandbox/requests') return { status: 200, body: this.requests };
    if (url.pathname === '/v1/payments') {
      const ref = url.searchParams.get('reference');
      return { status: 200, body: [...this.payments.values()].filter((p) => ref === null || p.reference === ref) };
    }
    const m = /^\/v1\/payments\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    const p = m ? this.payments.get(m[1]!) : undefined;
    if (!p) throw new HttpFailure(404, 'not_found', 'no such payment');
    return { status: 200, body: p };
  }

  private post(path: string, body: Record<string, unknown>, key: string): Answer {
    if (path === '/v1/payments') return this.authorise(body, key);
    const m = /^\/v1\/payments\/([A-Za-z0-9_]+)\/(capture|void|refunds)$/.exec(path);
    if (!m) throw new HttpFailure(404, 'not_found', 'no such route');
    const p = this.payments.get(m[1]!);
    if (!p) throw new HttpFailure(404, 'not_found', 'no such payment');
    if (m[2] === 'capture') {
      const amount = body.amountMinor ?? p.amountMinor;
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0 || amount > p.amountMinor)
        throw new HttpFailure(
          400,
          'invalid_amount',
          'amountMinor must be a positive integer up to the authorised amount',
        );
      if (p.status !== 'authorised')
        throw new HttpFailure(409, `payment_${p.status}`, `the payment is ${p.status}, it cannot be captured`);
      p.status = 'captured';
      p.captures += 1;
      p.capturedMinor = amount;
      this.webhook('payment.captured', p);
      return { status: 200, body: p };
    }
    if (m[2] === 'void') {
      if (p.status !== 'authorised')
        throw new HttpFailure(409, `payment_${p.status}`, `the payment is ${p.status}, it cannot be voided`);
      p.status = 'voided';
      this.webhook('payment.voided', p);
      return { status: 200, body: p };
    }
    const amount = body.amountMinor;
    if (p.status !== 'captured' && p.status !== 'refunded')
      throw new HttpFailure(409, `payment_${p.status}`, `the payment is ${p.status}, it cannot be refunded`);
    if (
      typeof amount !== 'number' ||
      !Number.isSafeInteger(amount) ||
      amount <= 0 ||
      p.refundedMinor + amount > p.capturedMinor
    )
      throw new HttpFailure(400, 'invalid_amount', 'a refund is a positive amount up to what is left of the capture');
    const refund = { id: newId('re'), amountMinor: amount };
    p.refunds.push(refund);
    p.refundedMinor += amount;
    if (p.refundedMinor === p.capturedMinor) p.status = 'refunded';
    this.webhook('payment.refunded', p);
    return { status: 201, body: { refundId: refund.id, amountMinor: amount, payment: p } };
  }

  private authorise(body: Record<string, unknown>, key: string): Answer {
    const { token, amountMinor, currency, reference } = body;
    if (typeof token !== 'string' || typeof reference !== 'string' || typeof currency !== 'string')
      throw new HttpFailure(400, 'invalid_request', 'token, currency and reference are required strings');
    if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0)
      throw new HttpFailure(400, 'invalid_amount', 'amountMinor must be a positive integer');
    if (!/^[A-Z]{3}$/.test(currency)) throw new HttpFailure(400, 'invalid_currency', 'currency is ISO 4217');
    if (token.startsWith('tok_5xx')) throw new HttpFailure(500, 'processor_error', 'the card network failed');
    if (token.startsWith('tok_flaky') && !this.flakySeen.has(key)) {
      this.flakySeen.add(key);
      throw new HttpFailure(503, 'temporarily_unavailable', 'try again');
    }
    if (token.startsWith('tok_decline')) {
      this.webhook('payment.declined', { id: null, reference, amountMinor, currency, status: 'declined' });
      throw new HttpFailure(402, 'card_declined', 'the card was declined');
    }
    if (!token.startsWith('tok_success') && !token.startsWith('tok_flaky'))
      throw new HttpFailure(400, 'invalid_token', 'unknown payment token');
    const p: SandboxPayment = {
      id: newId('pay'),
      reference,
      amountMinor,
      currency,
      status: 'authorised',
      captures: 0,
      capturedMinor: 0,
      refundedMinor: 0,
      refunds: [],
      createdAt: new Date().toISOString(),
    };
    this.payments.set(p.id, p);
    this.webhook('payment.authorised', p);
    return { status: 201, body: p };
  }

  private webhook(
    type: string,
    p: { id: string | null; reference: string; amountMinor: number; currency: string; status: string },
  ): void {
    const url = this.config.webhookUrl;
    if (!url) return;
    const body = JSON.stringify({
      id: newId('evt'),
      type,
      createdAt: new Date().toISOString(),
      data: {
        paymentId: p.id,
        reference: p.reference,
        amountMinor: p.amountMinor,
        currency: p.currency,
        status: p.status,
      },
    });
    const deliver = async (attempt: number): Promise<void> => {
      try {
        const signature = signPayload(this.config.webhookSecret, body, Math.floor(Date.now() / 1000));
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signature },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        if (res.status >= 300) throw new Error(`webhook answered ${res.status}`);
      } catch (err) {
        if (attempt >= 3) return this.config.log?.(`webhook ${type} dropped: ${String(err)}`);
        setTimeout(() => void deliver(attempt + 1), 200 * 2 ** attempt).unref();
      }
    };
    void deliver(0);
  }
}
