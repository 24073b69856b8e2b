import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuffer } from './batch-buffer.js';
import { tpKey, type SourceRecord } from './records.js';

const rec = (partition: number, offset: number): SourceRecord => ({
  topic: 't',
  partition,
  offset,
  timestamp: 0,
  key: null,
  value: Buffer.from([offset]),
  headers: {},
});

describe('BatchBuffer', () => {
  it('is due by count', () => {
    const b = new BatchBuffer({ maxRecords: 3, maxWaitMs: 1_000 });
    b.add({ topic: 't', partition: 0 }, [rec(0, 0), rec(0, 1)], 2, 0);
    assert.equal(b.due(0), false);
    b.add({ topic: 't', partition: 1 }, [rec(1, 7)], 8, 0);
    assert.equal(b.due(0), true);
  });

  it('is due by the age of the oldest addition, not the latest', () => {
    const b = new BatchBuffer({ maxRecords: 100, maxWaitMs: 1_000 });
    b.add({ topic: 't', partition: 0 }, [rec(0, 0)], 1, 10_000);
    b.add({ topic: 't', partition: 0 }, [rec(0, 1)], 2, 10_900);
    assert.equal(b.due(10_999), false);
    assert.equal(b.dueInMs(10_500), 500);
    assert.equal(b.due(11_000), true);
  });

  it('is due for a partition whose records were all skipped, so its position gets committed', () => {
    const b = new BatchBuffer({ maxRecords: 100, maxWaitMs: 50 });
    b.add({ topic: 't', partition: 4 }, [], 120, 0);
    assert.equal(b.size, 0);
    assert.equal(b.pending, true);
    assert.equal(b.due(50), true);
    assert.deepEqual([...b.take().positions.values()], [{ tp: { topic: 't', partition: 4 }, next: 120 }]);
  });

  it('hands over records in order with the highest position per partition, then is empty', () => {
    const b = new BatchBuffer({ maxRecords: 100, maxWaitMs: 1_000 });
    b.add({ topic: 't', partition: 0 }, [rec(0, 0), rec(0, 1)], 2, 0);
    b.add({ topic: 't', partition: 1 }, [rec(1, 5)], 6, 0);
    b.add({ topic: 't', partition: 0 }, [rec(0, 2)], 4, 0); // offset 3 was a transaction marker
    const taken = b.take();
    assert.deepEqual(
      taken.records.map((r) => [r.partition, r.offset]),
      [
        [0, 0],
        [0, 1],
        [1, 5],
        [0, 2],
      ],
    );
    assert.equal(taken.positions.get(tpKey({ topic: 't', partition: 0 }))?.next, 4);
    assert.equal(taken.positions.get(tpKey({ topic: 't', partition: 1 }))?.next, 6);
    assert.equal(b.size, 0);
    assert.equal(b.pending, false);
    assert.equal(b.dueInMs(0), Infinity);
  });
});
