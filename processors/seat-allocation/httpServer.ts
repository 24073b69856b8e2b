/**
 * The seat-allocation service's small HTTP surface (node:http, loopback only):
 *
 *   GET /metrics                          Prometheus text: the runtime's metrics, then the allocator's
 *   GET /health                           200 {status:'up', state, partitions} while the runtime runs, else 503
 *   GET /events/{eventId}/availability    the last availability snapshot published for the event, from
 *                                         this instance's store (AvailabilityView JSON), when this instance
 *                                         runs the event's partition
 *
 * Errors are `{code, message}` with stable codes: SS_ERR_SEAT_NOT_LOCAL (404, another instance runs
 * the partition; `partition` says which), SS_ERR_SEAT_EVENT_NOT_FOUND (404, no snapshot: the event is
 * not defined, or has not been published yet), SS_ERR_NOT_READY (503, the runtime is not running),
 * SS_ERR_NOT_FOUND (404, no such route), SS_ERR_METHOD_NOT_ALLOWED (405), SS_ERR_INTERNAL (500).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../infra/log.js';
import { NotLocalError, RuntimeError, type RuntimeState } from '../runtime/index.js';
import type { AvailabilityView } from './availabilityView.js';
import { AVAILABILITY_STORE } from './processor.js';

/** What the HTTP surface needs of the runtime (StreamRuntime has it). */
export interface ServedRuntime {
  readonly status: RuntimeState;
  runningPartitions(): number[];
  metricsText(): Promise<string>;
  query<K, V>(storeName: string, key: K): Promise<V | undefined>;
}

export interface HttpServerOptions {
  runtime: ServedRuntime;
  /** More Prometheus text appended to the runtime's (the allocator's metrics). */
  extraMetrics?: () => Promise<string>;
  log?: Logger;
}

type ErrorCode =
  | 'SS_ERR_SEAT_NOT_LOCAL'
  | 'SS_ERR_SEAT_EVENT_NOT_FOUND'
  | 'SS_ERR_NOT_READY'
  | 'SS_ERR_NOT_FOUND'
  | 'SS_ERR_METHOD_NOT_ALLOWED'
  | 'SS_ERR_INTERNAL';

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

const fail = (res: ServerResponse, status: number, code: ErrorCode, message: string, extra: object = {}): void =>
  json(res, status, { code, message, ...extra });

const availabilityPath = /^\/events\/([^/]+)\/availability$/;

export function createHttpServer({ runtime, extraMetrics, log }: HttpServerOptions): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = path === '/metrics' || path === '/health' || availabilityPath.test(path);
    if (!route) return fail(res, 404, 'SS_ERR_NOT_FOUND', 'no such route');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return fail(res, 405, 'SS_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
    }
    if (path === '/metrics') {
      const text = (await runtime.metricsText()) + (extraMetrics ? await extraMetrics() : '');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (path === '/health') {
      const up = runtime.status === 'running';
      return json(res, up ? 200 : 503, {
        status: up ? 'up' : 'down',
        state: runtime.status,
        partitions: up ? runtime.runningPartitions() : [],
      });
    }
    let eventId: string;
    try {
      eventId = decodeURIComponent(availabilityPath.exec(path)![1]!);
    } catch {
      return fail(res, 404, 'SS_ERR_NOT_FOUND', 'no such route');
    }
    if (runtime.status !== 'running') return fail(res, 503, 'SS_ERR_NOT_READY', `the runtime is ${runtime.status}`);
    try {
      const view = await runtime.query<string, AvailabilityView>(AVAILABILITY_STORE, eventId);
      if (!view) return fail(res, 404, 'SS_ERR_SEAT_EVENT_NOT_FOUND', `no availability of event ${eventId} here`);
      return json(res, 200, view);
    } catch (err) {
      if (err instanceof NotLocalError)
        return fail(
          res,
          404,
          'SS_ERR_SEAT_NOT_LOCAL',
          `partition ${err.partition} of event ${eventId} runs elsewhere`,
          {
            partition: err.partition,
          },
        );
      if (err instanceof RuntimeError && err.code === 'SS_ERR_RUNTIME_NOT_RUNNING')
        return fail(res, 503, 'SS_ERR_NOT_READY', err.message);
      throw err;
    }
  };
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.error({ err, url: req.url }, 'http request failed');
      if (!res.headersSent) fail(res, 500, 'SS_ERR_INTERNAL', 'internal error');
      else res.destroy();
    });
  });
}
