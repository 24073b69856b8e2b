/**
 * `/health`: the process is alive (for restarts). `/ready`: PostgreSQL and Redis answer (for load
 * balancers: an instance that cannot reach them should get no traffic).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { responses } from './schemas.js';

const checkTimeoutMs = 1_500;

const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), checkTimeoutMs).unref()),
  ]);

export async function healthRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { pool, redis } = opts.ctx;
  app.get(
    '/health',
    {
      logLevel: 'warn',
      schema: {
        tags: ['ops'],
        summary: 'The process is alive',
        response: responses({
          200: {
            type: 'object',
            required: ['status'],
            additionalProperties: false,
            properties: { status: { type: 'string', enum: ['ok'] } },
          },
        }),
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      logLevel: 'warn',
      schema: {
        tags: ['ops'],
        summary: 'PostgreSQL and Redis are reachable',
        response: responses({
          200: {
            type: 'object',
            required: ['status', 'postgres', 'redis'],
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['ready'] },
              postgres: { type: 'string', enum: ['up'] },
              redis: { type: 'string', enum: ['up'] },
            },
          },
        }),
      },
    },
    async (req) => {
      const [pg, rd] = await Promise.allSettled([
        withTimeout(pool.query('SELECT 1'), 'postgres'),
        withTimeout(redis.ping(), 'redis'),
      ]);
      const down = [pg.status === 'rejected' ? 'postgres' : null, rd.status === 'rejected' ? 'redis' : null].filter(
        Boolean,
      );
      if (down.length) {
        req.log.warn({ down }, 'not ready');
        throw new ApiError('SS_ERR_NOT_READY', `unreachable: ${down.join(', ')}`);
      }
      return { status: 'ready' as const, postgres: 'up' as const, redis: 'up' as const };
    },
  );
}
