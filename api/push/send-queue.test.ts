import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SendQueue } from './send-queue.js';

const drain = (q: SendQueue): string[] => {
  const out: string[] = [];
  for (let f = q.next(); f !== undefined; f = q.next()) out.push(f);
  return out;
};

describe('send queue', () => {
  it('keeps only the latest waiting snapshot of each event, in the place of the first', () => {
    const q = new SendQueue(10);
    q.snapshot('e1', 'e1 v1');
    q.snapshot('e2', 'e2 v1');
    q.snapshot('e1', 'e1 v2');
    q.snapshot('e1', 'e1 v3');
    assert.equal(q.size, 2);
    assert.equal(q.conflated, 2);
    assert.deepEqual(drain(q), ['e1 v3', 'e2 v1']);
  });

  it('sends personal events first and in order', () => {
    const q = new SendQueue(10);
    q.snapshot('e1', 's');
    q.personal('p1');
    q.personal('p2');
    assert.deepEqual(drain(q), ['p1', 'p2', 's']);
  });

  it('refuses a personal event beyond the bound, and takes again once some were sent', () => {
    const q = new SendQueue(3);
    assert.deepEqual([q.personal('a'), q.personal('b'), q.personal('c'), q.personal('d')], [true, true, true, false]);
    assert.equal(q.next(), 'a');
    assert.equal(q.personal('d'), true);
    assert.deepEqual(drain(q), ['b', 'c', 'd']);
  });

  it('stays bounded and ordered over many cycles (no growth of consumed entries)', () => {
    const q = new SendQueue(2000);
    let sent = 0;
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1500; i++) assert.ok(q.personal(String(next++)));
      for (let i = 0; i < 1500; i++) assert.equal(q.next(), String(sent++));
    }
    assert.equal(q.size, 0);
    q.personal('x');
    q.snapshot('e', 'y');
    q.clear();
    assert.equal(q.next(), undefined);
  });
});
