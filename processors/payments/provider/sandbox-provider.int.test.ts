/**
 * The sandbox provider service (infra/payment-sandbox) as a real separate process, through SandboxProvider and the
 * circuit breaker: test tokens, idempotency keys, capture once, signed webhooks, the circuit opening and closing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SandboxProcess, stopAllSandboxes } from '../../../infra/payment-sandbox/testing/sandbox-process.js';
import { BreakingProvider } from './breaker.js';
import { ProviderError, idempotencyKeyFor, type ProviderWebhookEvent } from './provider.js';
import { SandboxProvider } from './sandbox-provider.js';
import { SANDBOX_SIGNATURE_HEADER } from './webhook-signature.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rejectsWith = async (p: Promise<unknown>, code: string) => {
  await assert.rejects(p, (err: unknown) => err instanceof ProviderError && err.code === code);
};

describe('sandbox payment provider (separate process)', () => {
  let sandbox: SandboxProcess;
  let provider: SandboxProvider;
  let hooks: Server;
  const received: { event: ProviderWebhookEvent | null; problem: string | null }[] = [];

  before(async () => {
    hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          received.push({ event: provider.verifyWebhook(Buffer.concat(chunks), req.headers), problem: null });
        } catch (err) {
          received.push({ event: null, problem: (err as Error).message });
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const port = (hooks.address() as { port: number }).port;
    sandbox = new SandboxProcess({ webhookUrl: `http://127.0.0.1:${port}/hooks`, hangMs: 5_000 });
    provider = new SandboxProvider({
      baseUrl: await sandbox.baseUrl,
      apiKey: sandbox.apiKey,
      webhookSecret: sandbox.webhookSecret,
      timeoutMs: 500,
    });
  });
  after(async () => {
    await stopAllSandboxes();
    hooks.closeAllConnections();
    await new Promise((r) => hooks.close(r));
  });

  it('authorises, captures once however often the capture is retried, refunds, and signs its webhooks', async () => {
    const holdId = `H-${randomUUID()}`;
    const auth = await provider.authorise({
      idempotencyKey: idempotencyKeyFor(holdId, 'authorise'),
      token: 'tok_success',
      amountMinor: 12_000,
      currency: 'MAD',
      reference: holdId,
    });
    const again = await provider.authorise({
      idempotencyKey: idempotencyKeyFor(holdId, 'authorise'),
      token: 'tok_success',
      amountMinor: 12_000,
      currency: 'MAD',
      reference: holdId,
    });
    assert.equal(again.paymentId, auth.paymentId, 'the same key answers the same authorisation');
    const capture = {
      idempotencyKey: idempotencyKeyFor(holdId, 'capture'),
      paymentId: auth.paymentId,
      amountMinor: 12_000,
    };
    await provider.capture(capture);
    await provider.capture(capture);
    await provider.capture(capture);
    const [payment] = await sandbox.paymentsOf(holdId);
    assert.equal(payment?.status, 'captured');
    assert.equal(payment?.captures, 1, 'captured exactly once');
    assert.equal((await sandbox.paymentsOf(holdId)).length, 1, 'one payment for two authorise calls');
    // Another key cannot capture it a second time either.
    await rejectsWith(
      provider.capture({ ...capture, idempotencyKey: `${capture.idempotencyKey}-other` }),
      'PAY_PROVIDER_REJECTED',
    );
    const refund = await provider.refund({
      idempotencyKey: idempotencyKeyFor(holdId, 'refund'),
      paymentId: auth.paymentId,
      amountMinor: 12_000,
    });
    assert.equal(refund.amountMinor, 12_000);
    assert.equal((await sandbox.paymentsOf(holdId))[0]?.status, 'refunded');

    const deadline = Date.now() + 10_000;
    const mine = () => received.filter((r) => r.event?.reference === holdId).map((r) => r.event!.type);
    while (mine().length < 3 && Date.now() < deadline) await sleep(50);
    assert.deepEqual(mine(), ['authorised', 'captured', 'refunded']);
    assert.deepEqual(
      received.filter((r) => r.problem),
      [],
      'every webhook verifies',
    );
  });

  it('refuses a key reused for another request, and a webhook with a forged or missing signature', async () => {
    const holdId = `H-${randomUUID()}`;
    const key = idempotencyKeyFor(holdId, 'authorise');
    await provider.authorise({
      idempotencyKey: key,
      token: 'tok_success',
      amountMinor: 100,
      currency: 'EUR',
      reference: holdId,
    });
    await rejectsWith(
      provider.authorise({
        idempotencyKey: key,
        token: 'tok_success',
        amountMinor: 200,
        currency: 'EUR',
        reference: holdId,
      }),
      'PAY_PROVIDER_REJECTED',
    );
    const body = Buffer.from(
      JSON.stringify({ id: 'evt_1', type: 'payment.captured', data: { paymentId: 'pay_x', reference: holdId } }),
    );
    assert.throws(
      () => provider.verifyWebhook(body, {}),
      (e: unknown) => (e as ProviderError).code === 'PAY_WEBHOOK_SIGNATURE',
    );
    const forged = `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`;
    assert.throws(
      () => provider.verifyWebhook(body, { [SANDBOX_SIGNATURE_HEADER]: forged }),
      (e: unknown) => (e as ProviderError).code === 'PAY_WEBHOOK_SIGNATURE',
    );
  });

  it('declines tok_decline, times out on tok_timeout, fails tok_5xx with a retriable error, and tok_flaky once', async () => {
    const call = (token: string, holdId = `H-${randomUUID()}`) =>
      provider.authorise({
        idempotencyKey: idempotencyKeyFor(holdId, 'authorise'),
        token,
        amountMinor: 500,
        currency: 'EUR',
        reference: holdId,
      });
    await rejectsWith(call('tok_decline'), 'PAY_DECLINED');
    await rejectsWith(call('tok_timeout'), 'PAY_PROVIDER_TIMEOUT');
    await rejectsWith(call('tok_5xx'), 'PAY_PROVIDER_UNAVAILABLE');
    await rejectsWith(call('4242424242424242'), 'PAY_PROVIDER_REJECTED');
    const flakyHold = `H-${randomUUID()}`;
    await rejectsWith(call('tok_flaky', flakyHold), 'PAY_PROVIDER_UNAVAILABLE');
    const auth = await call('tok_flaky', flakyHold);
    assert.match(auth.paymentId, /^pay_/);
  });

  it('opens the circuit after repeated failures (fail fast), is not opened by declines, and closes again', async () => {
    const options = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 800 };
    const declining = new BreakingProvider(provider, options);
    for (let i = 0; i < 4; i++) {
      const holdId = `H-${randomUUID()}`;
      const r = {
        idempotencyKey: idempotencyKeyFor(holdId, 'authorise'),
        token: 'tok_decline',
        amountMinor: 500,
        currency: 'EUR',
        reference: holdId,
      };
      await rejectsWith(declining.authorise(r), 'PAY_DECLINED');
    }
    assert.equal(declining.state, 'closed', 'declines are answers, not failures');
    declining.shutdown();
    const breaking = new BreakingProvider(provider, options);
    const call = (token: string) => {
      const holdId = `H-${randomUUID()}`;
      return breaking.authorise({
        idempotencyKey: idempotencyKeyFor(holdId, 'authorise'),
        token,
        amountMinor: 500,
        currency: 'EUR',
        reference: holdId,
      });
    };
    for (let i = 0; i < 3; i++) await rejectsWith(call('tok_5xx'), 'PAY_PROVIDER_UNAVAILABLE');
    assert.equal(breaking.state, 'open');
    const before = (await sandbox.allPayments()).length;
    await rejectsWith(call('tok_success'), 'PAY_CIRCUIT_OPEN');
    assert.equal((await sandbox.allPayments()).length, before, 'an open circuit sends nothing to the provider');
    await sleep(900);
    assert.equal(breaking.state, 'half-open');
    await call('tok_success');
    assert.equal(breaking.state, 'closed', 'a good trial call closes it');
    breaking.shutdown();
  });
});
