import type { KafkaMessage } from 'kafkajs';

/**
 * What a sink receives from Kafka, independent of the client library: the record's coordinates, key, value,
 * headers and timestamp. Offsets are numbers (exact below 2^53, i.e. forever for one partition).
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface SourceRecord extends TopicPartition {
  offset: number;
  /** Record timestamp in epoch milliseconds (the producer's CreateTime unless the topic says LogAppendTime). */
  timestamp: number;
  key: Buffer | null;
  /** null for a tombstone. */
  value: Buffer | null;
  /** Header values as received (kafkajs gives bytes). */
  headers: Record<string, Buffer>;
}

/** A stable map key for a topic partition. */
export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export const tpOf = (key: string): TopicPartition => {
  const i = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
};

/** The partitions of a kafkajs-style assignment `{ topic: [partitions] }`. */
export const partitionsOf = (assignment: Record<string, number[]>): TopicPartition[] =>
  Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));

/** A kafkajs message as a SourceRecord (a repeated header keeps its last value). */
export function fromKafkaMessage(topic: string, partition: number, m: KafkaMessage): SourceRecord {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) headers[k] = Buffer.isBuffer(one) ? one : Buffer.from(one);
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ?? null,
    value: m.value ?? null,
    headers,
  };
}
