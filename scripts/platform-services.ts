/**
 * The platform's own services as `npm start` runs them locally: one place that names them, their entry
 * points and how to tell they are ready. The deployment files describe the same services for real clusters.
 */
import { localPorts } from '../infra/config.js';

export interface PlatformService {
  name: string;
  /** TypeScript entry point, run with `node --import tsx`. */
  entry: string;
  env?: Record<string, string>;
  /** Polled until it answers 2xx; no URL means "started" is enough. */
  readyUrl?: string;
}

export const platformServices: PlatformService[] = [
  {
    name: 'seat-allocation',
    entry: 'processors/seat-allocation/main.ts',
    env: { SEAT_ALLOCATION_INSTANCE_ID: 'local-1', SEAT_ALLOCATION_HTTP_PORT: String(localPorts.api + 10) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 10}/health`,
  },
  {
    name: 'sink-postgres',
    entry: 'connectors/postgres/main.ts',
    env: { SINK_POSTGRES_HTTP_PORT: String(localPorts.api + 11) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 11}/health`,
  },
  {
    name: 'push-router',
    entry: 'connectors/push-router/main.ts',
    env: { PUSH_ROUTER_HTTP_PORT: String(localPorts.api + 12) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 12}/health`,
  },
  {
    name: 'sink-clickhouse',
    entry: 'connectors/clickhouse/main.ts',
    env: { SINK_METRICS_PORT: String(localPorts.api + 13) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 13}/metrics`,
  },
  {
    name: 'partner-projector',
    entry: 'connectors/partners/main.ts',
    env: { PARTNER_PROJECTOR_HTTP_PORT: String(localPorts.api + 14) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 14}/health`,
  },
  {
    name: 'api',
    entry: 'api/main.ts',
    readyUrl: `http://127.0.0.1:${localPorts.api}/ready`,
  },
];
