/**
 * The in-app inbox and the channel preferences of the signed-in user:
 *
 *   GET /v1/me/notifications?limit=&unread=          newest first
 *   POST /v1/me/notifications/{notificationId}/read  marks it read (204)
 *   GET /v1/me/notification-preferences              {websocket, email, inbox}
 *   PUT /v1/me/notification-preferences              opt out of (or back into) channels
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { authErrors, bearerSecurity, noContent, responses } from '../http/schemas.js';

const Preferences = {
  type: 'object',
  additionalProperties: false,
  required: ['websocket', 'email', 'inbox'],
  properties: { websocket: { type: 'boolean' }, email: { type: 'boolean' }, inbox: { type: 'boolean' } },
} as const;

const Item = {
  type: 'object',
  additionalProperties: false,
  required: ['notificationId', 'kind', 'locale', 'direction', 'title', 'body', 'occurredAt', 'read'],
  properties: {
    notificationId: { type: 'string' },
    kind: { type: 'string' },
    locale: { type: 'string' },
    direction: { type: 'string', enum: ['ltr', 'rtl'] },
    title: { type: 'string' },
    body: { type: 'string' },
    eventId: { type: ['string', 'null'] },
    holdId: { type: ['string', 'null'] },
    bookingId: { type: ['string', 'null'] },
    occurredAt: { type: 'string', format: 'date-time' },
    read: { type: 'boolean' },
  },
} as const;

export async function notificationRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { pool } = opts.ctx;
  app.addHook('preHandler', app.authenticate);

  app.get<{ Querystring: { limit?: number; unread?: boolean } }>(
    '/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The in-app inbox, newest first',
        security: bearerSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            unread: { type: 'boolean', default: false },
          },
        },
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['items'],
              properties: { items: { type: 'array', items: Item } },
            },
          },
          authErrors,
        ),
      },
    },
    async (req) => {
      const { rows } = await pool.query(
        `SELECT * FROM notification_inbox WHERE user_id = $1 AND ($2::boolean IS FALSE OR read_at IS NULL)
          ORDER BY occurred_at DESC, notification_id LIMIT $3`,
        [req.principal!.sub, req.query.unread ?? false, req.query.limit ?? 50],
      );
      return {
        items: rows.map((r: Record<string, unknown>) => ({
          notificationId: r.notification_id,
          kind: r.kind,
          locale: r.locale,
          direction: r.direction,
          title: r.title,
          body: r.body,
          eventId: r.event_id,
          holdId: r.hold_id,
          bookingId: r.booking_id,
          occurredAt: (r.occurred_at as Date).toISOString(),
          read: r.read_at !== null,
        })),
      };
    },
  );

  app.post<{ Params: { notificationId: string } }>(
    '/v1/me/notifications/:notificationId/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark a notification read',
        security: bearerSecurity,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['notificationId'],
          properties: { notificationId: { type: 'string', maxLength: 300 } },
        },
        response: responses({ 204: noContent }, [...authErrors, 404]),
      },
    },
    async (req, reply) => {
      const { rowCount } = await pool.query(
        'UPDATE notification_inbox SET read_at = COALESCE(read_at, now()) WHERE notification_id = $1 AND user_id = $2',
        [req.params.notificationId, req.principal!.sub],
      );
      if (!rowCount) throw new ApiError('SS_ERR_NOT_FOUND', 'no such notification');
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/me/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Channels the user receives notifications on',
        security: bearerSecurity,
        response: responses({ 200: Preferences }, authErrors),
      },
    },
    async (req) => {
      const { rows } = await pool.query(
        'SELECT websocket, email, inbox FROM notification_preferences WHERE user_id = $1',
        [req.principal!.sub],
      );
      return rows[0] ?? { websocket: true, email: true, inbox: true };
    },
  );

  app.put<{ Body: { websocket: boolean; email: boolean; inbox: boolean } }>(
    '/v1/me/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Opt out of (or back into) notification channels',
        security: bearerSecurity,
        body: Preferences,
        response: responses({ 200: Preferences }, authErrors),
      },
    },
    async (req) => {
      const { websocket, email, inbox } = req.body;
      await pool.query(
        `INSERT INTO notification_preferences (user_id, websocket, email, inbox, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (user_id) DO UPDATE SET websocket = $2, email = $3, inbox = $4, updated_at = now()`,
        [req.principal!.sub, websocket, email, inbox],
      );
      return { websocket, email, inbox };
    },
  );
}
