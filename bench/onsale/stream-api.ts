/**
 * SeatStream through the HTTP API: holds are `POST /v1/events/{id}/holds` and releases `DELETE /v1/holds/{id}` on the
 * API child (api-server.ts), over keep-alive connections (node:http Agent, `API_CONNECTIONS` sockets), each buyer with
 * an access token signed with the API's key set. Confirmations are not an API route (the payment saga sends
 * ConfirmBooking on the topic when a payment succeeds), so they go on the topic here too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccessTokens } from '../../api/auth/access-tokens.js';
import { requestIdFor } from '../../api/bookings/request-ids.js';
import { loadApiConfig } from '../../api/config.js';
import { generateSigningKey, newKeySet } from '../../api/keys/jwt-keys.js';
import type { EventDefinition } from '../../processors/seat-allocation/model.js';
import { auditDecisions } from './decision-audit.js';
import { publishAndAwait, StreamTopic, type StreamContext } from './stream-topic.js';
import type { OnsaleSystem, OversoldCheck } from './system.js';
import type { Op, Outcome } from './workload.js';

const API_CONNECTIONS = 64;
const entry = fileURLToPath(new URL('./api-server.ts', import.meta.url));

export class StreamApi implements OnsaleSystem {
  readonly name = 'SeatStream, through the HTTP API';
  private readonly expected = new Set<string>();
  private readonly tokens = new Map<string, string>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: API_CONNECTIONS });
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private url = '';

  constructor(
    private readonly ctx: StreamContext,
    /** Where confirmations go (the topic), sharing the bench's listener. */
    private readonly topic: StreamTopic,
    private readonly run: string,
    private readonly workDir: string,
  ) {}

  /** Starts the API child and signs an access token for every buyer. */
  async start(buyers: readonly string[]): Promise<void> {
    const keys = newKeySet(await generateSigningKey());
    const secrets = join(this.workDir, 'api-jwt-keys.json');
    writeFileSync(secrets, JSON.stringify(keys), { mode: 0o600 });
    const config = loadApiConfig({});
    const signer = await AccessTokens.create(keys, { ...config.jwt, ttlSec: 3600 });
    for (const b of buyers)
      this.tokens.set(b, (await signer.sign({ sub: b, role: 'customer', amr: ['pwd'], sep: 0 })).token);
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        BENCH_API_RUN: this.run,
        BENCH_API_APPLICATION_ID: this.ctx.applicationId,
        BENCH_API_SECRETS: secrets,
      },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    this.url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (c: Buffer) => {
        out += c.toString();
        const m = /"msg":"bench api listening","url":"([^"]+)"/.exec(out);
        if (m) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the API child exited (${code}) before listening: ${stderr}`)));
    });
  }

  prepare(events: readonly EventDefinition[]): Promise<void> {
    return publishAndAwait(this.ctx, events);
  }

  async issue(op: Op): Promise<Outcome> {
    if (op.kind === 'confirm') {
      // Its decision time is left out: the split of latency at the decision is the topic path's, not the API's.
      const { decidedAt: _, ...outcome } = await this.topic.issue(op, this.expected);
      return outcome as Outcome;
    }
    const token = this.tokens.get(op.buyerId)!;
    if (op.kind === 'release') {
      this.expected.add(requestIdFor('release', op.buyerId, op.holdId));
      const res = await this.request('DELETE', `/v1/holds/${encodeURIComponent(op.holdId)}`, token, null, {});
      if (res.status === 204) return { status: 'released' };
      return this.refusal(res);
    }
    const key = randomUUID();
    this.expected.add(requestIdFor('hold', op.buyerId, key));
    const body =
      op.kind === 'holdSeats'
        ? { seatIds: op.seatIds }
        : { quantity: op.quantity, ...(op.sectionId ? { sectionId: op.sectionId } : {}) };
    const res = await this.request('POST', `/v1/events/${encodeURIComponent(op.eventId)}/holds`, token, body, {
      'idempotency-key': key,
    });
    if (res.status === 201) {
      const hold = res.body as { holdId: string; seats: { seatId: string }[] };
      return { status: 'held', holdId: hold.holdId, seatIds: hold.seats.map((s) => s.seatId) };
    }
    return this.refusal(res);
  }

  private refusal(res: { status: number; body: unknown }): Outcome {
    const code = (res.body as { code?: string } | null)?.code;
    if (res.status >= 400 && res.status < 500 && code?.startsWith('RSV_')) return { status: 'rejected', code };
    return { status: 'failed', reason: `HTTP ${res.status}${code ? ` ${code}` : ''}` };
  }

  private request(
    method: string,
    path: string,
    token: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown }> {
    const payload = body === null ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.url + path,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  oversold(events: readonly EventDefinition[]): Promise<OversoldCheck> {
    return auditDecisions({
      brokers: this.ctx.brokers,
      admin: this.ctx.admin,
      registry: this.ctx.registry,
      applicationId: this.ctx.applicationId,
      from: this.ctx.from,
      events,
      expected: this.expected,
      timeoutMs: 60_000,
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!stopped) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
