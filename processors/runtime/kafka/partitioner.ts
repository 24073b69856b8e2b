/**
 * Key → partition exactly as Kafka's Java client and kafkajs' DefaultPartitioner do it
 * (murmur2 of the key bytes, made positive, modulo the partition count): what interactive queries
 * need to find the task that owns a key.
 */
import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
const metadata = new Map<number, { partitionId: number; leader: number }[]>();

export const partitionFor = (key: Buffer, partitions: number): number => {
  let partitionMetadata = metadata.get(partitions);
  if (!partitionMetadata) {
    partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
    metadata.set(partitions, partitionMetadata);
  }
  return partitioner({ topic: '', partitionMetadata: partitionMetadata as never, message: { key, value: null } });
};
