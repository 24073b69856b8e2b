import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dateTimeFromSeconds, identifier, quoteString, SqlValueError, stringArray, unsignedInteger } from './sql.js';

describe('SQL literals', () => {
  it('quotes strings so that no input can end the literal', () => {
    assert.equal(quoteString('evt-1'), "'evt-1'");
    assert.equal(quoteString("o'brien"), "'o\\'brien'");
    assert.equal(quoteString('a\\'), "'a\\\\'");
    assert.equal(quoteString("x\\' OR 1=1 --"), "'x\\\\\\' OR 1=1 --'");
    assert.equal(quoteString('line\nbreak\t\u0000'), "'line\\x0abreak\\x09\\x00'");
    assert.equal(quoteString('جدة'), "'جدة'");
  });

  it('renders arrays of strings', () => {
    assert.equal(stringArray([]), '[]');
    assert.equal(stringArray(['a', "b'"]), "['a', 'b\\'']");
  });

  it('accepts only integers in range', () => {
    assert.equal(unsignedInteger(42), '42');
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.throws(() => unsignedInteger(bad), SqlValueError);
    }
    assert.throws(() => unsignedInteger(11, 10), SqlValueError);
    assert.equal(dateTimeFromSeconds(1_700_000_000), 'toDateTime(1700000000)');
    assert.throws(() => dateTimeFromSeconds(2 ** 33), SqlValueError);
  });

  it('accepts only plain identifiers', () => {
    assert.equal(identifier('seatstream_replay_1'), 'seatstream_replay_1');
    for (const bad of ['', '1abc', 'a-b', 'a;DROP', 'a b', '`x`', 'x'.repeat(64)]) {
      assert.throws(() => identifier(bad), SqlValueError);
    }
  });
});
