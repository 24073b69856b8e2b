import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringSerde } from './serde.js';
import { Topology } from './topology.js';

const noop = () => ({ process: () => {} });
const topologyError = { code: 'SS_ERR_RUNTIME_TOPOLOGY' };

describe('Topology', () => {
  it('wires sources, processors, stores and sinks', () => {
    const built = new Topology()
      .addSource('commands', { topics: ['b-commands', 'a-catalog'], keySerde: stringSerde })
      .addProcessor('allocate', noop, 'commands')
      .addStateStore({ name: 'inventory', keySerde: stringSerde, valueSerde: stringSerde }, 'allocate')
      .addSink('decisions', { topic: 'events' }, 'allocate')
      .build();
    assert.deepEqual(built.sourceTopics, ['a-catalog', 'b-commands']);
    assert.equal(built.sourceFor('b-commands')?.name, 'commands');
    assert.deepEqual(built.processors[0]!.stores, ['inventory']);
    assert.deepEqual(built.sources[0]!.children, ['allocate']);
    assert.deepEqual(built.processors[0]!.children, ['decisions']);
    assert.match(built.describe(), /Processor: allocate \(stores: inventory\) --> decisions <-- commands/);
  });

  it('refuses unknown parents, sinks as parents, duplicate names and topics read twice', () => {
    assert.throws(() => new Topology().addProcessor('p', noop, 'missing'), topologyError);
    assert.throws(() => new Topology().addProcessor('p', noop), topologyError);
    const t = new Topology().addSource('s', { topics: 'in' }).addSink('out', { topic: 'o' }, 's');
    assert.throws(() => t.addProcessor('p', noop, 'out'), topologyError);
    assert.throws(() => t.addSource('s', { topics: 'other' }), topologyError);
    assert.throws(() => t.addSource('s2', { topics: ['in'] }), topologyError);
  });

  it('refuses stores not connected to a processor, or declared twice', () => {
    const t = new Topology().addSource('s', { topics: 'in' }).addProcessor('p', noop, 's');
    const spec = { name: 'st', keySerde: stringSerde, valueSerde: stringSerde };
    assert.throws(() => t.addStateStore(spec, 's'), topologyError);
    t.addStateStore(spec, 'p');
    assert.throws(() => t.addStateStore(spec, 'p'), topologyError);
    assert.throws(() => t.connectProcessorAndStateStores('p', 'unknown'), topologyError);
    assert.throws(() => t.addStateStore({ ...spec, name: 'bad/name' }, 'p'), topologyError);
  });

  it('needs a source that feeds something', () => {
    assert.throws(() => new Topology().build(), topologyError);
    assert.throws(() => new Topology().addSource('s', { topics: 'in' }).build(), topologyError);
  });
});
