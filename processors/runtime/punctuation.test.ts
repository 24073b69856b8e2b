import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PunctuationSchedule } from './punctuation.js';

const noop = () => {};

describe('PunctuationSchedule', () => {
  it('fires a wall-clock punctuator once per interval, skipping missed ones', () => {
    const s = new PunctuationSchedule();
    const p = s.add(100, 'wall-clock', noop, 1_000);
    assert.equal(s.nextWallClock(), 1_100);
    assert.deepEqual(s.dueWallClock(1_099), []);
    assert.deepEqual(s.dueWallClock(1_100), [p]);
    assert.equal(s.nextWallClock(), 1_200);
    assert.deepEqual(s.dueWallClock(1_450), [p], 'three missed intervals fire once');
    assert.equal(s.nextWallClock(), 1_500);
  });

  it('starts stream-time punctuators at the first stream time it sees', () => {
    const s = new PunctuationSchedule();
    const p = s.add(10, 'stream-time', noop, 0);
    assert.deepEqual(s.dueStreamTime(500), []);
    assert.deepEqual(s.dueStreamTime(509), []);
    assert.deepEqual(s.dueStreamTime(510), [p]);
    assert.deepEqual(s.dueStreamTime(515), []);
    assert.equal(s.nextWallClock(), undefined, 'stream-time punctuators need no timer');
  });

  it('forgets cancelled punctuators', () => {
    const s = new PunctuationSchedule();
    const p = s.add(100, 'wall-clock', noop, 0);
    p.cancel();
    assert.equal(p.cancelled, true);
    assert.equal(s.nextWallClock(), undefined);
    assert.deepEqual(s.dueWallClock(1_000), []);
  });

  it('refuses an interval under 1 ms', () => {
    assert.throws(() => new PunctuationSchedule().add(0, 'wall-clock', noop, 0), { code: 'SS_ERR_RUNTIME_CONFIG' });
  });
});
