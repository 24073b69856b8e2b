/**
 * A topology names source topics, processors, state stores and sink topics, and how records flow
 * between them (Kafka Streams' `Topology`). It is a description only: tasks instantiate it, one
 * processor instance per task.
 *
 *   const topology = new Topology()
 *     .addSource('commands', { topics: ['reservation.commands.v1'], keySerde: stringSerde, valueSerde })
 *     .addProcessor('allocate', () => new Allocator(), 'commands')
 *     .addStateStore({ name: 'inventory', keySerde: stringSerde, valueSerde: jsonSerde() }, 'allocate')
 *     .addSink('decisions', { topic: 'reservation.events.v1', keySerde: stringSerde, valueSerde }, 'allocate');
 *
 * All source topics of a topology must be co-partitioned (same partition count, same keys on the same
 * partition numbers): task N reads partition N of every source.
 */
import { TopologyError } from './errors.js';
import type { ProcessorSupplier } from './processor.js';
import { bytesSerde, type Serde } from './serde.js';

export interface SourceOptions<K, V> {
  topics: string | readonly string[];
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface SinkOptions<K, V> {
  topic: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface StoreSpec<K = unknown, V = unknown> {
  name: string;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  /** Committed entries kept in memory to spare RocksDB reads (default 10 000). */
  cacheEntries?: number;
}

export interface SourceNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly children: string[];
}

export interface ProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier;
  readonly parents: readonly string[];
  readonly children: string[];
  readonly stores: string[];
}

export interface SinkNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly parents: readonly string[];
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

export class Topology {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly storeSpecs = new Map<string, StoreSpec>();

  addSource<K, V>(name: string, options: SourceOptions<K, V>): this {
    this.assertNewName(name);
    const topics = typeof options.topics === 'string' ? [options.topics] : [...options.topics];
    if (topics.length === 0) throw TopologyError(`source '${name}' has no topic`);
    for (const node of this.nodes.values()) {
      const clash = node.kind === 'source' ? topics.find((t) => node.topics.includes(t)) : undefined;
      if (clash) throw TopologyError(`topic '${clash}' is read by two sources ('${node.name}' and '${name}')`);
    }
    this.nodes.set(name, {
      kind: 'source',
      name,
      topics,
      keySerde: (options.keySerde ?? bytesSerde) as Serde<unknown>,
      valueSerde: (options.valueSerde ?? bytesSerde) as Serde<unknown>,
      children: [],
    });
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.assertNewName(name);
    this.assertParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'processor',
      name,
      supplier: supplier as ProcessorSupplier,
      parents: parentNames,
      children: [],
      stores: [],
    });
    for (const p of parentNames) this.childrenOf(p).push(name);
    return this;
  }

  addSink<K, V>(name: string, options: SinkOptions<K, V>, ...parentNames: string[]): this {
    this.assertNewName(name);
    this.assertParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'sink',
      name,
      topic: options.topic,
      keySerde: (options.keySerde ?? bytesSerde) as Serde<unknown>,
      valueSerde: (options.valueSerde ?? bytesSerde) as Serde<unknown>,
      parents: parentNames,
    });
    for (const p of parentNames) this.childrenOf(p).push(name);
    return this;
  }

  /** Declares a key-value store and connects it to the named processors. */
  addStateStore<K, V>(spec: StoreSpec<K, V>, ...processorNames: string[]): this {
    if (!/^[A-Za-z0-9._-]+$/.test(spec.name))
      throw TopologyError(`store name '${spec.name}' must match [A-Za-z0-9._-]+`);
    if (this.storeSpecs.has(spec.name)) throw TopologyError(`store '${spec.name}' is declared twice`);
    for (const p of processorNames) {
      if (this.nodes.get(p)?.kind !== 'processor') throw TopologyError(`'${p}' is not a processor`);
    }
    this.storeSpecs.set(spec.name, spec as StoreSpec);
    return this.connectProcessorAndStateStores(processorNames, spec.name);
  }

  connectProcessorAndStateStores(processorNames: string | string[], ...storeNames: string[]): this {
    for (const processorName of typeof processorNames === 'string' ? [processorNames] : processorNames) {
      const node = this.nodes.get(processorName);
      if (node?.kind !== 'processor') throw TopologyError(`'${processorName}' is not a processor`);
      for (const s of storeNames) {
        if (!this.storeSpecs.has(s)) throw TopologyError(`store '${s}' is not declared`);
        if (!node.stores.includes(s)) node.stores.push(s);
      }
    }
    return this;
  }

  /** Checks the topology is complete and returns its frozen description. */
  build(): BuiltTopology {
    const sources = [...this.nodes.values()].filter((n): n is SourceNode => n.kind === 'source');
    if (sources.length === 0) throw TopologyError('a topology needs at least one source');
    for (const node of this.nodes.values()) {
      if (node.kind === 'source' && node.children.length === 0)
        throw TopologyError(`source '${node.name}' feeds nothing`);
    }
    return new BuiltTopology(new Map(this.nodes), new Map(this.storeSpecs));
  }

  describe(): string {
    return this.build().describe();
  }

  private assertNewName(name: string) {
    if (!name) throw TopologyError('a node needs a name');
    if (this.nodes.has(name)) throw TopologyError(`a node named '${name}' already exists`);
  }

  private assertParents(name: string, parents: string[]) {
    if (parents.length === 0) throw TopologyError(`'${name}' needs at least one parent`);
    for (const p of parents) {
      const parent = this.nodes.get(p);
      if (!parent) throw TopologyError(`parent '${p}' of '${name}' does not exist (add parents first)`);
      if (parent.kind === 'sink') throw TopologyError(`sink '${p}' cannot be a parent of '${name}'`);
    }
  }

  private childrenOf(name: string): string[] {
    const node = this.nodes.get(name);
    if (!node || node.kind === 'sink') throw TopologyError(`'${name}' cannot have children`);
    return node.children;
  }
}

/** A validated topology. Parents must exist before children are added, so it is acyclic by construction. */
export class BuiltTopology {
  constructor(
    readonly nodes: ReadonlyMap<string, TopologyNode>,
    readonly stores: ReadonlyMap<string, StoreSpec>,
  ) {}

  get sources(): SourceNode[] {
    return [...this.nodes.values()].filter((n): n is SourceNode => n.kind === 'source');
  }

  get sinks(): SinkNode[] {
    return [...this.nodes.values()].filter((n): n is SinkNode => n.kind === 'sink');
  }

  get processors(): ProcessorNode[] {
    return [...this.nodes.values()].filter((n): n is ProcessorNode => n.kind === 'processor');
  }

  /** Every source topic, sorted (the first names the task's transactional id). */
  get sourceTopics(): string[] {
    return this.sources.flatMap((s) => s.topics).sort();
  }

  sourceFor(topic: string): SourceNode | undefined {
    return this.sources.find((s) => s.topics.includes(topic));
  }

  describe(): string {
    const lines = ['Topology:'];
    for (const n of this.nodes.values()) {
      if (n.kind === 'source')
        lines.push(`  Source: ${n.name} (topics: ${n.topics.join(', ')}) --> ${n.children.join(', ')}`);
      if (n.kind === 'processor')
        lines.push(
          `  Processor: ${n.name} (stores: ${n.stores.join(', ') || '-'}) --> ${n.children.join(', ') || '-'} <-- ${n.parents.join(', ')}`,
        );
      if (n.kind === 'sink') lines.push(`  Sink: ${n.name} (topic: ${n.topic}) <-- ${n.parents.join(', ')}`);
    }
    return lines.join('\n');
  }
}
