/**
 * One process per state directory. Two runtimes on one directory would share RocksDB stores, and
 * the second one, unable to open a store the first one locks, would take it for corrupt and wipe
 * it. The lock is a file holding the owner's pid; a lock whose owner is gone (a crash, a SIGKILL) is
 * taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class StateDirLockedError extends Error {
  readonly code = 'SS_ERR_SEAT_STATE_DIR_LOCKED';
  constructor(
    readonly dir: string,
    readonly holder: number,
  ) {
    super(`state directory ${dir} is in use by process ${holder}`);
    this.name = 'SS_ERR_SEAT_STATE_DIR_LOCKED';
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lock of `dir` (created if missing) for this process.
 * @returns a function that releases it
 * @throws StateDirLockedError when a live process holds it
 */
export function lockStateDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
      throw new StateDirLockedError(dir, holder);
    rmSync(file, { force: true });
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
