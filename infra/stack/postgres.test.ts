import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { canTraverse } from './postgres.js';

describe('PostgreSQL data directory reachability', () => {
  const base = mkdtempSync(join(tmpdir(), 'seatstream-traverse-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  // a user that owns nothing here and is in none of the groups: only the "others" bits apply to it
  const stranger = { name: 'stranger', uid: 4_000_001, gid: 4_000_001, home: '/' };

  it('lets a user through directories open to others, down to one that does not exist yet', () => {
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(base, 0o755);
    chmodSync(open, 0o755);
    assert.equal(canTraverse(join(open, 'postgres', 'data'), stranger), true);
  });

  it('stops a user at a directory closed to others (a clone under /root, a mkdtemp directory)', () => {
    const closed = join(base, 'closed');
    mkdirSync(closed);
    chmodSync(closed, 0o700);
    assert.equal(canTraverse(join(closed, 'postgres'), stranger), false);
    assert.equal(canTraverse(join(closed, 'postgres'), { ...stranger, uid: process.getuid!() }), true);
  });
});
