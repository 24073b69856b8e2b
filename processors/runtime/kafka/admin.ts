/** Topic and offset administration on kafkajs. */
import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import type { TopicSpec } from '../../../topics/catalog.js';
import type { KafkaAdmin, PartitionOffsets } from '../client.js';

/** A catalog spec as kafkajs topic creation, fitted to the cluster's size. */
export const topicConfig = (spec: TopicSpec, brokers: number): ITopicConfig => {
  const replicationFactor = Math.max(1, Math.min(spec.replicationFactor, brokers));
  const configEntries: { name: string; value: string }[] = [{ name: 'cleanup.policy', value: spec.cleanupPolicy }];
  if (spec.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.minInsyncReplicas !== undefined)
    configEntries.push({
      name: 'min.insync.replicas',
      value: String(Math.min(spec.minInsyncReplicas, replicationFactor)),
    });
  return { topic: spec.name, numPartitions: spec.partitions, replicationFactor, configEntries };
};

export class KafkajsAdmin implements KafkaAdmin {
  private constructor(private readonly admin: Admin) {}

  static async connect(kafka: Kafka): Promise<KafkajsAdmin> {
    const admin = kafka.admin();
    await admin.connect();
    return new KafkajsAdmin(admin);
  }

  async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const found = topics.find((t) => t.name === topic);
    if (!found) throw new Error(`topic ${topic} does not exist`);
    return found.partitions.length;
  }

  async brokerCount(): Promise<number> {
    return (await this.admin.describeCluster()).brokers.length;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    const existing = new Set(await this.admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length === 0) return;
    const brokers = await this.brokerCount();
    // Another instance may create the same topics at the same moment: "already exists" is fine.
    await this.admin.createTopics({ topics: missing.map((s) => topicConfig(s, brokers)), waitForLeaders: true });
  }

  async offsets(topic: string): Promise<Map<number, PartitionOffsets>> {
    // ListOffsets with isolation read_committed: `high` is the last stable offset.
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const [found] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const out = new Map<number, number>();
    for (const p of found?.partitions ?? []) if (Number(p.offset) >= 0) out.set(p.partition, Number(p.offset));
    return out;
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}
