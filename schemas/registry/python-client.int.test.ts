/**
 * Confluent's Python client against the registry, and records crossing between it and the node client.
 * Needs the local stack's Python venv (.stack/venv, made by `npm run bootstrap`) and a broker
 * (endpoints from infra/config.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { kafkaBrokers, loadEndpoints, repoRoot } from '../../infra/config.js';
import { deleteSchemasTopic } from './kafka-log.js';
import { createRegistryServer } from './server.js';

const python = join(repoRoot, '.stack', 'venv', 'bin', 'python');
const script = join(repoRoot, 'schemas', 'registry', 'python_client_check.py');
const bookingV1 = {
  type: 'record',
  name: 'Booking',
  namespace: 'seatstream.interop',
  fields: [
    { name: 'bookingId', type: 'string' },
    { name: 'seats', type: 'int' },
  ],
};

describe('confluent-kafka (Python) against the registry', () => {
  it('registers, serializes, deserializes, gets 409s and settings, and reads and writes records the node client writes and reads', async (t) => {
    assert.ok(
      existsSync(python),
      `${python} is missing: run npm run bootstrap (it makes the venv from infra/python/requirements.txt)`,
    );
    const brokers = kafkaBrokers(loadEndpoints());
    const topic = `_schemas-it-${randomUUID()}`;
    const server = createRegistryServer({ brokers, topic });
    t.after(async () => {
      await server.stop();
      await deleteSchemasTopic(brokers, topic);
    });
    const { url } = await server.start();

    const dataTopic = `it-${randomUUID()}`;
    const node = new SchemaRegistry({ host: url });
    const { id } = await node.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(bookingV1) },
      { subject: `${dataTopic}-value` },
    );
    const nodeEncoded = await node.encode(id, { bookingId: 'b-node', seats: 3 });

    const { stdout } = await promisify(execFile)(python, [script, url, dataTopic, nodeEncoded.toString('hex')], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      python_encoded: string;
      id: number;
      id_v2: number;
    };
    assert.equal(result.id, id);
    assert.equal(result.id_v2, id + 1);
    assert.deepEqual(
      { ...(await new SchemaRegistry({ host: url }).decode(Buffer.from(result.python_encoded, 'hex'))) },
      { bookingId: 'b-python', seats: 2 },
    );
    assert.deepEqual((await (await fetch(`${url}/config/${dataTopic}-value`)).json()) as unknown, {
      compatibilityLevel: 'FULL',
    });
  });
});
