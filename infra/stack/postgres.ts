/**
 * PostgreSQL from Debian's binaries (/usr/lib/postgresql/<version>/bin): `initdb` into the stack directory on first
 * start (superuser `seatstream`, trust authentication, which the server only offers on 127.0.0.1), database
 * `seatstream`, started and waited for with `pg_ctl`. PostgreSQL refuses to run as root, so a root stack runs it as
 * the `postgres` user that Debian's package creates, and gives that user the data directory.
 *
 * Ready when `pg_isready` answers and a real connection runs `select 1` in the `seatstream` database.
 */
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  appendFileSync,
  chmodSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { assertPortsFree, serverStatus, writePidFile, type Component, type ComponentStatus } from './component.js';
import type { StackLayout } from './layout.js';
import { postgresDatabase, postgresIncludeFile, postgresRole, postgresSettings } from './postgres-config.js';
import {
  isAlive,
  osUser,
  runLogged,
  runningAsRoot,
  snapshot,
  stopProcesses,
  type OsUser,
  type ProcessInfo,
  type Snapshot,
} from './processes.js';
import { ComponentNotReady, seconds, waitUntilReady } from './readiness.js';

const pgRoot = '/usr/lib/postgresql';
const preferredVersion = '15';

/** The binaries: of the data directory's version when it exists, else 15, else the newest installed. */
function binDir(dataDir: string): string {
  const installed = existsSync(pgRoot)
    ? readdirSync(pgRoot).filter((v) => existsSync(join(pgRoot, v, 'bin', 'postgres')))
    : [];
  const versionFile = join(dataDir, 'PG_VERSION');
  const wanted = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : undefined;
  const pick =
    wanted ??
    (installed.includes(preferredVersion) ? preferredVersion : installed.sort((a, b) => Number(b) - Number(a))[0]);
  if (!pick || !installed.includes(pick))
    throw new Error(
      `postgres: PostgreSQL ${pick ?? preferredVersion} binaries not found in ${pgRoot} (npm run bootstrap installs them)`,
    );
  return join(pgRoot, pick, 'bin');
}

function runAs(): OsUser | undefined {
  if (!runningAsRoot()) return undefined;
  const user = osUser('postgres');
  if (!user)
    throw new Error('postgres: running as root needs the `postgres` OS user (created by the postgresql package)');
  return user;
}

const chown = (path: string, user: OsUser | undefined) => user && chownSync(path, user.uid, user.gid);

/** Throws until the server accepts a connection; creates the seatstream database on the first success. */
async function postgresAnswers(bin: string, port: number, user: OsUser | undefined, logFile: string): Promise<void> {
  const code = await runLogged({
    cmd: join(bin, 'pg_isready'),
    args: ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', postgresRole, '-d', 'postgres'],
    logFile: '/dev/null',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  if (code !== 0) throw new Error(`pg_isready exited ${code}`);
  const connect = async (database: string) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: postgresRole,
      database,
      connectionTimeoutMillis: 5_000,
    });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [postgresDatabase]);
    if (!rowCount) {
      await admin.query(`create database ${postgresDatabase} owner ${postgresRole}`);
      appendFileSync(logFile, `---- infra/stack: created database ${postgresDatabase}\n`);
    }
  } finally {
    await admin.end();
  }
  const db = await connect(postgresDatabase);
  try {
    await db.query('select 1');
  } finally {
    await db.end();
  }
}

