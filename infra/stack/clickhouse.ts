/**
 * ClickHouse from Debian's clickhouse-server (18.16) with a generated config.xml and users.xml, every path under the
 * stack directory. It runs as the user that starts the stack (18.16 accepts root). Ready when `GET /ping` answers
 * "Ok." and `SELECT 1` runs over HTTP.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickhouseConfigXml, clickhouseUsersXml } from './clickhouse-config.js';
import { assertPortsFree, serverStatus, writePidFile, type Component, type ComponentStatus } from './component.js';
import type { StackLayout } from './layout.js';
import {
  findExecutable,
  isAlive,
  snapshot,
  spawnDetached,
  stopProcesses,
  type ProcessInfo,
  type Snapshot,
} from './processes.js';
import { seconds, waitUntilReady } from './readiness.js';

export async function clickhouseAnswers(httpPort: number): Promise<void> {
  const base = `http://127.0.0.1:${httpPort}`;
  const ping = await fetch(`${base}/ping`, { signal: AbortSignal.timeout(3_000) });
  const pong = await ping.text();
  if (ping.status !== 200 || pong.trim() !== 'Ok.') throw new Error(`GET /ping answered ${ping.status} ${pong.trim()}`);
  const res = await fetch(`${base}/?query=${encodeURIComponent('SELECT 1')}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.text()).trim();
  if (res.status !== 200 || body !== '1') throw new Error(`SELECT 1 answered ${res.status} ${body.slice(0, 200)}`);
}

export function clickhouseComponent(layout: StackLayout): Component {
  const c = layout.clickhouse;
  const owns = (p: ProcessInfo) => p.comm.startsWith('clickhouse') && p.cmdline.includes(c.configFile);
  // errors before the logger is configured (a bad config) only reach standard output
  const logFile = () => (existsSync(c.logFile) ? c.logFile : c.stdoutFile);

  return {
    name: 'clickhouse',
    owns,
    status: (s: Snapshot): ComponentStatus =>
      serverStatus(
        { name: 'clickhouse', ports: [c.httpPort, c.tcpPort], dataDir: c.dataDir, logFile: c.logFile },
        s,
        owns,
      ),

    async up(): Promise<string> {
      const s = snapshot();
      const running = s.processes.find(owns)?.pid;
      let pid = running;
      if (pid === undefined) {
        assertPortsFree('clickhouse', [c.httpPort, c.tcpPort], s, owns);
        const server = findExecutable('clickhouse-server', ['/usr/sbin', '/usr/bin']);
        if (!server) throw new Error('clickhouse: clickhouse-server is not installed (npm run bootstrap installs it)');
        mkdirSync(c.dataDir, { recursive: true });
        mkdirSync(c.logDir, { recursive: true });
        writeFileSync(
          c.configFile,
          clickhouseConfigXml({
            httpPort: c.httpPort,
            tcpPort: c.tcpPort,
            dataDir: c.dataDir,
            logFile: c.logFile,
            errorLogFile: join(c.logDir, 'clickhouse-server.err.log'),
            usersFile: c.usersFile,
          }),
        );
        writeFileSync(c.usersFile, clickhouseUsersXml());
        writeFileSync(
          c.stdoutFile,
          `---- ${new Date().toISOString()} infra/stack: starting on 127.0.0.1:${c.httpPort}\n`,
          { flag: 'a' },
        );
        pid = await spawnDetached({
          cmd: server,
          args: [`--config-file=${c.configFile}`],
          cwd: c.dir,
          logFile: c.stdoutFile,
        });
        writePidFile(c.dir, pid);
      }
      const p = pid;
      const took = await waitUntilReady({
        component: 'clickhouse',
        get logFile() {
          return logFile();
        },
        timeoutMs: 60_000,
        probe: () => clickhouseAnswers(c.httpPort),
        alive: () => isAlive(p),
      });
      return running !== undefined
        ? `already running (pid ${running})`
        : `started on 127.0.0.1:${c.httpPort} (pid ${p}), ready in ${seconds(took)}`;
    },

    async down(): Promise<string> {
      const pids = snapshot()
        .processes.filter(owns)
        .map((p) => p.pid);
      const how = await stopProcesses(pids, { sig: 'SIGTERM', graceMs: 30_000 });
      return `clickhouse: ${how}${pids.length ? ` (pid ${pids.join(', ')})` : ''}`;
    },
  };
}
