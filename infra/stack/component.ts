/**
 * What every component of the local stack offers the stack manager, and the status it reports.
 *
 * A component recognises its own processes in /proc (`owns`), so status and `down` do not depend on pid files alone:
 * a pid file that was lost, or a pid reused by another program, cannot mislead them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentName, KafkaMode, StackLayout } from './layout.js';
import { isListening, portHolder, type ProcessInfo, type Snapshot } from './processes.js';

export type ComponentState = 'up' | 'starting' | 'degraded' | 'down' | 'unavailable';

export interface ComponentStatus {
  name: ComponentName;
  state: ComponentState;
  pids: number[];
  ports: number[];
  dataDir: string;
  logFile: string;
  detail?: string;
}

export interface StackContext {
  layout: StackLayout;
  /** The Kafka mode this operation wants (or finds running). */
  kafkaMode: KafkaMode;
  /** The partners' SASL listener over TLS (SASL_SSL) rather than SASL_PLAINTEXT (kafka-security.ts). */
  kafkaTls?: boolean;
  log: (line: string) => void;
}

export interface Component {
  readonly name: ComponentName;
  /** Whether a process is one of this component's servers (in any Kafka mode). */
  owns(p: ProcessInfo): boolean;
  status(s: Snapshot, ctx: StackContext): ComponentStatus;
  /** Starts what is not running, leaves what runs alone, waits until ready; resolves with a one-line summary. */
  up(ctx: StackContext): Promise<string>;
  /** Stops every process of the component; resolves with a one-line summary. */
  down(ctx: StackContext): Promise<string>;
}

/** Status of a one-process server: up when its process lives and all its ports listen. */
export function serverStatus(
  base: Omit<ComponentStatus, 'state' | 'pids'>,
  s: Snapshot,
  owns: (p: ProcessInfo) => boolean,
): ComponentStatus {
  const pids = s.processes.filter(owns).map((p) => p.pid);
  const listening = base.ports.every((port) => isListening(s, port));
  const state: ComponentState = pids.length === 0 ? 'down' : listening ? 'up' : 'starting';
  return { ...base, state, pids };
}

/** Fails when a port this component is about to use is held by some other program. */
export function assertPortsFree(
  component: ComponentName,
  ports: number[],
  s: Snapshot,
  owns: (p: ProcessInfo) => boolean,
): void {
  for (const port of ports) {
    if (!isListening(s, port)) continue;
    const holder = portHolder(s, port);
    if (holder && owns(holder)) continue;
    const who = holder ? `${holder.comm} (pid ${holder.pid}: ${holder.cmdline.slice(0, 120)})` : 'another process';
    throw new Error(`${component}: port ${port} is already used by ${who}`);
  }
}

export const writePidFile = (dir: string, pid: number) => writeFileSync(join(dir, 'pid'), `${pid}\n`);
