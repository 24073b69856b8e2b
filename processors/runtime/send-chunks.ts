/**
 * How a transaction's records are split into produce requests. Each partition's records of one
 * request form one record batch, which the broker refuses above its size limit (1 MiB by default);
 * and the client may have costs that grow faster than the records of a partition per request
 * (kafkajs groups them in O(n²)). So each (topic, partition) gets at most `maxRecordsPerPartition`
 * records and `maxBytesPerPartition` bytes per request, while one request carries many partitions
 * and topics (outputs and changelog together). Order within a partition is kept; records without
 * an explicit partition are counted per topic, the client's partitioner spreading them.
 */
import type { OutgoingRecord } from './client.js';

export interface SendLimits {
  maxRecordsPerPartition: number;
  maxBytesPerPartition: number;
}

/** Approximate bytes of a record in a batch (payload plus per-record overhead). */
export const recordBytes = (r: OutgoingRecord): number => (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;

export const chunkForSend = (records: readonly OutgoingRecord[], limits: SendLimits): OutgoingRecord[][] => {
  const groups = new Map<string, OutgoingRecord[]>();
  for (const r of records) {
    const key = r.partition === undefined ? r.topic : `${r.topic}\u0000${r.partition}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const cursors = [...groups.values()].map((group) => ({ group, next: 0 }));
  const chunks: OutgoingRecord[][] = [];
  while (cursors.some((c) => c.next < c.group.length)) {
    const chunk: OutgoingRecord[] = [];
    for (const c of cursors) {
      let n = 0;
      let bytes = 0;
      while (c.next < c.group.length && n < limits.maxRecordsPerPartition) {
        const size = recordBytes(c.group[c.next]!);
        if (n > 0 && bytes + size > limits.maxBytesPerPartition) break;
        chunk.push(c.group[c.next++]!);
        bytes += size;
        n++;
      }
    }
    chunks.push(chunk);
  }
  return chunks;
};
