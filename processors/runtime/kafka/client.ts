/** The KafkaClient of ../client.ts on kafkajs: the only place the runtime picks its Kafka client. */
import type { Logger } from '../../../infra/log.js';
import type { KafkaClient } from '../client.js';
import type { SendLimits } from '../send-chunks.js';
import { KafkajsAdmin } from './admin.js';
import { KafkajsChangelogReader } from './changelog-reader.js';
import { KafkajsGroupConsumer } from './group-consumer.js';
import { createKafkajs } from './kafkajs.js';
import { partitionFor } from './partitioner.js';
import { KafkajsTransactionalProducer } from './transactional-producer.js';

/**
 * kafkajs groups a request's records by partition in O(n²) (groupMessagesPerPartition copies the
 * partition's array for every record): with 3 700 records of one partition per request that cost
 * ~20 % of the runtime's CPU in the benchmark's profile. A few hundred per partition keeps it small
 * while requests still carry many partitions. 512 KiB stays under the broker's 1 MiB batch limit.
 */
export const kafkajsSendLimits: SendLimits = { maxRecordsPerPartition: 400, maxBytesPerPartition: 512 * 1024 };

export const createKafkajsClient = (options: { brokers: string[]; clientId: string; log: Logger }): KafkaClient => {
  // Separate kafkajs instances for the consumers and the producers: kafkajs shares an offsets
  // cache between clients of one instance, and a transaction's sendOffsets would write into it
  // before the transaction commits.
  const consumers = createKafkajs(options);
  const producers = createKafkajs(options);
  return {
    admin: () => KafkajsAdmin.connect(consumers),
    groupConsumer: (o) => new KafkajsGroupConsumer(consumers, o, options.log),
    changelogReader: (o) => new KafkajsChangelogReader(createKafkajs(options), o, options.log),
    transactionalProducer: (id, o) => new KafkajsTransactionalProducer(producers, id, o),
    partitionFor,
    sendLimits: kafkajsSendLimits,
  };
};
