/**
 * Organizer routes (/v1/organizer/*): role organizer or admin, with a TOTP-verified session. The
 * guard is set once for the whole scope; the catalog's organizer routes (events, seat maps, sale
 * windows) register here when they come.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { roles } from '../auth/roles.js';
import { countUnusedRecoveryCodes } from '../accounts/users.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';

export async function organizerRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { ctx } = opts;
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireRole('organizer', 'admin'));

  app.get(
    '/v1/organizer/session',
    {
      schema: {
        tags: ['organizer'],
        summary:
          "The organizer console's session check: who is signed in, with which factors, how many recovery codes are left",
        security: bearerSecurity,
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['userId', 'role', 'amr', 'unusedRecoveryCodes'],
              properties: {
                userId: { type: 'string', format: 'uuid' },
                role: { type: 'string', enum: roles },
                amr: { type: 'array', items: { type: 'string' } },
                unusedRecoveryCodes: { type: 'integer' },
              },
            },
          },
          authErrors,
        ),
      },
    },
    async (req) => {
      const p = req.principal!;
      return {
        userId: p.sub,
        role: p.role,
        amr: p.amr,
        unusedRecoveryCodes: await countUnusedRecoveryCodes(ctx.pool, p.sub),
      };
    },
  );
}
