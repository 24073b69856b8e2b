// A partner's consumer in Node.js: kafkajs over SASL/SCRAM-SHA-512, values decoded through the schema registry
// with @kafkajs/confluent-schema-registry (it fetches the writer's schema by the id each record carries).
//   npm install kafkajs @kafkajs/confluent-schema-registry
//   PARTNER_ID=... PARTNER_USERNAME=... PARTNER_PASSWORD=... PARTNER_BOOTSTRAP=... PARTNER_REGISTRY=... \
//   PARTNER_PROTOCOL=SASL_SSL PARTNER_CA=ca.crt node kafkajs-consumer.mjs
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const partnerId = env('PARTNER_ID');
const tls = env('PARTNER_PROTOCOL', 'SASL_SSL') === 'SASL_SSL';

const kafka = new Kafka({
  clientId: `partner-${partnerId}`,
  brokers: env('PARTNER_BOOTSTRAP').split(','),
  ssl: tls ? { ca: process.env.PARTNER_CA ? [readFileSync(process.env.PARTNER_CA)] : undefined } : false,
  sasl: { mechanism: 'scram-sha-512', username: env('PARTNER_USERNAME'), password: env('PARTNER_PASSWORD') },
  logLevel: logLevel.WARN,
});
const registry = new SchemaRegistry({ host: env('PARTNER_REGISTRY') });

// Your consumer groups must start with partner.<your id>. (kafkajs reads read_committed by default: keep it so)
const consumer = kafka.consumer({ groupId: `partner.${partnerId}.example` });
await consumer.connect();
await consumer.subscribe({
  topics: ['partner.catalog.v1', 'partner.availability.v1', 'partner.sales.v1', `partner.${partnerId}.bookings.v1`],
  fromBeginning: true,
});
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    const eventId = message.key?.toString('utf8');
    if (message.value === null) {
      // a tombstone on a compacted topic: the event was withdrawn
      console.log(JSON.stringify({ topic, eventId, withdrawn: true }));
      return;
    }
    const value = await registry.decode(message.value);
    console.log(JSON.stringify({ topic, partition, offset: message.offset, eventId, value }));
  },
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => consumer.disconnect().then(() => process.exit(0)));
