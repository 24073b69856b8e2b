import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdsLoneSurrogate, holdsNul } from './nul-bytes.js';

describe('NUL characters in requests', () => {
  it('are found in strings, nested values, arrays and keys', () => {
    assert.equal(holdsNul('a\u0000b'), true);
    assert.equal(holdsNul({ city: '\u0000' }), true);
    assert.equal(holdsNul({ a: [{ b: ['x', 'y\u0000'] }] }), true);
    assert.equal(holdsNul({ ['k\u0000']: 1 }), true);
  });

  it('leave everything else alone, Arabic and SQL metacharacters included', () => {
    for (const v of [
      '',
      'حفل موسيقى',
      "o'brien; DROP TABLE users;--",
      0,
      null,
      undefined,
      true,
      [1, 'x'],
      { a: { b: 'c' } },
    ])
      assert.equal(holdsNul(v), false, JSON.stringify(v));
  });

  it('unpaired surrogates are found too; pairs (emoji, astral letters) are text', () => {
    for (const v of ['a\uD800b', '\uDC00', 'x\uD83D', { k: ['\uDE00y'] }, { ['k\uD800']: 1 }])
      assert.equal(holdsLoneSurrogate(v), true, JSON.stringify(v));
    for (const v of ['😀', 'a\uD83D\uDE00b', '𝒜', 'حفل', '', { a: '😀' }])
      assert.equal(holdsLoneSurrogate(v), false, JSON.stringify(v));
  });
});
