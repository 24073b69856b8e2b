/**
 * PostgreSQL from Debian's binaries (/usr/lib/postgresql/<version>/bin): `initdb` on first start (superuser
 * `seatstream`, trust authentication, which the server only offers on 127.0.0.1), database `seatstream`, started and
 * waited for with `pg_ctl`. Ready when `pg_isready` answers and a real connection runs `select 1` in `seatstream`.
 *
 * PostgreSQL refuses to run as root, so a root stack runs it as the `postgres` user that Debian's package creates,
 * and gives that user the data directory. That user must be able to walk down to it: when the stack directory sits
 * somewhere it cannot reach (a clone under /root, say), the data goes to the postgres user's home instead
 * (/var/lib/postgresql/seatstream-stacks/<hash of the stack directory>), and status says so. Server output goes
 * through a descriptor the stack opens, so the log stays in the stack directory either way.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The OS user the server runs as: the `postgres` user when root starts the stack, else the current user (undefined). */
function serverUser(): OsUser | undefined {
  if (!runningAsRoot()) return undefined;
  const user = osUser('postgres');
  if (!user)
    throw new Error('postgres: running as root needs the `postgres` OS user (created by the postgresql package)');
  return user;
}

/** Whether the user may walk down to `dir` through every existing directory above it (permission bits). */
export function canTraverse(dir: string, user: OsUser): boolean {
  for (let d = dir; ; d = dirname(d)) {
    const st = statSync(d, { throwIfNoEntry: false });
    if (st) {
      const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) return false;
    }
    if (dirname(d) === d) return true;
  }
}

/** Where the cluster's data lives (see the module comment for when it is not under the stack directory). */
export function postgresDataDir(layout: StackLayout): string {
  const user = serverUser();
  if (!user || canTraverse(layout.postgres.dir, user)) return layout.postgres.dataDir;
  const id = createHash('sha256').update(layout.postgres.dir).digest('hex').slice(0, 12);
  return join(user.home, 'seatstream-stacks', id, 'data');
}

const asUser = (user: OsUser | undefined) => (user ? { uid: user.uid, gid: user.gid } : {});

/** Throws until the server accepts a connection; creates the seatstream database on the first success. */
async function postgresAnswers(bin: string, port: number, user: OsUser | undefined, logFile: string): Promise<void> {
  const code = await runLogged({
    cmd: join(bin, 'pg_isready'),
    args: ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', postgresRole, '-d', 'postgres'],
    logFile: '/dev/null',
    cwd: '/',
    ...asUser(user),
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

/** The postmaster: a `postgres` process on this data directory (its children retitle themselves "postgres: ..."). */
const postmasterOf = (s: Snapshot, dataDir: string) =>
  s.processes.find((p) => p.comm === 'postgres' && p.cmdline.includes(`-D ${dataDir}`));

export function postgresComponent(layout: StackLayout): Component {
  const { port, dir, logFile } = layout.postgres;
  const dataDir = postgresDataDir(layout);
  const owns = (p: ProcessInfo) => p.comm === 'postgres' && p.cmdline.includes(`-D ${dataDir}`);

  async function initialise(bin: string, user: OsUser | undefined): Promise<void> {
    mkdirSync(dataDir, { recursive: true });
    if (user) chownSync(dataDir, user.uid, user.gid);
    chmodSync(dataDir, 0o700);
    appendFileSync(logFile, `---- ${new Date().toISOString()} infra/stack: initdb ${dataDir}\n`);
    const code = await runLogged({
      cmd: join(bin, 'initdb'),
      args: ['-D', dataDir, '-U', postgresRole, '--auth=trust', '--encoding=UTF8', '--locale=C'],
      logFile,
      cwd: '/',
      ...asUser(user),
      timeoutMs: 120_000,
    });
    if (code !== 0) throw new ComponentNotReady('postgres', `initdb failed (exit ${code})`, logFile);
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      `\n# the local stack's settings (infra/stack)\ninclude '${postgresIncludeFile}'\n`,
    );
  }

  return {
    name: 'postgres',
    owns,

    status(s: Snapshot): ComponentStatus {
      const detail = dataDir.startsWith(layout.dir)
        ? {}
        : { detail: `data outside the stack directory: the postgres user cannot reach ${dir}` };
      return { ...serverStatus({ name: 'postgres', ports: [port], dataDir, logFile }, s, owns), ...detail };
    },

    async up(): Promise<string> {
      const s = snapshot();
      const running = postmasterOf(s, dataDir);
      const user = serverUser();
      const bin = binDir(dataDir);
      const probe = () => postgresAnswers(bin, port, user, logFile);
      if (running) {
        await waitUntilReady({
          component: 'postgres',
          logFile,
          timeoutMs: 60_000,
          probe,
          alive: () => isAlive(running.pid),
        });
        return `already running (pid ${running.pid})`;
      }
      assertPortsFree('postgres', [port], s, owns);
      mkdirSync(dir, { recursive: true });
      const t0 = Date.now();
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, user);
      const settings = join(dataDir, postgresIncludeFile);
      writeFileSync(settings, postgresSettings(port));
      if (user) chownSync(settings, user.uid, user.gid);
      appendFileSync(
        logFile,
        `---- ${new Date().toISOString()} infra/stack: pg_ctl start ${dataDir} on 127.0.0.1:${port}\n`,
      );
      // no -l: the server keeps pg_ctl's standard output, our log descriptor, whoever it runs as
      const code = await runLogged({
        cmd: join(bin, 'pg_ctl'),
        args: ['start', '-D', dataDir, '-w', '-t', '90', '-s'],
        logFile,
        cwd: '/',
        ...asUser(user),
        timeoutMs: 120_000,
      });
      if (code !== 0) throw new ComponentNotReady('postgres', `pg_ctl start failed (exit ${code})`, logFile);
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      writePidFile(dir, pid);
      await waitUntilReady({ component: 'postgres', logFile, timeoutMs: 60_000, probe, alive: () => isAlive(pid) });
      const where = dataDir.startsWith(layout.dir) ? '' : `, data in ${dataDir}`;
      return `started on 127.0.0.1:${port} (pid ${pid}${where}), ready in ${seconds(Date.now() - t0)}`;
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
  const pm = postmasterOf(snapshot(), postgresDataDir(layout));
  if (!pm) return 'not running';
  const how = await stopProcesses([pm.pid], { sig: mode === 'fast' ? 'SIGINT' : 'SIGQUIT', graceMs: 30_000 });
  return `${how} (pid ${pm.pid})`;
}

/** Fault injection: restarts PostgreSQL ('immediate' looks like a crash to clients and to the server) and waits until it answers. */
export async function restartPostgresServer(layout: StackLayout, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  await stopPostgres(layout, mode);
  await postgresComponent(layout).up({ layout, kafkaMode: 1, log: () => undefined });
}
