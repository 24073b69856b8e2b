/**
 * Prometheus metrics at `/metrics`: HTTP latency by route template, method and status, plus the
 * process's default metrics. Each app has its own registry (several apps can live in one test
 * process); other areas add their metrics to `app.metrics`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { registry?: Registry }) => {
    const registry = opts.registry ?? new Registry();
    if (!opts.registry) collectDefaultMetrics({ register: registry });
    const latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    app.decorate('metrics', registry);
    app.addHook('onResponse', async (req, reply) => {
      // The route template, never the raw URL: ids in paths would explode the label cardinality.
      const route = req.routeOptions.url ?? 'unmatched';
      latency.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get(
      '/metrics',
      { schema: { hide: true, response: { 200: { type: 'string' } } }, logLevel: 'warn' },
      async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'seatstream-metrics' },
);
