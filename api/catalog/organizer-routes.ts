/**
 * Organizer routes of the catalog (/v1/organizer/venues, /v1/organizer/events): role organizer or admin with a
 * TOTP-verified session, like every organizer route. Venues are seat-map definitions; events are drafts until
 * published, then every change goes to catalog.events.v1 (service.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import type { CatalogConfig } from './config.js';
import type { EventStatusName, VenueInput } from './definition.js';
import { organizerEventView, salesView, venueSummary, venueView } from './present.js';
import { findSales } from './read-models.js';
import {
  EventCreateBody,
  EventSales,
  EventStatusBody,
  listOf,
  OrganizerEvent,
  organizerEventParam,
  Venue,
  VenueBody,
  venueParam,
  VenueSummary,
} from './schemas.js';
import type { Actor, CatalogService, EventInput } from './service.js';
import { listEvents, listVenues } from './store.js';

const tags = ['organizer'];
const errors = [...authErrors, 404, 409, 422];

export async function catalogOrganizerRoutes(
  app: FastifyInstance,
  opts: { service: CatalogService; config: CatalogConfig },
) {
  const { service, config } = opts;
  const pool = app.ctx.pool;
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireRole('organizer', 'admin'));
  const actor = (req: FastifyRequest): Actor => ({ sub: req.principal!.sub, role: req.principal!.role });

  app.post<{ Body: VenueInput }>(
    '/v1/organizer/venues',
    {
      bodyLimit: config.venueBodyLimitBytes,
      schema: {
        tags,
        summary: 'Create a venue: its seat map (sections, rows, seat runs, general-admission areas)',
        security: bearerSecurity,
        body: VenueBody,
        response: responses({ 201: Venue }, errors),
      },
    },
    async (req, reply) => reply.code(201).send(venueView(await service.createVenue(actor(req), req.body))),
  );

  app.get(
    '/v1/organizer/venues',
    {
      schema: {
        tags,
        summary: "The caller's venues",
        security: bearerSecurity,
        response: responses({ 200: listOf(VenueSummary) }, authErrors),
      },
    },
    async (req) => ({ items: (await listVenues(pool, req.principal!.sub)).map(venueSummary) }),
  );

  app.get<{ Params: { venueId: string } }>(
    '/v1/organizer/venues/:venueId',
    {
      schema: {
        tags,
        summary: 'A venue with its seat map',
        security: bearerSecurity,
        params: venueParam,
        response: responses({ 200: Venue }, errors),
      },
    },
    async (req) => venueView(await service.venue(actor(req), req.params.venueId)),
  );

  app.put<{ Params: { venueId: string }; Body: VenueInput }>(
    '/v1/organizer/venues/:venueId',
    {
      bodyLimit: config.venueBodyLimitBytes,
      schema: {
        tags,
        summary:
          "Replace a venue's seat map (events keep the copy they have until they are pointed at the venue again)",
        security: bearerSecurity,
        params: venueParam,
        body: VenueBody,
        response: responses({ 200: Venue }, errors),
      },
    },
    async (req) => venueView(await service.replaceVenue(actor(req), req.params.venueId, req.body)),
  );

  app.post<{ Body: EventInput }>(
    '/v1/organizer/events',
    {
      schema: {
        tags,
        summary:
          'Create an event (a draft) on a venue: schedule, sale window, price categories, per-buyer limit, hold duration',
        security: bearerSecurity,
        body: EventCreateBody,
        response: responses({ 201: OrganizerEvent }, errors),
      },
    },
    async (req, reply) => reply.code(201).send(organizerEventView(await service.createEvent(actor(req), req.body))),
  );

  app.get(
    '/v1/organizer/events',
    {
      schema: {
        tags,
        summary: "The caller's events, drafts included",
        security: bearerSecurity,
        response: responses({ 200: listOf(OrganizerEvent) }, authErrors),
      },
    },
    async (req) => ({ items: (await listEvents(pool, req.principal!.sub)).map(organizerEventView) }),
  );

  app.get<{ Params: { eventId: string } }>(
    '/v1/organizer/events/:eventId',
    {
      schema: {
        tags,
        summary: 'An event as its organizer sees it',
        security: bearerSecurity,
        params: organizerEventParam,
        response: responses({ 200: OrganizerEvent }, errors),
      },
    },
    async (req) => organizerEventView(await service.event(actor(req), req.params.eventId)),
  );

  app.put<{ Params: { eventId: string }; Body: EventInput }>(
    '/v1/organizer/events/:eventId',
    {
      schema: {
        tags,
        summary:
          "Replace an event's terms; its seat map is copied again from the venue named. Published: sent as a new version.",
        security: bearerSecurity,
        params: organizerEventParam,
        body: EventCreateBody,
        response: responses({ 200: OrganizerEvent }, errors),
      },
    },
    async (req) => organizerEventView(await service.replaceEvent(actor(req), req.params.eventId, req.body)),
  );

  app.post<{ Params: { eventId: string } }>(
    '/v1/organizer/events/:eventId/publish',
    {
      schema: {
        tags,
        summary: 'Publish a draft: buyers see it, the seat allocator takes it (idempotent)',
        security: bearerSecurity,
        params: organizerEventParam,
        response: responses({ 200: OrganizerEvent }, errors),
      },
    },
    async (req) => organizerEventView(await service.publishEvent(actor(req), req.params.eventId)),
  );

  app.post<{ Params: { eventId: string }; Body: { status: EventStatusName } }>(
    '/v1/organizer/events/:eventId/status',
    {
      schema: {
        tags,
        summary:
          'Change the sale status of a published event (SCHEDULED, ON_SALE, SALE_PAUSED, SALE_ENDED, CANCELLED; cancelling is final)',
        security: bearerSecurity,
        params: organizerEventParam,
        body: EventStatusBody,
        response: responses({ 200: OrganizerEvent }, errors),
      },
    },
    async (req) => organizerEventView(await service.setStatus(actor(req), req.params.eventId, req.body.status)),
  );

  app.get<{ Params: { eventId: string } }>(
    '/v1/organizer/events/:eventId/sales',
    {
      schema: {
        tags,
        summary: 'Sales counters of an event (holds, rejections, bookings, tickets, revenue), from the read model',
        security: bearerSecurity,
        params: organizerEventParam,
        response: responses({ 200: EventSales }, errors),
      },
    },
    async (req) => {
      const e = await service.event(actor(req), req.params.eventId);
      return salesView(e.eventId, await findSales(pool, e.eventId));
    },
  );
}
