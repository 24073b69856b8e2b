/**
 * `npm run partners:projector`: projects the internal topics to the partner topics (projector.ts), with /metrics and
 * /health on SEATSTREAM_HTTP_HOST:PARTNER_PROJECTOR_HTTP_PORT (127.0.0.1 by default). Boot fails on a missing or incompatible schema subject (run
 * `npm run schemas:check`) or partner topic (run `npm run topics:apply`). SIGTERM/SIGINT: in-flight transactions
 * finish, the groups are left, exit 0; a second signal exits at once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadEndpoints } from '../../infra/config.js';
import { httpHost } from '../../infra/http-host.js';
import { logger } from '../../infra/log.js';
import { SubjectCheckError } from '../../schemas/errors.js';
import { projectorConfig, startPartnerProjector } from './projector.js';

const log = logger('partner-projector');

async function main(): Promise<void> {
  const config = projectorConfig();
  const pool = new pg.Pool({
    connectionString: loadEndpoints().postgres,
    max: 2,
    application_name: 'seatstream-partner-projector',
  });
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client failed'));
  const projector = await startPartnerProjector({
    config,
    pool,
    onFatal: (err) => {
      log.fatal({ err }, 'bookings router gave up');
      process.exit(1);
    },
  });

  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      projector.metricsText().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/health') {
      res.writeHead(projector.runtime.status === 'running' ? 200 : 503).end(projector.runtime.status);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PARTNER_PROJECTOR_HTTP_PORT ?? 0), httpHost(), resolve),
  );
  log.info({ port: (server.address() as AddressInfo).port, stateDir: config.stateDir }, 'http listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    projector
      .stop()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  if (err instanceof SubjectCheckError)
    log.fatal({ problems: err.problems }, 'schema subjects are not as the catalog says');
  else log.fatal({ err }, 'partner projector failed to start');
  process.exit(1);
});
