/**
 * What buyers read of the catalog, public (no token): the event list with full-text search, one event with its seat
 * map, and its availability (counts and per-seat states). All from the read models the sink keeps
 * (connectors/postgres), never from the organizers' drafts.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { responses } from '../http/schemas.js';
import { availabilityView, eventDetail, eventSummary } from './present.js';
import { findAvailability, findEvent, listEvents, type EventQuery } from './read-models.js';
import { Availability, AvailabilityQuery, EventDetail, eventIdParam, EventPage, EventsQuery } from './schemas.js';
import { expandSeatMap, SeatMapCache, seatStatuses } from './views.js';

const tags = ['events'];

export async function catalogPublicRoutes(app: FastifyInstance) {
  const pool = app.ctx.pool;
  const seatMaps = new SeatMapCache();

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
        response: responses({ 200: EventDetail }, [404]),
      },
    },
    async (req) => {
      const e = await findEvent(pool, req.params.eventId);
      if (!e) throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
      const { seats } = seatMaps.get(e.event_id, Number(e.version), () => expandSeatMap(e.venue, e.price_categories));
      return eventDetail(e, seats);
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
        response: responses({ 200: Availability }, [404]),
      },
    },
    async (req) => {
      const a = await findAvailability(pool, req.params.eventId);
      if (a === 'no-event') throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
      if (a === 'no-snapshot') throw new ApiError('SS_ERR_AVAILABILITY_NOT_FOUND');
      const which = req.query.seats;
      const seats =
        which === 'none' || a.map_venue === null || a.map_categories === null
          ? []
          : seatStatuses(
              seatMaps.get(a.event_id, Number(a.catalog_version), () => expandSeatMap(a.map_venue!, a.map_categories!))
                .map,
              a.sections,
              which,
            );
      return availabilityView(a, seats);
    },
  );
}
