/** The OpenAPI document (`/docs/json`, `/docs/yaml`), generated from the route schemas, and Swagger UI at `/docs`. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export const docsPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'SeatStream API',
          version: '1.0.0',
          description:
            'Thin REST gateway of SeatStream. Every error is `{code, message}` with a stable `SS_ERR_*` code.',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'auth', description: 'Registration, login, tokens' },
          { name: 'me', description: 'The signed-in account, its second factor, GDPR export and erasure' },
          { name: 'organizer', description: 'Organizer routes (TOTP required)' },
          { name: 'admin', description: 'Administration (TOTP required)' },
          { name: 'ops', description: 'Health, readiness, keys' },
        ],
      },
      // Shared schemas keep their $id as OpenAPI component names.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
      uiConfig: { deepLinking: false },
    });
  },
  { name: 'seatstream-docs' },
);
