/**
 * Operating-system processes of the stack: listing them from /proc, starting servers detached with their output in a
 * log file, running a tool to completion, stopping by pid (signal, wait, then SIGKILL), and the OS user a server runs
 * as when the stack is started by root.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { listeningSockets, type Listener } from './proc-net.js';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** /proc/<pid>/comm: the executable's name, at most 15 characters. */
  comm: string;
  /** /proc/<pid>/cmdline joined by spaces (a process may rewrite it: redis does). */
  cmdline: string;
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** State letter and parent pid from /proc/<pid>/stat (the command name in parentheses may hold spaces). */
function stat(pid: number): { state: string; ppid: number } | undefined {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return undefined;
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

/** Alive = exists and is not a zombie (an exited child not yet reaped still answers kill(pid, 0)). */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const s = stat(pid);
    if (!s || s.state === 'Z' || s.state === 'X') continue;
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
    out.push({ pid, ppid: s.ppid, comm: (read(`/proc/${pid}/comm`) ?? '').trim(), cmdline });
  }
  return out;
}

/** A process' environment (readable for our own processes, or by root). */
export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of (read(`/proc/${pid}/environ`) ?? '').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** What the machine looks like now: processes and listening sockets, taken once per decision. */
export interface Snapshot {
  processes: ProcessInfo[];
  listeners: Listener[];
}

export const snapshot = (): Snapshot => ({ processes: listProcesses(), listeners: listeningSockets() });

export const isListening = (s: Snapshot, port: number) => s.listeners.some((l) => l.port === port);

/** Which process holds a listening port, for error messages ("port 15432 is used by postgres, pid 123"). */
export function portHolder(s: Snapshot, port: number): ProcessInfo | undefined {
  const inodes = new Set(s.listeners.filter((l) => l.port === port).map((l) => `socket:[${l.inode}]`));
  if (inodes.size === 0) return undefined;
  for (const p of s.processes) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${p.pid}/fd/${fd}`))) return p;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return undefined;
}

export interface SpawnOptions {
  cmd: string;
  args: string[];
  /** Standard output and error are appended here. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/**
 * Starts a server in its own session (so a Ctrl-C in the terminal that started the stack does not reach it), with
 * its output appended to the log file; resolves with its pid once it has been spawned.
 */
export function spawnDetached(o: SpawnOptions): Promise<number> {
  const fd = openSync(o.logFile, 'a');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(o.cmd, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid } : {}),
    });
    child.once('error', (err) => reject(new Error(`cannot start ${o.cmd}: ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid as number);
    });
  }).finally(() => closeSync(fd));
}

/** Runs a tool (initdb, pg_ctl, Kafka's StorageTool) to completion with its output appended to a log; resolves with its exit code. */
export function runLogged(o: SpawnOptions & { timeoutMs?: number }): Promise<number> {
  const fd = openSync(o.logFile, 'a');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(o.cmd, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', fd, fd],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid } : {}),
    });
    const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${o.cmd}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  }).finally(() => closeSync(fd));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
};

/**
 * Stops processes by pid: `sig` (SIGTERM unless the server wants another: PostgreSQL's fast shutdown is SIGINT), waits
 * up to `graceMs`, then SIGKILL. Resolves with 'stopped', 'killed', or 'not running'.
 */
export async function stopProcesses(
  pids: number[],
  { sig = 'SIGTERM', graceMs = 30_000 }: { sig?: NodeJS.Signals; graceMs?: number } = {},
): Promise<'stopped' | 'killed' | 'not running'> {
  const alive = pids.filter(isAlive);
  if (alive.length === 0) return 'not running';
  for (const pid of alive) signal(pid, sig);
  if (await waitForExit(alive, graceMs)) return 'stopped';
  for (const pid of alive) signal(pid, 'SIGKILL');
  await waitForExit(alive, 10_000);
  return 'killed';
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function osUser(name: string): OsUser | undefined {
  for (const line of (read('/etc/passwd') ?? '').split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  }
  return undefined;
}

export const runningAsRoot = () => process.getuid?.() === 0;

/** Finds an executable on PATH or in the given extra directories (Debian puts servers in /usr/sbin). */
export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extraDirs]) {
    if (!dir) continue;
    const p = `${dir}/${name}`;
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
