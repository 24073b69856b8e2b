/**
 * The payment saga service (../main.ts) as a child process, for tests that kill it. It follows the `{"event":…}`
 * lines the service prints (started, assigned, taskOpened, paused). Every process started here is killed by
 * `stopAllPayments()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../main.ts', import.meta.url));
const started = new Set<PaymentsProcess>();

export interface PaymentsEvent {
  event: string;
  [key: string]: unknown;
}

export class PaymentsProcess {
  readonly events: PaymentsEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    });
    started.add(this);
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{"event"')) continue;
        this.events.push(JSON.parse(line) as PaymentsEvent);
        for (const w of [...this.waiters]) w();
      }
    });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString('utf8')).slice(-4000)));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        started.delete(this);
        for (const w of [...this.waiters]) w();
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  waitFor(match: (e: PaymentsEvent) => boolean, timeoutMs: number, what: string): Promise<PaymentsEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        const found = this.events.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (!this.running) {
          done();
          reject(new Error(`payments process exited before ${what}; stderr: ${this.stderr}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }
}

export const stopAllPayments = async (): Promise<void> => {
  for (const p of [...started]) {
    p.kill('SIGKILL');
    await p.exited;
  }
};
