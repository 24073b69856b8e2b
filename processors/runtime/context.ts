/**
 * The ProcessorContext a processor of one task gets: one instance per processor node, so that
 * `forward` goes to that node's children and `store` only opens the stores connected to it.
 */
import { UnknownNodeError, UnknownStoreError } from './errors.js';
import type {
  Cancellable,
  Headers,
  ProcessorContext,
  PunctuationType,
  Punctuator,
  RecordMetadata,
  StreamRecord,
} from './processor.js';
import type { KeyValueStore } from './state/key-value-store.js';
import type { ProcessorNode, SinkNode, TopologyNode } from './topology.js';

/** What a context needs of its task. */
export interface TaskInternals {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly current: { metadata: RecordMetadata | undefined; timestamp: number; headers: Headers };
  node(name: string): TopologyNode | undefined;
  forwardFrom(node: ProcessorNode, record: StreamRecord<unknown, unknown>, childName?: string): Promise<void>;
  store(name: string): KeyValueStore<unknown, unknown>;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
}

const noHeaders: Headers = Object.freeze({});

export class NodeContext implements ProcessorContext {
  constructor(
    private readonly task: TaskInternals,
    private readonly node: ProcessorNode,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }

  get taskId(): string {
    return this.task.taskId;
  }

  get recordMetadata(): RecordMetadata | undefined {
    return this.task.current.metadata;
  }

  get topic(): string | undefined {
    return this.task.current.metadata?.topic;
  }

  get partition(): number {
    return this.task.partition;
  }

  get offset(): number | undefined {
    return this.task.current.metadata?.offset;
  }

  get timestamp(): number {
    return this.task.current.timestamp;
  }

  get headers(): Headers {
    return this.task.current.headers;
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): Promise<void>;
  forward(sink: string, key: unknown, value: unknown, headers?: Headers): Promise<void>;
  forward(
    first: StreamRecord<unknown, unknown> | string,
    second?: unknown,
    value?: unknown,
    headers?: Headers,
  ): Promise<void> {
    if (typeof first !== 'string') return this.task.forwardFrom(this.node, first, second as string | undefined);
    const sink = this.sinkChild(first);
    const record = { key: second, value, timestamp: this.task.current.timestamp, headers: headers ?? noHeaders };
    return this.task.forwardFrom(this.node, record, sink.name);
  }

  store<K, V>(name: string): KeyValueStore<K, V> {
    if (!this.node.stores.includes(name)) throw UnknownStoreError(name, this.node.name);
    return this.task.store(name) as KeyValueStore<K, V>;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.task.schedule(intervalMs, type, punctuator);
  }

  /** A sink child named `nameOrTopic`, or else the one child sink writing to that topic. */
  private sinkChild(nameOrTopic: string): SinkNode {
    const sinks = this.node.children.map((c) => this.task.node(c)).filter((n): n is SinkNode => n?.kind === 'sink');
    const sink = sinks.find((s) => s.name === nameOrTopic) ?? sinks.find((s) => s.topic === nameOrTopic);
    if (!sink) throw UnknownNodeError(nameOrTopic, this.node.name);
    return sink;
  }
}