export function postgresComponent(layout: StackLayout): Component {
  const { port, dir, dataDir, logFile } = layout.postgres;
  const owns = (p: ProcessInfo) => p.comm === 'postgres' && p.cmdline.includes(dataDir);
  const postmaster = (s: Snapshot) =>
    s.processes.find((p) => owns(p) && !s.processes.some((q) => q.pid === p.ppid && owns(q)));

  async function initialise(bin: string, user: OsUser | undefined): Promise<void> {
    mkdirSync(dataDir, { recursive: true });
    chown(dataDir, user);
    chmodSync(dataDir, 0o700);
    appendFileSync(logFile, `---- ${new Date().toISOString()} infra/stack: initdb ${dataDir}\n`);
    const code = await runLogged({
      cmd: join(bin, 'initdb'),
      args: ['-D', dataDir, '-U', postgresRole, '--auth=trust', '--encoding=UTF8', '--locale=C'],
      logFile,
      cwd: dir,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      timeoutMs: 120_000,
    });
    if (code !== 0) throw new ComponentNotReady('postgres', `initdb failed (exit ${code})`, logFile);
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      `\n# the local stack's settings (infra/stack)\ninclude '${postgresIncludeFile}'\n`,
    );
  }

  async function start(): Promise<{ pid: number; tookMs: number; started: boolean }> {
    const s = snapshot();
    const running = postmaster(s);
    const user = runAs();
    const bin = binDir(dataDir);
    const probe = () => postgresAnswers(bin, port, user, logFile);
    if (running) {
      const tookMs = await waitUntilReady({
        component: 'postgres',
        logFile,
        timeoutMs: 60_000,
        probe,
        alive: () => isAlive(running.pid),
      });
      return { pid: running.pid, tookMs, started: false };
    }
    assertPortsFree('postgres', [port], s, owns);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755); // the server's user must reach its data directory inside
    if (!existsSync(logFile)) writeFileSync(logFile, '');
    chown(logFile, user);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, user);
    const settings = join(dataDir, postgresIncludeFile);
    writeFileSync(settings, postgresSettings(port));
    chown(settings, user);
    appendFileSync(logFile, `---- ${new Date().toISOString()} infra/stack: pg_ctl start on 127.0.0.1:${port}\n`);
    const t0 = Date.now();
    const code = await runLogged({
      cmd: join(bin, 'pg_ctl'),
      args: ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '90', '-s'],
      logFile,
      cwd: dir,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      timeoutMs: 120_000,
    });
    if (code !== 0) throw new ComponentNotReady('postgres', `pg_ctl start failed (exit ${code})`, logFile);
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    writePidFile(dir, pid);
    await waitUntilReady({ component: 'postgres', logFile, timeoutMs: 60_000, probe, alive: () => isAlive(pid) });
    return { pid, tookMs: Date.now() - t0, started: true };
  }

  return {
    name: 'postgres',
    owns,

    status(s: Snapshot): ComponentStatus {
      const st = serverStatus({ name: 'postgres', ports: [port], dataDir, logFile }, s, owns);
      const pm = postmaster(s);
      return { ...st, pids: pm ? [pm.pid] : [] };
    },

    async up(): Promise<string> {
      const r = await start();
      return r.started
        ? `started on 127.0.0.1:${port} (pid ${r.pid}), ready in ${seconds(r.tookMs)}`
        : `already running (pid ${r.pid})`;
    },

    async down(): Promise<string> {
      return `postgres: ${await stopPostgres(layout, 'fast')}`;
    },
  };
}

/**
 * Stops PostgreSQL: 'fast' (SIGINT: clients are disconnected, a clean checkpoint) or 'immediate' (SIGQUIT: no
 * checkpoint, the next start replays the WAL, as after a crash). Then SIGKILL if it did not go.
 */
export async function stopPostgres(layout: StackLayout, mode: 'fast' | 'immediate'): Promise<string> {
  const { dataDir } = layout.postgres;
  const s = snapshot();
  const owned = s.processes.filter((p) => p.comm === 'postgres' && p.cmdline.includes(dataDir));
  const pm = owned.find((p) => !owned.some((q) => q.pid === p.ppid));
  if (!pm) return 'not running';
  const how = await stopProcesses([pm.pid], { sig: mode === 'fast' ? 'SIGINT' : 'SIGQUIT', graceMs: 30_000 });
  return `${how} (pid ${pm.pid})`;
}

/** Fault injection: restarts PostgreSQL ('immediate' looks like a crash to clients and to the server) and waits until it answers. */
export async function restartPostgresServer(layout: StackLayout, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  await stopPostgres(layout, mode);
  await postgresComponent(layout).up({ layout, kafkaMode: 1, log: () => undefined });
}
