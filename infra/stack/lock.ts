/**
 * One stack operation at a time per stack directory (two `npm test` runs starting the same stack would fight over
 * its ports): a lock directory holding the owner's pid; a lock whose owner died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  onWait?: (holder: number) => void,
  timeoutMs = 15 * 60_000,
): Promise<T> {
  const t0 = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      /* being written, or its writer died before writing */
    }
    const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if ((holder && !isAlive(holder)) || (!holder && age > 10_000)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (holder === process.pid)
      throw new Error(`stack lock ${lockDir} is already held by this process (nested stack operation)`);
    if (!announced && holder) {
      onWait?.(holder);
      announced = true;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`stack lock ${lockDir} still held by pid ${holder} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
