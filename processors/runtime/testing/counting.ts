/**
 * A stateful counting topology: counts records per key in the store `counts` and forwards each new
 * count. Exactly once, the output for a key is 1, 2, …, n — any loss or duplicate shows. Used by the
 * crash and rebalance tests and by the runtime benchmark.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import { bytesSerde, jsonSerde, stringSerde } from '../serde.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import { Topology } from '../topology.js';

export const COUNTS_STORE = 'counts';

export class CountingProcessor implements Processor<string, Buffer, string, number> {
  private context!: ProcessorContext<string, number>;
  private counts!: KeyValueStore<string, number>;

  /** `delayMs`: a pause per record, so that tests can kill the process in mid-transaction. */
  constructor(private readonly delayMs = 0) {}

  init(context: ProcessorContext<string, number>): void {
    this.context = context;
    this.counts = context.store(COUNTS_STORE);
  }

  async process(record: StreamRecord<string, Buffer>): Promise<void> {
    const count = ((await this.counts.get(record.key)) ?? 0) + 1;
    await this.counts.put(record.key, count);
    await this.context.forward({ key: record.key, value: count, timestamp: record.timestamp, headers: {} });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
  }
}

export const countingTopology = (input: string, output: string, options: { delayMs?: number } = {}): Topology =>
  new Topology()
    .addSource('input', { topics: [input], keySerde: stringSerde, valueSerde: bytesSerde })
    .addProcessor('count', () => new CountingProcessor(options.delayMs), 'input')
    .addStateStore({ name: COUNTS_STORE, keySerde: stringSerde, valueSerde: jsonSerde<number>() }, 'count')
    .addSink('output', { topic: output, keySerde: stringSerde, valueSerde: jsonSerde<number>() }, 'count');
