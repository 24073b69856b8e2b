/**
 * The catalog's settings, from the environment (the one place that reads `CATALOG_*`):
 *
 *   CATALOG_RELAY_INTERVAL_MS        how often unpublished changes are looked for and sent (default 5000; 0: never)
 *   CATALOG_PUBLISH_TIMEOUT_MS       longest wait for Kafka to acknowledge a publication (default 5000)
 *   CATALOG_VENUE_BODY_LIMIT_BYTES   largest venue body (a stadium's seat map is a few hundred KB; default 4 MiB)
 *
 * Kafka and the schema registry come from infra/config.ts.
 */

export interface CatalogConfig {
  relayIntervalMs: number;
  publishTimeoutMs: number;
  venueBodyLimitBytes: number;
}

const int = (env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number => {
  const v = env[name]?.trim();
  if (!v) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
};

export function loadCatalogConfig(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return {
    relayIntervalMs: int(env, 'CATALOG_RELAY_INTERVAL_MS', 5_000, 0),
    publishTimeoutMs: int(env, 'CATALOG_PUBLISH_TIMEOUT_MS', 5_000, 100),
    venueBodyLimitBytes: int(env, 'CATALOG_VENUE_BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1024),
  };
}
