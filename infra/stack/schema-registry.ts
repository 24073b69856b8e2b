/**
 * SeatStream's own schema registry service (schemas/registry/main.ts), run as
 * `node --import tsx schemas/registry/main.ts` with SCHEMA_REGISTRY_PORT, SCHEMA_REGISTRY_HOST=127.0.0.1 and
 * KAFKA_BROKERS; ready when `GET /subjects` answers 200 (it answers 503 until it has read `_schemas` to the end).
 * It stores its schemas in Kafka, so it starts after Kafka and stops before it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../config.js';
import {
  assertPortsFree,
  serverStatus,
  writePidFile,
  type Component,
  type ComponentStatus,
  type StackContext,
} from './component.js';
import { endpointsOf, type StackLayout } from './layout.js';
import {
  isAlive,
  processEnv,
  snapshot,
  spawnDetached,
  stopProcesses,
  type ProcessInfo,
  type Snapshot,
} from './processes.js';
import { seconds, waitUntilReady } from './readiness.js';

export const registryEntry = 'schemas/registry/main.ts';

/** The caller's environment minus what only concerns the caller (a test runner's marker would quiet the service's logs). */
function serverEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _test, ...env } = process.env;
  return env;
}

export function schemaRegistryComponent(layout: StackLayout): Component {
  const { port, dir, logFile } = layout.schemaRegistry;
  const owns = (p: ProcessInfo) =>
    p.cmdline.includes(registryEntry) && processEnv(p.pid).SCHEMA_REGISTRY_PORT === String(port);
  const available = () => existsSync(join(repoRoot, registryEntry));
  const ready = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/subjects`, { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) throw new Error(`GET /subjects answered ${res.status}`);
  };

  return {
    name: 'schemaRegistry',
    owns,

    status(s: Snapshot): ComponentStatus {
      const st = serverStatus(
        { name: 'schemaRegistry', ports: [port], dataDir: `${dir} (schemas in Kafka's _schemas topic)`, logFile },
        s,
        owns,
      );
      if (st.state === 'down' && !available())
        return { ...st, state: 'unavailable', detail: `not available yet: ${registryEntry} does not exist` };
      return st;
    },

    async up(ctx: StackContext): Promise<string> {
      const s = snapshot();
      const running = s.processes.find(owns)?.pid;
      if (running === undefined && !available()) return `not available yet (${registryEntry} does not exist): skipped`;
      let pid = running;
      if (pid === undefined) {
        const brokers = endpointsOf(layout, ctx.kafkaMode).kafka;
        assertPortsFree('schemaRegistry', [port], s, owns);
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          logFile,
          `---- ${new Date().toISOString()} infra/stack: starting on 127.0.0.1:${port}, Kafka ${brokers}\n`,
          { flag: 'a' },
        );
        pid = await spawnDetached({
          cmd: process.execPath,
          args: ['--import', 'tsx', registryEntry],
          cwd: repoRoot,
          env: {
            ...serverEnv(),
            SCHEMA_REGISTRY_PORT: String(port),
            SCHEMA_REGISTRY_HOST: '127.0.0.1',
            KAFKA_BROKERS: brokers,
          },
          logFile,
        });
        writePidFile(dir, pid);
      }
      const started = pid;
      const took = await waitUntilReady({
        component: 'schemaRegistry',
        logFile,
        timeoutMs: 90_000,
        probe: ready,
        alive: () => isAlive(started),
      });
      return running !== undefined
        ? `already running (pid ${running})`
        : `started on 127.0.0.1:${port} (pid ${started}), ready in ${seconds(took)}`;
    },

    async down(): Promise<string> {
      const pids = snapshot()
        .processes.filter(owns)
        .map((p) => p.pid);
      const how = await stopProcesses(pids, { sig: 'SIGTERM', graceMs: 20_000 });
      return `schemaRegistry: ${how}${pids.length ? ` (pid ${pids.join(', ')})` : ''}`;
    },
  };
}
