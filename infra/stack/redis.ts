/**
 * Redis from Debian's redis-server with a generated redis.conf (127.0.0.1 only, append-only file). Ready when it
 * answers PING with PONG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
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
import { redisConf } from './redis-config.js';

/** One PING over a plain socket (no client library: this is a liveness question, not an application). */
export function redisPing(port: number, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (err?: Error) => {
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    sock.setTimeout(timeoutMs, () => done(new Error('PING timed out')));
    sock.once('error', (err) => done(err));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n'))
        done(answer.startsWith('+PONG') ? undefined : new Error(`PING answered ${answer.trim()}`));
    });
  });
}

export function redisComponent(layout: StackLayout): Component {
  const { port, dir, dataDir, configFile, logFile } = layout.redis;
  // redis rewrites its process title to "redis-server 127.0.0.1:<port>"
  const owns = (p: ProcessInfo) => p.comm === 'redis-server' && p.cmdline.includes(`127.0.0.1:${port}`);

  return {
    name: 'redis',
    owns,
    status: (s: Snapshot): ComponentStatus => serverStatus({ name: 'redis', ports: [port], dataDir, logFile }, s, owns),

    async up(): Promise<string> {
      const s = snapshot();
      const running = s.processes.find(owns)?.pid;
      let pid = running;
      if (pid === undefined) {
        assertPortsFree('redis', [port], s, owns);
        const server = findExecutable('redis-server', ['/usr/bin', '/usr/sbin']);
        if (!server) throw new Error('redis: redis-server is not installed (npm run bootstrap installs it)');
        mkdirSync(dataDir, { recursive: true });
        writeFileSync(configFile, redisConf({ port, dataDir, logFile }));
        pid = await spawnDetached({ cmd: server, args: [configFile], cwd: dir, logFile });
        writePidFile(dir, pid);
      }
      const p = pid;
      const took = await waitUntilReady({
        component: 'redis',
        logFile,
        timeoutMs: 30_000,
        probe: () => redisPing(port),
        alive: () => isAlive(p),
      });
      return running !== undefined
        ? `already running (pid ${running})`
        : `started on 127.0.0.1:${port} (pid ${p}), ready in ${seconds(took)}`;
    },

    async down(): Promise<string> {
      const pids = snapshot()
        .processes.filter(owns)
        .map((p) => p.pid);
      const how = await stopProcesses(pids, { sig: 'SIGTERM', graceMs: 20_000 });
      return `redis: ${how}${pids.length ? ` (pid ${pids.join(', ')})` : ''}`;
    },
  };
}
