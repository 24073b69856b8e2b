/**
 * What buyers read of the catalog, public (no token): the event list with full-text search, one event with its seat
 * map, and its availability (counts and per-seat states). All from the read models the sink keeps
 * (connectors/postgres), never from the organizers' drafts.
 *
 * An event page and an availability answer change only with the event's or the snapshot's version: they are served
 * from a cache of serialized responses keyed by version (a cheap version lookup first), with that version as ETag
 * (If-None-Match → 304), so that polling buyers at an on-sale peak cost a primary-key read each.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { responses } from '../http/schemas.js';
import { availabilityView, eventDetail, eventSummary } from './present.js';
import { currentVersions, findAvailability, findEvent, listEvents, type EventQuery } from './read-models.js';
import { Availability, AvailabilityQuery, EventDetail, eventIdParam, EventPage, EventsQuery } from './schemas.js';
import { expandSeatMap, ResponseCache, SeatMapCache, seatStatuses } from './views.js';

const tags = ['events'];
const notModified = { type: 'null', description: 'Not modified (If-None-Match matched the ETag)' } as const;

export async function catalogPublicRoutes(app: FastifyInstance) {
  const pool = app.ctx.pool;
  const seatMaps = new SeatMapCache();
  const cache = new ResponseCache();

  /** Answers from the cache by version, or builds (and caches under the version it actually read) the body. */
  async function versioned(
    req: FastifyRequest,
    reply: FastifyReply,
    version: number,
    key: (version: number) => string,
    build: () => Promise<{ version: number; body: unknown; cacheable?: boolean }>,
  ) {
    const etag = `"${version}"`;
    reply.header('cache-control', 'public, no-cache');
    if (req.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
    let body = cache.get(key(version));
    if (body === undefined) {
      const built = await build();
      body = JSON.stringify(built.body);
      if (built.cacheable !== false) cache.set(key(built.version), body);
      reply.header('etag', `"${built.version}"`);
    } else reply.header('etag', etag);
    return reply.type('application/json; charset=utf-8').send(body);
  }

  app.get<{ Querystring: EventQuery }>(
    '/v1/events',
    {
      schema: {
        tags,
        summary:
          'Events by start time, or by relevance with q (English, French and Arabic full-text search); paginated by cursor',
        querystring: EventsQuery,
        response: responses({ 200: EventPage }),
      },
    },
    async (req) => {
      if (req.query.from && req.query.to && Date.parse(req.query.from) > Date.parse(req.query.to))
        throw new ApiError('SS_ERR_BAD_REQUEST', '`from` is after `to`');
      const page = await listEvents(pool, req.query);
      return { items: page.items.map(eventSummary), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: { eventId: string } }>(
    '/v1/events/:eventId',
    {
      schema: {
        tags,
        summary:
          'One event with its seat map: every seat with its id, section, row, label, price category and position',
        params: eventIdParam,
        response: responses({ 200: EventDetail, 304: notModified }, [404]),
      },
    },
    async (req, reply) => {
      const id = req.params.eventId;
      const { event } = await currentVersions(pool, id);
      if (event === null) throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
      return versioned(
        req,
        reply,
        event,
        (v) => `event\u0000${id}\u0000${v}`,
        async () => {
          const e = await findEvent(pool, id);
          if (!e) throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
          const version = Number(e.version);
          const { seats } = seatMaps.get(e.event_id, version, () => expandSeatMap(e.venue, e.price_categories));
          return { version, body: eventDetail(e, seats) };
        },
      );
    },
  );

  app.get<{ Params: { eventId: string }; Querystring: { seats: 'all' | 'taken' | 'none' } }>(
    '/v1/events/:eventId/availability',
    {
      schema: {
        tags,
        summary: "The event's latest availability: counts by section and price category, and every seat's state",
        params: eventIdParam,
        querystring: AvailabilityQuery,
        response: responses({ 200: Availability, 304: notModified }, [404]),
      },
    },
    async (req, reply) => {
      const id = req.params.eventId;
      const which = req.query.seats;
      const versions = await currentVersions(pool, id);
      if (versions.event === null) throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
      if (versions.availability === null) throw new ApiError('SS_ERR_AVAILABILITY_NOT_FOUND');
      return versioned(
        req,
        reply,
        versions.availability,
        (v) => `availability\u0000${id}\u0000${v}\u0000${which}`,
        async () => {
          const a = await findAvailability(pool, id);
          if (a === 'no-event') throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
          if (a === 'no-snapshot') throw new ApiError('SS_ERR_AVAILABILITY_NOT_FOUND');
          // The snapshot's seat map may not be applied yet (another topic): answered, not cached, until it is.
          const mapKnown = a.map_venue !== null && a.map_categories !== null;
          const seats =
            which === 'none' || !mapKnown
              ? []
              : seatStatuses(
                  seatMaps.get(a.event_id, Number(a.catalog_version), () =>
                    expandSeatMap(a.map_venue!, a.map_categories!),
                  ).map,
                  a.sections,
                  which,
                );
          return {
            version: Number(a.version),
            body: availabilityView(a, seats),
            cacheable: mapKnown || which === 'none',
          };
        },
      );
    },
  );
}
