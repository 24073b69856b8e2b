import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { changelogFor, changelogs, dlqFor, topics } from '../../topics/catalog.js';
import { stringSerde } from '../runtime/index.js';
import { INVENTORY_STORE } from './processor.js';
import { APPLICATION_ID, keepingBytes, seatAllocationTopology } from './topology.js';

// The topology's Avro serdes call the registry only when used; these tests use none of them.
const registry = createRegistryClient('http://127.0.0.1:9');

describe('seat-allocation topology', () => {
  it('names the changelog the topic catalog declares', () => {
    assert.equal(
      changelogFor(APPLICATION_ID, INVENTORY_STORE, topics.reservationCommands).name,
      changelogs.seatAllocationInventory.name,
    );
  });

  it('reads the catalog and the commands, writes decisions, snapshots and dead letters', () => {
    const built = seatAllocationTopology({ registry }).build();
    assert.deepEqual(built.sourceTopics, [topics.catalogEvents.name, topics.reservationCommands.name]);
    assert.deepEqual(
      built.sinks.map((s) => s.topic).sort(),
      [
        topics.eventAvailability.name,
        topics.reservationEvents.name,
        dlqFor(topics.catalogEvents).name,
        dlqFor(topics.reservationCommands).name,
      ].sort(),
    );
    assert.deepEqual([...built.stores.keys()], ['inventory', 'availability']);
  });

  it('keeps the bytes a value was decoded from, and writes them back unchanged', async () => {
    const serde = keepingBytes(stringSerde);
    const bytes = Buffer.from('héllo');
    const received = await serde.deserialize('t', bytes);
    assert.equal(received.value, 'héllo');
    assert.equal(await serde.serialize('t.dlq', received), bytes);
  });
});
