import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteBuffer } from './write-buffer.js';

const v = (s: string) => Buffer.from(s);

describe('WriteBuffer', () => {
  it('distinguishes a deletion (null) from a key never written (undefined)', () => {
    const w = new WriteBuffer();
    w.set('a', null);
    assert.equal(w.get('a'), null);
    assert.equal(w.get('b'), undefined);
  });

  it('rolls back every write since the savepoint, in reverse order', () => {
    const w = new WriteBuffer();
    w.set('a', v('1'));
    w.savepoint();
    w.set('a', v('2'));
    w.set('a', v('3'));
    w.set('b', v('x'));
    w.rollbackToSavepoint();
    assert.deepEqual(w.get('a'), v('1'));
    assert.equal(w.get('b'), undefined);
    assert.equal(w.size, 1);
    // the savepoint stays: a second failure rolls back to the same point
    w.set('a', v('4'));
    w.rollbackToSavepoint();
    assert.deepEqual(w.get('a'), v('1'));
  });

  it('keeps writes made before a released savepoint', () => {
    const w = new WriteBuffer();
    w.savepoint();
    w.set('a', v('1'));
    w.releaseSavepoint();
    w.rollbackToSavepoint();
    assert.deepEqual(w.get('a'), v('1'));
  });

  it('lists a range sorted by byte order', () => {
    const w = new WriteBuffer();
    for (const k of ['d', 'a', '\u00ff', 'c', 'b']) w.set(k, v(k));
    assert.deepEqual(
      w.range('b', 'd').map(([k]) => k),
      ['b', 'c'],
    );
    assert.deepEqual(
      w.range(undefined, undefined).map(([k]) => k),
      ['a', 'b', 'c', 'd', '\u00ff'],
    );
  });
});
