/**
 * The analysts' and organizers' dashboards, as a Fastify plugin the API registers (after api/auth/guard.ts):
 *
 * - `GET /v1/analytics/events`: the events the caller may see (admin: all; organizer: their own).
 * - `GET /v1/analytics/dashboard?eventId&from&to&step`: every chart of the page in one answer.
 * - `GET /v1/analytics/charts/:chart?eventId&from&to&step`: one chart (a file of dashboards/queries/).
 * - `GET /dashboards`: the page (dashboards/public, uPlot from node_modules), which signs in through /v1/auth and
 *   refreshes its charts every few seconds.
 *
 * Every /v1/analytics route requires a bearer token of an organizer or admin with a verified second factor
 * (`app.authenticate`, `app.requireRole`). An organizer's scope is computed from the events dimension in ClickHouse
 * (catalog organizerId = the token's subject); an event out of scope is a 403. Times are epoch seconds.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api/errors.js';
import { createClickhouse } from '../connectors/clickhouse/client.js';
import { analyticsDatabase } from '../connectors/clickhouse/config.js';
import { loadQueries, renderQuery, type DashboardQuery, type ParamValue } from './queries.js';
import { resolveRange, resolveScope, steps, type ScopedEvent, type TimeRange } from './scope.js';

export interface AnalyticsPluginOptions {
  /** A client whose default database holds the analytics; the plugin makes (and closes) one when unset. */
  clickhouse?: ClickHouseClient;
  /** Database of the plugin's own client (CLICKHOUSE_DATABASE by default). */
  database?: string;
  now?: () => number;
}

export class DashboardsSetupError extends Error {
  readonly code = 'SS_ERR_DASHBOARDS_SETUP';
  constructor(message: string) {
    super(`SS_ERR_DASHBOARDS_SETUP: ${message}`);
    this.name = 'DashboardsSetupError';
  }
}

/** The charts of the page, in display order (names of dashboards/queries/*.sql). */
export const dashboardCharts = [
  'events_overview',
  'sales_timeline',
  'conversion',
  'decision_latency',
  'hold_to_payment',
  'rejections_by_reason',
  'revenue_by_category',
  'checkins_by_gate',
] as const;

const here = dirname(fileURLToPath(import.meta.url));
const uplotDist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  page: boolean;
}

const file = (path: string, type: string, page = false): StaticFile => {
  const body = readFileSync(path);
  return { body, type, page, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
};

/** The page's CSP: own origin only; uPlot sets element styles from script. */
const pageCsp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const eventIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
} as const;
const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    eventId: eventIdSchema,
    from: { type: 'integer', minimum: 0, maximum: 4_294_967_295, description: 'epoch seconds (default: to - 3 h)' },
    to: { type: 'integer', minimum: 1, maximum: 4_294_967_295, description: 'epoch seconds (default: now)' },
    step: { type: 'integer', enum: [...steps], description: 'bucket size in seconds (default: chosen from the range)' },
  },
} as const;

