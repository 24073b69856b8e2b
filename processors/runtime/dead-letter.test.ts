import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterRecord, dlqHeaders } from './dead-letter.js';

describe('deadLetterRecord', () => {
  const record = {
    offset: 41,
    key: Buffer.from('evt-1'),
    value: Buffer.from('garbage'),
    timestamp: 1_700_000_000_000,
    headers: { trace: 'x' },
  };

  it('keeps the source bytes and headers and adds the reason', () => {
    const dl = deadLetterRecord(
      { topic: 'in.dlq', partition: 3 },
      { topic: 'in', partition: 3 },
      record,
      'SS_ERR_RUNTIME_PROCESSING',
      new RangeError('bad seat'),
      4,
    );
    assert.equal(dl.topic, 'in.dlq');
    assert.equal(dl.partition, 3);
    assert.equal(dl.key, record.key);
    assert.equal(dl.value, record.value);
    assert.equal(dl.timestamp, record.timestamp);
    assert.deepEqual(dl.headers, {
      trace: 'x',
      [dlqHeaders.code]: 'SS_ERR_RUNTIME_PROCESSING',
      [dlqHeaders.message]: 'bad seat',
      [dlqHeaders.exception]: 'RangeError',
      [dlqHeaders.attempts]: '4',
      [dlqHeaders.topic]: 'in',
      [dlqHeaders.partition]: '3',
      [dlqHeaders.offset]: '41',
      [dlqHeaders.timestamp]: '1700000000000',
    });
  });

  it('truncates a huge message and describes non-Error throws', () => {
    const dl = deadLetterRecord(
      { topic: 'd', partition: undefined },
      { topic: 'in', partition: 0 },
      record,
      'SS_ERR_RUNTIME_PROCESSING',
      'x'.repeat(5000),
      1,
    );
    assert.equal(dl.partition, undefined);
    assert.ok(String(dl.headers![dlqHeaders.message]).length <= 2001);
    assert.equal(dl.headers![dlqHeaders.exception], 'string');
  });
});
