import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadEndpoints } from '../infra/config.js';
import { topics, valueSubject } from '../topics/catalog.js';
import { parseAvsc } from './avsc.js';
import { SerdeError, type SerdeErrorCode } from './errors.js';
import type { ReservationCommand } from './generated/reservation-command.js';
import { createRegistryClient, type RegistryClient } from './registry-client.js';
import { createAvroSerde, serdeFor } from './serde.js';
import { frame, unframe } from './wire-format.js';

const registry = createRegistryClient(loadEndpoints().schemaRegistry);
const subjects = new Set<string>();
const newTopic = () => {
  const topic = `it-serde-${randomUUID()}`;
  subjects.add(valueSubject(topic));
  return topic;
};
/** Data as plain JSON: avsc decodes to class instances. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

const failure = async (p: Promise<unknown>): Promise<SerdeError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SerdeError, String(err));
    return err;
  }
  assert.fail('did not throw');
};
const codeOf = async (p: Promise<unknown>): Promise<SerdeErrorCode> => (await failure(p)).code;

const command: ReservationCommand = {
  requestId: randomUUID(),
  eventId: 'evt-42',
  buyerId: 'user-7',
  issuedAt: 1_767_225_600_000,
  channel: { string: 'web' },
  partnerId: null,
  traceparent: null,
  command: {
    'io.seatstream.reservation.HoldSeats': { seatIds: ['A-1-7', 'A-1-8'] },
  },
};

const v1 = parseAvsc({ type: 'record', name: 'Seat', namespace: 'it.serde', fields: [{ name: 'id', type: 'string' }] });
const v2 = parseAvsc({
  type: 'record',
  name: 'Seat',
  namespace: 'it.serde',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'label', type: ['null', 'string'], default: null },
  ],
});

describe('Avro serde on a real registry', () => {
  after(async () => {
    for (const s of subjects) await registry.deleteSubject(s);
  });

  it('writes the Confluent wire format with the id registered under <topic>-value, and reads it back', async () => {
    const topic = newTopic();
    const serde = serdeFor(topics.reservationCommands, registry);
    const bytes = await serde.serialize(topic, command);
    const { schemaId } = unframe(bytes);
    assert.equal(bytes[0], 0);
    assert.equal((await registry.latest(valueSubject(topic)))?.id, schemaId);
    assert.deepEqual(plain(await serde.deserialize(topic, bytes)), command);
  });

  it('asks the registry once per subject and once per schema id, even when called concurrently', async () => {
    const calls: string[] = [];
    const counting: RegistryClient = {
      ...registry,
      register: (subject, schema) => (calls.push(`register ${subject}`), registry.register(subject, schema)),
      schemaById: (id) => (calls.push(`schema ${id}`), registry.schemaById(id)),
    };
    const topic = newTopic();
    const serde = createAvroSerde<ReservationCommand>({ registry: counting, schema: 'reservation-command.avsc' });
    const written = await Promise.all(Array.from({ length: 20 }, () => serde.serialize(topic, command)));
    const read = await Promise.all(written.map((b) => serde.deserialize(topic, b)));
    assert.equal(read.length, 20);
    assert.deepEqual(calls, [`register ${valueSubject(topic)}`, `schema ${unframe(written[0]!).schemaId}`]);
  });

  it('reads records of an older schema with the newer one (defaults filled) and the reverse', async () => {
    const topic = newTopic();
    const oldSerde = createAvroSerde<{ id: string }>({ registry, schema: v1 });
    const newSerde = createAvroSerde<{ id: string; label: null | { string: string } }>({ registry, schema: v2 });
    const oldBytes = await oldSerde.serialize(topic, { id: 'A-1-1' });
    const newBytes = await newSerde.serialize(topic, { id: 'A-1-2', label: { string: 'Row A, seat 2' } });
    assert.notEqual(unframe(oldBytes).schemaId, unframe(newBytes).schemaId);
    assert.deepEqual(plain(await newSerde.deserialize(topic, oldBytes)), { id: 'A-1-1', label: null });
    assert.deepEqual(plain(await oldSerde.deserialize(topic, newBytes)), { id: 'A-1-2' });
  });

  it('does not register when told not to', async () => {
    const topic = newTopic();
    const strict = createAvroSerde({ registry, schema: v1, autoRegister: false });
    assert.equal(await codeOf(strict.serialize(topic, { id: 'x' })), 'SS_ERR_SERDE_SCHEMA_NOT_REGISTERED');
    const id = await registry.register(valueSubject(topic), v1.text);
    assert.equal(unframe(await strict.serialize(topic, { id: 'x' })).schemaId, id);
  });

  it('reports a schema the registry refuses', async () => {
    const topic = newTopic();
    await registry.setCompatibilityLevel(valueSubject(topic), 'BACKWARD');
    await registry.register(valueSubject(topic), v1.text);
    const breaking = parseAvsc({
      type: 'record',
      name: 'Seat',
      namespace: 'it.serde',
      fields: [{ name: 'id', type: 'long' }],
    });
    const err = await failure(createAvroSerde({ registry, schema: breaking }).serialize(topic, { id: 1 }));
    assert.equal(err.code, 'SS_ERR_SERDE_SCHEMA_REFUSED');
    assert.equal(err.retriable, false);
    assert.match(err.message, /409/);
  });

  it('refuses a value that does not match the schema, naming the field', async () => {
    const serde = serdeFor(topics.reservationCommands, registry);
    const err = await failure(
      serde.serialize(newTopic(), { ...command, channel: 'web' } as unknown as ReservationCommand),
    );
    assert.equal(err.code, 'SS_ERR_SERDE_INVALID_VALUE');
    assert.match(err.message, /channel/);
  });

  it('classifies undecodable records with stable codes, as poison (not retriable)', async () => {
    const topic = newTopic();
    const serde = createAvroSerde<{ id: string }>({ registry, schema: v1 });
    const good = await serde.serialize(topic, { id: 'A-1-1' });
    const { schemaId, body } = unframe(good);

    assert.equal(await codeOf(serde.deserialize(topic, Buffer.from('{"id":"A-1-1"}'))), 'SS_ERR_SERDE_MAGIC_BYTE');
    assert.equal(await codeOf(serde.deserialize(topic, good.subarray(0, 3))), 'SS_ERR_SERDE_TRUNCATED');
    assert.equal(await codeOf(serde.deserialize(topic, frame(2 ** 31 - 1, body))), 'SS_ERR_SERDE_UNKNOWN_SCHEMA_ID');
    assert.equal(
      await codeOf(serde.deserialize(topic, frame(schemaId, Buffer.from([0x40])))),
      'SS_ERR_SERDE_CORRUPT_PAYLOAD',
    );
    assert.equal(
      await codeOf(serde.deserialize(topic, Buffer.concat([good, Buffer.from([1, 2])]))),
      'SS_ERR_SERDE_CORRUPT_PAYLOAD',
    );

    const otherTopic = newTopic();
    const other = createAvroSerde({ registry, schema: parseAvsc({ type: 'record', name: 'Other', fields: [] }) });
    const foreign = await other.serialize(otherTopic, {});
    const mismatch = await failure(serde.deserialize(topic, foreign));
    assert.equal(mismatch.code, 'SS_ERR_SERDE_SCHEMA_MISMATCH');
    assert.equal(mismatch.retriable, false);
  });

  it('remembers a writer schema it cannot read, and asks again for an unknown id', async () => {
    const calls: number[] = [];
    const counting: RegistryClient = { ...registry, schemaById: (id) => (calls.push(id), registry.schemaById(id)) };
    const serde = createAvroSerde<{ id: string }>({ registry: counting, schema: v1 });
    const other = createAvroSerde({ registry, schema: parseAvsc({ type: 'record', name: 'Other2', fields: [] }) });
    const foreign = await other.serialize(newTopic(), {});
    const unknown = frame(2 ** 31 - 2, Buffer.alloc(0));
    for (let i = 0; i < 3; i++) {
      assert.equal(await codeOf(serde.deserialize('t', foreign)), 'SS_ERR_SERDE_SCHEMA_MISMATCH');
      assert.equal(await codeOf(serde.deserialize('t', unknown)), 'SS_ERR_SERDE_UNKNOWN_SCHEMA_ID');
    }
    assert.deepEqual(calls, [unframe(foreign).schemaId, 2 ** 31 - 2, 2 ** 31 - 2, 2 ** 31 - 2]);
  });

  it('reports an unreachable registry as retriable', async () => {
    const down = createRegistryClient('http://127.0.0.1:9', { timeoutMs: 2000 });
    const serde = createAvroSerde<{ id: string }>({ registry: down, schema: v1 });
    const write = await failure(serde.serialize('any-topic', { id: 'x' }));
    assert.equal(write.code, 'SS_ERR_SERDE_REGISTRY_UNAVAILABLE');
    assert.equal(write.retriable, true);
    const read = await failure(serde.deserialize('any-topic', frame(1, Buffer.from([2, 0x41]))));
    assert.equal(read.code, 'SS_ERR_SERDE_REGISTRY_UNAVAILABLE');
    assert.equal(read.retriable, true);
  });
});
