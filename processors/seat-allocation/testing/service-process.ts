/**
 * The seat-allocation service (../main.ts) as a child process, for tests that kill processes. It
 * follows the service's JSON log lines (pino, on stdout) and talks to its HTTP server. Every
 * process started here is killed by `stopAllServices()`. With SEAT_IT_LOG_DIR set, each process's
 * output is also written to `<dir>/<name>-<pid>.log` (to study a failure).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../main.ts', import.meta.url));
const started = new Set<ServiceProcess>();

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  /**
   * @param env SEAT_ALLOCATION_* settings (serviceConfig.ts), added to this process's environment
   * @param entryFile another service's main.ts that logs pino JSON on stdout (the API, a sink), for tests that run
   *   it beside the allocator; `url()`/`get()` know only the allocator's "http listening" line
   */
  constructor(
    readonly name: string,
    env: Record<string, string>,
    entryFile: string = entry,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entryFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    started.add(this);
    const logDir = process.env.SEAT_IT_LOG_DIR;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      const file = join(logDir, `${name}-${this.child.pid}.log`);
      const copy = (chunk: Buffer) => appendFileSync(file, chunk);
      this.child.stdout!.on('data', copy);
      this.child.stderr!.on('data', copy);
    }
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        if (!text.startsWith('{')) continue;
        try {
          this.lines.push(JSON.parse(text) as LogLine);
        } catch {
          continue;
        }
        this.notify();
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        started.delete(this);
        this.notify();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line (seen or to come) matching `match`. */
  waitForLine(match: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (!this.running) {
          done();
          reject(new Error(`${this.name} exited before ${what}; stderr: ${this.stderr}; last lines: ${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from ${this.name}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The HTTP base URL, once the server listens. */
  async url(timeoutMs = 60_000): Promise<string> {
    const line = await this.waitForLine((l) => l.msg === 'http listening', timeoutMs, 'its HTTP server');
    return line.url as string;
  }

  /** GET a path of its HTTP server: status and parsed JSON (or text). */
  async get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch((await this.url()) + path);
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: res.status, body: json ? (JSON.parse(text) as unknown) : text };
  }

  /** The partitions its runtime runs tasks for (from /health); empty while it is not running. */
  async partitions(): Promise<number[]> {
    if (!this.running) return [];
    try {
      const { body } = await this.get('/health');
      return (body as { partitions?: number[] }).partitions ?? [];
    } catch {
      return [];
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** The last log lines, for failure messages. */
  tail(n = 5): string {
    return this.lines
      .slice(-n)
      .map((l) => l.msg)
      .join(' | ');
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Kills (SIGKILL) every service process still running and waits for them. */
export const stopAllServices = async (): Promise<void> => {
  for (const p of [...started]) {
    p.kill('SIGKILL');
    await p.exited;
  }
};
