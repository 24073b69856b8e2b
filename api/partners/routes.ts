/**
 * Partner onboarding (/v1/admin/partners/*): role admin with a TOTP-verified session. The plugin owns the partner
 * side of Kafka (SCRAM credentials, ACLs, topics), reached lazily on the internal listener from loadEndpoints()
 * and closed with the app.
 *
 *   POST   /v1/admin/partners                           create: 201 { partner, credentials } (password shown once)
 *   GET    /v1/admin/partners                           list
 *   GET    /v1/admin/partners/:partnerId                one
 *   GET    /v1/admin/partners/:partnerId/audit          who did what, when
 *   GET    /v1/admin/partners/:partnerId/kafka          what Kafka holds now (credential, ACLs, topics)
 *   POST   /v1/admin/partners/:partnerId/credentials    rotate: a new password, the old one stops working
 *   POST   /v1/admin/partners/:partnerId/suspend        refused by Kafka within seconds, connected or not
 *   POST   /v1/admin/partners/:partnerId/resume
 *   DELETE /v1/admin/partners/:partnerId                access, topics, groups and buyer salt removed; row kept
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createPartnerKafkaAccess, type PartnerKafkaAccess } from '../../connectors/partners/kafka/access.js';
import { entitlements as allEntitlements, type Entitlement } from '../../connectors/partners/entitlements.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import type { ApiContext } from '../context.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import { loadPartnerConnection, type PartnerConnection } from './config.js';
import { CreatePartnerBody, partnerIdSchema, partnerSchemas, SuspendBody } from './schemas.js';
import { PartnerService, type Actor } from './service.js';
import type { PartnerKind } from './store.js';

export interface PartnerRoutesOptions {
  ctx: ApiContext;
  /** Kafka access to use instead of one on loadEndpoints() (the app closes neither). */
  kafka?: PartnerKafkaAccess;
  connection?: PartnerConnection;
}

const params = {
  type: 'object',
  required: ['partnerId'],
  additionalProperties: false,
  properties: { partnerId: partnerIdSchema },
} as const;

type WithId = { Params: { partnerId: string } };

export async function partnerRoutes(app: FastifyInstance, opts: PartnerRoutesOptions) {
  const { ctx } = opts;
  const log = logger('api.partners');
  let own: PartnerKafkaAccess | undefined;
  const kafka = () => {
    if (opts.kafka) return opts.kafka;
    if (!own) {
      const endpoints = loadEndpoints();
      own = createPartnerKafkaAccess({
        brokers: kafkaBrokers(endpoints),
        registry: createRegistryClient(endpoints.schemaRegistry),
        log,
      });
    }
    return own;
  };
  let connection: PartnerConnection | undefined = opts.connection;
  const service = new PartnerService(ctx.pool, kafka, () => (connection ??= loadPartnerConnection()));
  app.addHook('onClose', async () => own?.close());

  for (const s of partnerSchemas) app.addSchema(s);
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireRole('admin'));

  const actor = (req: FastifyRequest): Actor => ({
    userId: req.principal?.sub ?? null,
    requestId: String(req.id),
    log: req.log,
  });
  const common = { tags: ['partners'], security: bearerSecurity };

  app.post<{ Body: { partnerId: string; displayName: string; kind: PartnerKind; entitlements?: Entitlement[] } }>(
    '/v1/admin/partners',
    {
      schema: {
        ...common,
        summary: 'Onboard a partner: Kafka credential (shown once), ACLs on its topics and consumer-group prefix',
        body: CreatePartnerBody,
        response: responses({ 201: { $ref: 'PartnerWithCredentials#' } }, [...authErrors, 409, 422]),
      },
    },
    async (req, reply) => {
      const body = req.body;
      const out = await service.create(
        { ...body, entitlements: body.entitlements ?? [...allEntitlements] },
        actor(req),
      );
      return reply.code(201).header('cache-control', 'no-store').send(out);
    },
  );

  app.get(
    '/v1/admin/partners',
    {
      schema: {
        ...common,
        summary: 'Every partner, deleted ones included',
        response: responses({ 200: { type: 'array', items: { $ref: 'PartnerView#' } } }, authErrors),
      },
    },
    async () => service.list(),
  );

  app.get<WithId>(
    '/v1/admin/partners/:partnerId',
    {
      schema: {
        ...common,
        summary: 'One partner',
        params,
        response: responses({ 200: { $ref: 'PartnerView#' } }, [...authErrors, 404]),
      },
    },
    async (req) => service.get(req.params.partnerId),
  );

  app.get<WithId>(
    '/v1/admin/partners/:partnerId/audit',
    {
      schema: {
        ...common,
        summary: 'Administrative actions on the partner, oldest first',
        params,
        response: responses({ 200: { type: 'array', items: { $ref: 'PartnerAuditEntry#' } } }, [...authErrors, 404]),
      },
    },
    async (req) =>
      (await service.audit(req.params.partnerId)).map((a) => ({
        action: a.action,
        actorId: a.actor_id,
        requestId: a.request_id,
        at: a.at,
        details: a.details,
      })),
  );

  app.get<WithId>(
    '/v1/admin/partners/:partnerId/kafka',
    {
      schema: {
        ...common,
        summary: 'What Kafka holds for the partner now: SCRAM credential, ACLs, own topics',
        params,
        response: responses({ 200: { $ref: 'PartnerKafkaState#' } }, [...authErrors, 404]),
      },
    },
    async (req) => service.kafkaState(req.params.partnerId, req.log),
  );

  app.post<WithId>(
    '/v1/admin/partners/:partnerId/credentials',
    {
      schema: {
        ...common,
        summary: 'Rotate the secret: a new password (shown once); the old one stops working',
        params,
        response: responses({ 200: { $ref: 'PartnerWithCredentials#' } }, [...authErrors, 404, 409]),
      },
    },
    async (req, reply) =>
      reply.header('cache-control', 'no-store').send(await service.rotate(req.params.partnerId, actor(req))),
  );

  app.post<WithId & { Body: { reason?: string } | undefined }>(
    '/v1/admin/partners/:partnerId/suspend',
    {
      schema: {
        ...common,
        summary: 'Suspend: Kafka refuses the partner from its next request on',
        params,
        body: SuspendBody,
        response: responses({ 200: { $ref: 'PartnerView#' } }, [...authErrors, 404, 409]),
      },
    },
    async (req) => service.suspend(req.params.partnerId, req.body?.reason, actor(req)),
  );

  app.post<WithId>(
    '/v1/admin/partners/:partnerId/resume',
    {
      schema: {
        ...common,
        summary: 'Resume a suspended partner',
        params,
        response: responses({ 200: { $ref: 'PartnerView#' } }, [...authErrors, 404, 409]),
      },
    },
    async (req) => service.resume(req.params.partnerId, actor(req)),
  );

  app.delete<WithId>(
    '/v1/admin/partners/:partnerId',
    {
      schema: {
        ...common,
        summary: 'Delete: Kafka access, own topics and groups, buyer salt removed; the record and audit stay',
        params,
        response: responses({ 200: { $ref: 'PartnerView#' } }, [...authErrors, 404, 409]),
      },
    },
    async (req) => service.remove(req.params.partnerId, actor(req)),
  );
}
