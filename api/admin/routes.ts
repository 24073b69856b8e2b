/** Admin routes (/v1/admin/*): role admin with a TOTP-verified session. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { roles, type Role } from '../auth/roles.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import { changeRole, getUser } from './service.js';

const userIdParams = {
  type: 'object',
  required: ['userId'],
  additionalProperties: false,
  properties: { userId: { type: 'string', format: 'uuid' } },
} as const;

export async function adminRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { ctx } = opts;
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireRole('admin'));

  app.get<{ Params: { userId: string } }>(
    '/v1/admin/users/:userId',
    {
      schema: {
        tags: ['admin'],
        summary: "A user's administrative view (no personal data)",
        security: bearerSecurity,
        params: userIdParams,
        response: responses({ 200: { $ref: 'UserAdminView#' } }, [...authErrors, 404]),
      },
    },
    async (req) => getUser(ctx, req.params.userId),
  );

  app.put<{ Params: { userId: string }; Body: { role: Role } }>(
    '/v1/admin/users/:userId/role',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role (their sessions end; organizer and admin must then enrol TOTP)",
        security: bearerSecurity,
        params: userIdParams,
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: { role: { type: 'string', enum: roles } },
        },
        response: responses({ 200: { $ref: 'UserAdminView#' } }, [...authErrors, 404, 409]),
      },
    },
    async (req) => changeRole(ctx, req.principal!, req.params.userId, req.body.role),
  );
}
