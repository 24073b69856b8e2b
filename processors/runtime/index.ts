/**
 * The stream-processing runtime: Kafka Streams' Processor API for SeatStream's processors.
 * Processors import from here; kafkajs stays behind ./client.ts (implemented in ./kafka/).
 */
export { Topology, BuiltTopology } from './topology.js';
export type { SourceOptions, SinkOptions, StoreSpec } from './topology.js';
export type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  StreamRecord,
  RecordMetadata,
  Headers,
  HeaderValue,
  Punctuator,
  PunctuationType,
  Cancellable,
} from './processor.js';
export type { KeyValueStore, ReadOnlyKeyValueStore, KeyValue, KeyRange } from './state/key-value-store.js';
export { Serdes, stringSerde, jsonSerde, bytesSerde } from './serde.js';
export type { Serde } from './serde.js';
export { StreamRuntime } from './runtime.js';
export type { RuntimeConfig, RuntimeEvents, RuntimeState, TaskOpenedEvent, TaskClosedEvent } from './runtime.js';
export { dlqHeaders } from './dead-letter.js';
export type { DeadLetterCode } from './dead-letter.js';
export {
  RuntimeError,
  TaskMigratedError,
  TaskCorruptedError,
  StoreLockedError,
  NotLocalError,
  IllegalTransactionStateError,
} from './errors.js';
export type { RuntimeErrorCode } from './errors.js';
