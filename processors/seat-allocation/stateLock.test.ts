import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StateDirLockedError, lockStateDir } from './stateLock.js';

describe('lockStateDir', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'state-lock-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('takes a free directory (creating it) and releases it', () => {
    const dir = join(root, 'free', 'nested');
    const release = lockStateDir(dir);
    assert.equal(readFileSync(join(dir, '.lock'), 'utf8'), String(process.pid));
    release();
    assert.equal(existsSync(join(dir, '.lock')), false);
  });

  it('refuses a directory a live process holds', () => {
    const dir = join(root, 'held');
    lockStateDir(dir)();
    writeFileSync(join(dir, '.lock'), String(process.ppid));
    assert.throws(
      () => lockStateDir(dir),
      (err: unknown) => err instanceof StateDirLockedError && err.holder === process.ppid,
    );
  });

  it('takes over the lock of a process that is gone (killed)', () => {
    const dir = join(root, 'stale');
    lockStateDir(dir)();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, '.lock'), String(gone));
    const release = lockStateDir(dir);
    assert.equal(readFileSync(join(dir, '.lock'), 'utf8'), String(process.pid));
    release();
  });
});
