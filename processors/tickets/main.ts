/**
 * The checkout read-model sink as a process (`npm run tickets`): payment.results.v1 → checkouts and tickets in
 * PostgreSQL. TICKETS_GROUP_ID names its consumer group (default checkout-read-model). Ticket signing keys:
 * signing.ts. Prints `{"event":"started"}` once consuming; SIGTERM stops it.
 */
import pg from 'pg';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { CheckoutSink } from './sink.js';
import { loadTicketKeys } from './signing.js';

const endpoints = loadEndpoints();
const log = logger('tickets');
const pool = new pg.Pool({ connectionString: endpoints.postgres, max: 4 });
// An idle client losing its connection (a PostgreSQL restart) must not crash the process; the pool replaces it.
pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client failed'));
const sink = new CheckoutSink({
  brokers: kafkaBrokers(endpoints),
  groupId: process.env.TICKETS_GROUP_ID || 'checkout-read-model',
  pool,
  registry: createRegistryClient(endpoints.schemaRegistry),
  signingKey: loadTicketKeys().privateKey,
  log,
});
await sink.start();
process.stdout.write(`${JSON.stringify({ event: 'started', pid: process.pid })}\n`);
const stop = () =>
  void sink
    .stop()
    .then(() => pool.end())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
