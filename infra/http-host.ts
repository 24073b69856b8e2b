/**
 * The address a service's own HTTP endpoint (/health, /metrics, its API) binds: SEATSTREAM_HTTP_HOST, one variable
 * for every service. 127.0.0.1 by default, right on a developer's machine; containers set 0.0.0.0 so probes from
 * the gateway, Prometheus and other containers reach them (docker-compose.yml, deploy/k8s/01-config.yaml).
 */
import { isIP } from 'node:net';

export const defaultHttpHost = '127.0.0.1';

export class HttpHostError extends Error {
  readonly code = 'SS_ERR_HTTP_HOST';
  constructor(message: string) {
    super(message);
    this.name = 'SS_ERR_HTTP_HOST';
  }
}

/** SEATSTREAM_HTTP_HOST as an IP address (a typo fails at start, not as an endpoint nobody can reach). */
export function httpHost(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.SEATSTREAM_HTTP_HOST?.trim();
  if (!raw) return defaultHttpHost;
  if (isIP(raw) === 0) throw new HttpHostError(`SEATSTREAM_HTTP_HOST must be an IP address (got '${raw}')`);
  return raw;
}
