/**
 * SeatStream's schema registry as an embeddable server: the Confluent REST API (routes.ts) over the
 * `_schemas` log (store.ts). main.ts runs it as a service; tests run it in-process.
 *
 * The HTTP port opens first and answers 503 on data routes until the log is read to its end, so a
 * supervisor can tell "starting" from "down"; `start()` resolves once the registry is ready.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { logger, type Logger } from '../../infra/log.js';
import { createRegistryMetrics } from './metrics.js';
import { installRegistryApi } from './routes.js';
import { RegistryStore } from './store.js';

/** Default name of the log topic. */
export const DEFAULT_SCHEMAS_TOPIC = '_schemas';

export interface RegistryServerOptions {
  /** Kafka bootstrap servers. */
  brokers: string[];
  /** Log topic (default `_schemas`). */
  topic?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a write waits for its record to be read back from the log (default 30 s). */
  applyTimeoutMs?: number;
  log?: Logger;
}

export interface RegistryServer {
  app: FastifyInstance;
  store: RegistryStore;
  /**
   * Opens the HTTP port, reads the log to its end.
   * @returns the base URL, e.g. `http://127.0.0.1:18081`.
   */
  start(): Promise<{ url: string }>;
  /** Closes the HTTP port and the Kafka clients. */
  stop(): Promise<void>;
  /** Base URL once started. */
  readonly url: string | undefined;
}

export function createRegistryServer(opts: RegistryServerOptions): RegistryServer {
  const topic = opts.topic ?? DEFAULT_SCHEMAS_TOPIC;
  const log = opts.log ?? logger('schema-registry', { topic });
  const store = new RegistryStore({
    brokers: opts.brokers,
    topic,
    log,
    ...(opts.applyTimeoutMs !== undefined ? { applyTimeoutMs: opts.applyTimeoutMs } : {}),
    onApplied: (record, outcome, offset) => metrics.observeApplied(record, outcome, offset),
  });
  const metrics = createRegistryMetrics(() => store);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installRegistryApi(app, { store, metrics, log });
  let url: string | undefined;

  return {
    app,
    store,
    get url() {
      return url;
    },
    async start() {
      const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
      url = address;
      try {
        await store.start();
      } catch (err) {
        await app.close();
        await store.close();
        throw err;
      }
      log.info({ url }, 'schema registry ready');
      return { url };
    },
    async stop() {
      await app.close();
      await store.close();
    },
  };
}
