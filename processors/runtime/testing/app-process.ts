/**
 * Runs the counting app (./counting-app.ts) as a child process and follows the JSON events it
 * prints, for tests that kill processes. Every process started here is killed by stopAll().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./counting-app.ts', import.meta.url));
const started = new Set<AppProcess>();

export interface AppEvent {
  event: string;
  pid: number;
  [key: string]: unknown;
}

export class AppProcess {
  readonly events: AppEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  constructor(config: object) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    started.add(this);
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{"event"')) continue;
        this.events.push(JSON.parse(line) as AppEvent);
        for (const w of [...this.waiters]) w();
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        started.delete(this);
        for (const w of [...this.waiters]) w();
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

  /** Resolves with the first event (already seen or to come) matching `match`. */
  waitFor(match: (e: AppEvent) => boolean, timeoutMs: number, what: string): Promise<AppEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (!this.running) {
          done();
          reject(new Error(`app ${this.pid} exited before ${what}; stderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from app ${this.pid}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The partitions this app runs tasks for, from its events. */
  runningTasks(): Set<number> {
    const running = new Set<number>();
    for (const e of this.events) {
      if (e.event === 'taskOpened') running.add(e.partition as number);
      if (e.event === 'taskClosed') running.delete(e.partition as number);
    }
    return running;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }
}

/** Kills (SIGKILL) every app process still running. */
export const stopAll = async (): Promise<void> => {
  for (const app of [...started]) {
    app.kill('SIGKILL');
    await app.exited;
  }
};
