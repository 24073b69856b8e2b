import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionFor } from './partitioner.js';

// Computed with Kafka 4.1.1's own client (org.apache.kafka.common.utils.Utils.murmur2 / toPositive)
// from the jars in .stack/kafka/libs: key (UTF-8) → partition with 12 and with 7 partitions.
const javaVectors: [string, number, number][] = [
  ['evt-1', 10, 0],
  ['21', 0, 3],
  ['foobar', 6, 0],
  ['a-little-bit-long-string', 8, 1],
  ['seat-allocation', 3, 5],
  ['key-42', 3, 3],
  ['\u00e9v\u00e9nement-\u0645', 4, 5],
];

describe('partitionFor', () => {
  it('maps keys to the partitions Kafka’s Java client picks', () => {
    for (const [key, p12, p7] of javaVectors) {
      assert.equal(partitionFor(Buffer.from(key, 'utf8'), 12), p12, `${key} / 12`);
      assert.equal(partitionFor(Buffer.from(key, 'utf8'), 7), p7, `${key} / 7`);
    }
  });
});
