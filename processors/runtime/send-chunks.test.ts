import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutgoingRecord } from './client.js';
import { chunkForSend } from './send-chunks.js';

const rec = (topic: string, partition: number | undefined, n: number, bytes = 10): OutgoingRecord => ({
  topic,
  partition,
  key: Buffer.from(String(n)),
  value: Buffer.alloc(bytes),
  timestamp: n,
});

describe('chunkForSend', () => {
  it('caps records per partition per request, keeping each partition in order', () => {
    const records = [
      ...Array.from({ length: 5 }, (_, i) => rec('out', undefined, i)),
      ...Array.from({ length: 3 }, (_, i) => rec('changelog', 2, i)),
    ];
    const chunks = chunkForSend(records, { maxRecordsPerPartition: 2, maxBytesPerPartition: 1e9 });
    assert.equal(chunks.length, 3);
    assert.deepEqual(
      chunks.map((c) => c.map((r) => `${r.topic}:${r.timestamp}`)),
      [['out:0', 'out:1', 'changelog:0', 'changelog:1'], ['out:2', 'out:3', 'changelog:2'], ['out:4']],
    );
  });

  it('caps bytes per partition per request but always sends at least one record', () => {
    const records = [rec('t', 0, 0, 500), rec('t', 0, 1, 500), rec('t', 0, 2, 5_000)];
    const chunks = chunkForSend(records, { maxRecordsPerPartition: 100, maxBytesPerPartition: 1_200 });
    assert.deepEqual(
      chunks.map((c) => c.length),
      [2, 1],
    );
  });

  it('loses and duplicates nothing', () => {
    const records = Array.from({ length: 1000 }, (_, i) => rec(`t${i % 3}`, i % 2 ? i % 5 : undefined, i, i % 50));
    const chunks = chunkForSend(records, { maxRecordsPerPartition: 7, maxBytesPerPartition: 300 });
    const flat = chunks.flat();
    assert.equal(flat.length, records.length);
    assert.deepEqual(new Set(flat), new Set(records));
  });
});
