/**
 * Publishes catalog records (key eventId) on catalog.events.v1, for demos and tests: what `npm start`
 * uses to seed a demo event (`publishDemoEvent`). Also a command:
 *
 *   tsx processors/seat-allocation/publishDemo.ts [--stadium] [--seed N] [--event-id ID]
 *
 * The value schema must be registered (`npm run schemas:check`). Publishing the same revision again
 * changes nothing: the allocator ignores a revision whose version is not above the current one.
 */
import { pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { createRegistryClient, type RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { definitionToAvro } from './codec.js';
import { concertHall, seatCount, stadium } from './demo-venue.js';
import type { EventDefinition } from './model.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface PublishOptions {
  brokers?: string[];
  registry?: RegistryClient;
}

/** Writes each definition's catalog record (idempotent producer, acks=all). */
export async function publishCatalog(
  definitions: readonly EventDefinition[],
  options: PublishOptions = {},
): Promise<void> {
  const endpoints = loadEndpoints();
  const registry = options.registry ?? createRegistryClient(endpoints.schemaRegistry);
  const serde = serdeFor(topics.catalogEvents, registry, { autoRegister: false });
  const messages = await Promise.all(
    definitions.map(async (d) => ({
      key: d.eventId,
      value: await serde.serialize(topics.catalogEvents.name, definitionToAvro(d)),
    })),
  );
  const kafka = new Kafka({
    brokers: options.brokers ?? kafkaBrokers(endpoints),
    clientId: 'seatstream-catalog-publisher',
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: topics.catalogEvents.name, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface DemoEventChoice extends PublishOptions {
  venue?: 'concert-hall' | 'stadium';
  seed?: number;
  eventId?: string;
  /** When the sale opens (default: now). */
  onSaleAt?: number;
}

/** Publishes the demo event (the concert hall unless told otherwise) and returns its definition. */
export async function publishDemoEvent(choice: DemoEventChoice = {}): Promise<EventDefinition> {
  const options = {
    onSaleAt: choice.onSaleAt ?? Date.now(),
    ...(choice.seed === undefined ? {} : { seed: choice.seed }),
    ...(choice.eventId === undefined ? {} : { eventId: choice.eventId }),
  };
  const definition = choice.venue === 'stadium' ? stadium(options) : concertHall(options);
  await publishCatalog([definition], choice);
  return definition;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = value('--seed');
  publishDemoEvent({
    venue: args.includes('--stadium') ? 'stadium' : 'concert-hall',
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(value('--event-id') === undefined ? {} : { eventId: value('--event-id')! }),
  }).then(
    (d) => {
      console.log(`published ${d.eventId} (${d.venue.name}, ${seatCount(d)} seats, catalog version ${d.version})`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`publishing the demo event failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
