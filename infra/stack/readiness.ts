/**
 * Waiting for a component to be ready, and failing in a way that helps: the component, the reason, the log file and
 * its last lines.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ComponentName } from './layout.js';

export class ComponentNotReady extends Error {
  constructor(
    readonly component: ComponentName,
    readonly reason: string,
    readonly logFile: string,
  ) {
    super(`${component} is not ready: ${reason}\n  log: ${logFile}\n${indent(tailFile(logFile, 25))}`);
    this.name = 'ComponentNotReady';
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');

/** The last lines of a file (reads at most its last 64 KiB). */
export function tailFile(file: string, lines = 25): string {
  try {
    const size = statSync(file).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
  } catch {
    return '(no log file)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  component: ComponentName;
  logFile: string;
  timeoutMs: number;
  /** Resolves when ready; throws (with the reason) while not. */
  probe: () => Promise<void>;
  /** False once the server process has died: no point waiting further. */
  alive?: () => boolean;
  intervalMs?: number;
}

/** Polls the probe until it passes; resolves with the milliseconds it took. */
export async function waitUntilReady(o: WaitOptions): Promise<number> {
  const t0 = Date.now();
  let last: string;
  for (;;) {
    try {
      await o.probe();
      return Date.now() - t0;
    } catch (err) {
      last = (err as Error).message || String(err);
    }
    if (o.alive && !o.alive())
      throw new ComponentNotReady(o.component, `its process exited (last probe: ${last})`, o.logFile);
    if (Date.now() - t0 >= o.timeoutMs)
      throw new ComponentNotReady(
        o.component,
        `not ready after ${o.timeoutMs / 1000} s (last probe: ${last})`,
        o.logFile,
      );
    await sleep(o.intervalMs ?? 250);
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
