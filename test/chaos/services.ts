/**
 * The platform's services as child processes of the chaos run, like a container orchestrator runs them: each one
 * `node --import tsx <entry>` with this process's environment plus its own, output appended to `<logDir>/<name>.log`, killed or stopped by
 * pid, and started again when it exits on its own (a restart policy; every such exit is counted, and a service that
 * keeps exiting is a crash loop the run reports).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../infra/config.js';

export interface ServiceSpec {
  /** Unique name in the run: `seat-allocation-1`, `api-2`. */
  name: string;
  entry: string;
  env: Record<string, string>;
  /** Answers 2xx when the service is ready; no URL: running is enough. */
  readyUrl?: string;
}

export interface ServiceRecord {
  name: string;
  /** Exits nobody asked for (a crash), each followed by a restart. */
  unplannedExits: { at: number; code: number | null; signal: string | null }[];
  starts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET `url` with a deadline: the status and body text, or undefined when nothing answered (in time). */
export async function probe(url: string, timeoutMs = 3_000): Promise<{ status: number; text: string } | undefined> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve(undefined);
    }, timeoutMs);
  });
  const request = (async () => {
    try {
      const res = await fetch(url, { signal: ac.signal });
      return { status: res.status, text: await res.text() };
    } catch {
      return undefined;
    }
  })();
  try {
    return await Promise.race([request, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

class Service {
  child: ChildProcess | undefined;
  exited: Promise<void> = Promise.resolve();
  /** Set while the run means the process to be down (killed on purpose, or stopping). */
  intendedDown = false;
  readonly record: ServiceRecord;

  constructor(
    readonly spec: ServiceSpec,
    private readonly logDir: string,
    private readonly say: (line: string) => void,
  ) {
    this.record = { name: spec.name, unplannedExits: [], starts: 0 };
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const out = createWriteStream(join(this.logDir, `${this.spec.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', this.spec.entry], {
      cwd: repoRoot,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    this.child = child;
    this.intendedDown = false;
    this.record.starts++;
    // 'close', not 'exit': the last output (a crash's stack trace on stderr) is read by then.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        out.end();
        resolve();
        if (this.intendedDown) return;
        this.record.unplannedExits.push({ at: Date.now(), code, signal });
        this.say(`${this.spec.name} exited on its own (${signal ?? code}); restarting it`);
        if (this.record.unplannedExits.length <= 5) setTimeout(() => !this.intendedDown && this.start(), 1_000);
        else this.say(`${this.spec.name}: crash loop (${this.record.unplannedExits.length} exits), left down`);
      }),
    );
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.intendedDown = true;
    if (this.running) this.child!.kill(signal);
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.intendedDown = true;
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) await this.kill('SIGKILL');
  }

  async ready(): Promise<boolean> {
    if (!this.running) return false;
    if (!this.spec.readyUrl) return true;
    const res = await probe(this.spec.readyUrl);
    return res !== undefined && res.status >= 200 && res.status < 300;
  }
}

export class ServiceSet {
  private readonly services = new Map<string, Service>();

  constructor(
    readonly logDir: string,
    private readonly say: (line: string) => void,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  private get(name: string): Service {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  start(spec: ServiceSpec): void {
    const s = new Service(spec, this.logDir, this.say);
    this.services.set(spec.name, s);
    s.start();
  }

  /** Starts a killed or stopped service again. */
  restart(name: string): void {
    const s = this.get(name);
    if (!s.running) s.start();
  }

  kill(name: string, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    return this.get(name).kill(signal);
  }

  ready(name: string): Promise<boolean> {
    return this.get(name).ready();
  }

  /** Names of the services not ready now (empty: all ready). */
  async notReady(): Promise<string[]> {
    const out: string[] = [];
    for (const [name, s] of this.services) if (!(await s.ready())) out.push(name);
    return out;
  }

  pid(name: string): number | undefined {
    return this.get(name).child?.pid;
  }

  records(): ServiceRecord[] {
    return [...this.services.values()].map((s) => s.record);
  }

  /** Stops every service, last started first, by pid. */
  async stopAll(): Promise<void> {
    for (const s of [...this.services.values()].reverse()) await s.stop();
  }

  /** Synchronous last resort (process exit): SIGKILL whatever still runs. */
  killAllNow(): void {
    for (const s of this.services.values()) {
      s.intendedDown = true;
      if (s.running) s.child!.kill('SIGKILL');
    }
  }
}