const chartBody = {
  type: 'object',
  required: ['title', 'unit', 'description', 'rows'],
  properties: {
    title: { type: 'string' },
    unit: { type: 'string' },
    description: { type: 'string' },
    rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const errorRef = { $ref: 'ErrorBody#' } as const;
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 500: errorRef, 503: errorRef };

type RangeQuery = { eventId?: string; from?: number; to?: number; step?: number };

export async function analyticsDashboards(app: FastifyInstance, opts: AnalyticsPluginOptions = {}): Promise<void> {
  if (!app.hasDecorator('authenticate') || !app.hasDecorator('requireRole') || !app.hasRequestDecorator('principal')) {
    throw new DashboardsSetupError(
      'app.authenticate, app.requireRole and request.principal are missing: register the guard (api/auth/guard.ts guardPlugin) before the dashboards plugin',
    );
  }
  const queries = loadQueries();
  for (const name of [...dashboardCharts, 'events_in_scope']) {
    if (!queries.has(name)) throw new DashboardsSetupError(`dashboards/queries/${name}.sql is missing`);
  }
  const ch = opts.clickhouse ?? createClickhouse({ database: opts.database ?? analyticsDatabase() });
  if (!opts.clickhouse) app.addHook('onClose', async () => ch.close());
  const now = opts.now ?? Date.now;

  /** Rows of a query, 64-bit integers as numbers (they are counts and amounts far below 2^53). */
  async function run(q: DashboardQuery, values: Record<string, ParamValue>): Promise<Record<string, unknown>[]> {
    let meta: { name: string; type: string }[];
    let data: Record<string, unknown>[];
    try {
      const rs = await ch.query({
        query: renderQuery(q, values),
        format: 'JSON',
        clickhouse_settings: { max_execution_time: 20 },
      });
      const body = await rs.json<Record<string, unknown>>();
      meta = body.meta ?? [];
      data = body.data;
    } catch (err) {
      app.log.error({ err, query: q.name }, 'analytics query failed');
      throw new ApiError('SS_ERR_UNAVAILABLE', 'the analytics store did not answer');
    }
    const wide = meta.filter((m) => /^(Nullable\()?U?Int64/.test(m.type)).map((m) => m.name);
    for (const row of data) for (const k of wide) if (typeof row[k] === 'string') row[k] = Number(row[k]);
    return data;
  }

  async function eventsInScope(req: FastifyRequest): Promise<(ScopedEvent & Record<string, unknown>)[]> {
    const p = req.principal!;
    const rows = await run(queries.get('events_in_scope')!, { organizer_id: p.role === 'admin' ? '' : p.sub });
    return rows.map((r) => ({
      eventId: r.event_id as string,
      organizerId: r.organizer_id as string,
      name: r.name,
      currency: r.currency,
      status: r.status,
      capacity: r.capacity,
      onSaleAt: r.on_sale_at,
      offSaleAt: r.off_sale_at,
    }));
  }

  async function scopeAndRange(req: FastifyRequest<{ Querystring: RangeQuery }>) {
    const range = resolveRange(req.query, now());
    if (!range.ok) throw new ApiError('SS_ERR_VALIDATION', range.message);
    const events = await eventsInScope(req);
    const scope = resolveScope(req.principal!, events, req.query.eventId);
    if (!scope.ok) throw new ApiError('SS_ERR_AUTH_FORBIDDEN', 'this event is not one of yours');
    return { range: range.range, eventIds: scope.eventIds, events };
  }

  async function chart(name: string, eventIds: string[], range: TimeRange) {
    const q = queries.get(name)!;
    const rows = eventIds.length === 0 ? [] : await run(q, { event_ids: eventIds, ...range });
    return { title: q.title, unit: q.unit, description: q.description, rows };
  }

  await app.register(async (api) => {
    api.addHook('preHandler', app.authenticate);
    api.addHook('preHandler', app.requireRole('organizer', 'admin'));

    api.get(
      '/v1/analytics/events',
      {
        schema: {
          tags: ['analytics'],
          summary: 'The events whose figures the caller may see',
          security: [{ bearerAuth: [] }],
          response: {
            200: {
              type: 'object',
              required: ['events'],
              properties: { events: { type: 'array', items: { type: 'object', additionalProperties: true } } },
            },
            ...errors,
          },
        },
      },
      async (req) => ({ events: await eventsInScope(req) }),
    );

    api.get<{ Querystring: RangeQuery }>(
      '/v1/analytics/dashboard',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Every chart of the dashboard page for an event (or all events in scope) over a time range',
          security: [{ bearerAuth: [] }],
          querystring: rangeQuery,
          response: {
            200: {
              type: 'object',
              required: ['from', 'to', 'step', 'eventIds', 'generatedAt', 'charts'],
              properties: {
                from: { type: 'integer' },
                to: { type: 'integer' },
                step: { type: 'integer' },
                eventIds: { type: 'array', items: { type: 'string' } },
                generatedAt: { type: 'integer' },
                charts: { type: 'object', additionalProperties: chartBody },
              },
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const { range, eventIds } = await scopeAndRange(req);
        const charts = await Promise.all(
          dashboardCharts.map(async (c) => [c, await chart(c, eventIds, range)] as const),
        );
        return { ...range, eventIds, generatedAt: Math.floor(now() / 1000), charts: Object.fromEntries(charts) };
      },
    );

    api.get<{ Querystring: RangeQuery; Params: { chart: string } }>(
      '/v1/analytics/charts/:chart',
      {
        schema: {
          tags: ['analytics'],
          summary: 'One chart of the dashboards (the rows of one query of dashboards/queries)',
          security: [{ bearerAuth: [] }],
          params: {
            type: 'object',
            required: ['chart'],
            additionalProperties: false,
            properties: { chart: { type: 'string', enum: [...dashboardCharts] } },
          },
          querystring: rangeQuery,
          response: { 200: chartBody, ...errors },
        },
      },
      async (req) => {
        const { range, eventIds } = await scopeAndRange(req);
        return chart(req.params.chart, eventIds, range);
      },
    );
  });

  // The page and its assets, from memory, revalidated by ETag.
  const files = new Map<string, StaticFile>([
    ['/dashboards', file(join(here, 'public', 'index.html'), 'text/html; charset=utf-8', true)],
    ['/dashboards/app.js', file(join(here, 'public', 'app.js'), 'text/javascript; charset=utf-8')],
    ['/dashboards/style.css', file(join(here, 'public', 'style.css'), 'text/css; charset=utf-8')],
    [
      '/dashboards/vendor/uPlot.iife.min.js',
      file(join(uplotDist, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'),
    ],
    ['/dashboards/vendor/uPlot.min.css', file(join(uplotDist, 'uPlot.min.css'), 'text/css; charset=utf-8')],
  ]);
  for (const [url, f] of files) {
    app.get(
      url,
      {
        schema: {
          hide: true,
          // The page may carry ?event=…&range=… for links; its assets take no parameters.
          querystring: f.page
            ? { type: 'object', additionalProperties: true }
            : { type: 'object', additionalProperties: false, properties: {} },
        },
      },
      async (req: FastifyRequest, reply: FastifyReply) => {
        reply.header('etag', f.etag).header('cache-control', f.page ? 'no-cache' : 'public, max-age=300');
        if (f.page) reply.header('content-security-policy', pageCsp);
        if (req.headers['if-none-match'] === f.etag) return reply.code(304).send();
        return reply.type(f.type).send(f.body);
      },
    );
  }
}
