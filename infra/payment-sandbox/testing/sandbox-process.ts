/**
 * Starts the sandbox payment provider (../main.ts) as a separate process for tests, on 127.0.0.1 and a free port,
 * and stops it. Every process started here is killed by `stopAllSandboxes()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../main.ts', import.meta.url));
const running = new Set<SandboxProcess>();

export interface SandboxProcessOptions {
  webhookUrl?: string;
  hangMs?: number;
}

export class SandboxProcess {
  readonly apiKey = `sk_sandbox_${randomBytes(8).toString('hex')}`;
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  readonly baseUrl: Promise<string>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(options: SandboxProcessOptions = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        PAYMENT_SANDBOX_API_KEY: this.apiKey,
        PAYMENT_SANDBOX_WEBHOOK_SECRET: this.webhookSecret,
        PAYMENT_SANDBOX_WEBHOOK_URL: options.webhookUrl ?? '',
        PAYMENT_SANDBOX_HANG_MS: String(options.hangMs ?? 10_000),
      },
    });
    running.add(this);
    this.exited = new Promise((resolve) => this.child.once('exit', () => (running.delete(this), resolve())));
    this.baseUrl = new Promise((resolve, reject) => {
      let out = '';
      this.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{"event":"listening"'));
        if (line) resolve(`http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`);
      });
      this.child.once('exit', (code) => reject(new Error(`payment sandbox exited (${code}) before listening`)));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the sandbox holds about the payments of a reference (hold id). */
  async paymentsOf(reference: string): Promise<SandboxPaymentView[]> {
    const res = await fetch(`${await this.baseUrl}/v1/payments?reference=${encodeURIComponent(reference)}`);
    return (await res.json()) as SandboxPaymentView[];
  }

  async allPayments(): Promise<SandboxPaymentView[]> {
    const res = await fetch(`${await this.baseUrl}/v1/payments`);
    return (await res.json()) as SandboxPaymentView[];
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

export interface SandboxPaymentView {
  id: string;
  reference: string;
  amountMinor: number;
  currency: string;
  status: 'authorised' | 'captured' | 'voided' | 'refunded';
  captures: number;
  capturedMinor: number;
  refundedMinor: number;
}

export const stopAllSandboxes = async (): Promise<void> => {
  for (const s of [...running]) await s.stop();
};
