/**
 * Benchmark (a): the floor under any kafkajs stream processor — consume a batch, produce it to the
 * output topic (acks=all, no transaction, no state), resolve, repeat. Sends are split by the same
 * limits as the runtime's (kafkajsSendLimits: a fetched megabyte, all for one output partition,
 * would exceed the broker's batch limit, and kafkajs' per-partition grouping is O(n²)). Consumer
 * offsets are auto-committed by kafkajs.
 */
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { kafkajsSendLimits } from '../../processors/runtime/kafka/client.js';

export interface PipeResult {
  records: number;
  seconds: number;
  perSec: number;
  /** CPU time of this process (all threads) per record: steadier than the rate on a busy machine. */
  cpuMicrosPerRecord: number;
}

/** Process CPU time (user + system, all threads) in microseconds. */
export const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export const runRawPipe = async (options: {
  brokers: string[];
  input: string;
  output: string;
  groupId: string;
  records: number;
  partitionsConsumedConcurrently: number;
}): Promise<PipeResult> => {
  const { maxRecordsPerPartition, maxBytesPerPartition } = kafkajsSendLimits;
  const kafka = new Kafka({ brokers: options.brokers, clientId: 'bench-raw-pipe', logLevel: logLevel.WARN });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: options.input, fromBeginning: true });
  let started = 0;
  let cpuStarted = 0;
  let done = 0;
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (started) return;
    started = performance.now();
    cpuStarted = cpuMicros();
  });
  consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      let chunk: Message[] = [];
      let bytes = 0;
      const send = async () => {
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: options.output, messages: chunk }] });
        chunk = [];
        bytes = 0;
      };
      for (const m of batch.messages) {
        const size = (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;
        if (chunk.length && (chunk.length >= maxRecordsPerPartition || bytes + size > maxBytesPerPartition))
          await send();
        chunk.push({ key: m.key, value: m.value, timestamp: m.timestamp });
        bytes += size;
      }
      await send();
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
      done += batch.messages.length;
      if (done >= options.records) finish();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpuMicrosPerRecord = (cpuMicros() - cpuStarted) / done;
  await consumer.disconnect();
  await producer.disconnect();
  return { records: done, seconds, perSec: done / seconds, cpuMicrosPerRecord };
};
