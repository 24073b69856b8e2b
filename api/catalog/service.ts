/**
 * What organizers do to the catalog: create and replace venues, create events on them (drafts), change an event's
 * terms or seat map, publish it, change its sale status (cancel included). Every change is checked (definition.ts),
 * made in one PostgreSQL transaction with the event's row locked, and, once the event is published, sent to
 * catalog.events.v1 as the full definition with its version + 1 (publisher.ts).
 *
 * An organizer touches only their own venues and events (403 SS_ERR_CATALOG_NOT_OWNER); an admin any. An event
 * belongs to the organizer of its venue, and can only be moved to another venue of that organizer.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../auth/roles.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { ApiError } from '../errors.js';
import {
  describeProblems,
  eventProblems,
  toPriceCategories,
  toSections,
  venueProblems,
  type EventStatusName,
  type EventTerms,
  type VenueInput,
} from './definition.js';
import type { CatalogPublisher } from './publisher.js';
import {
  findEvent,
  findVenue,
  insertVenue,
  saveEvent,
  updateVenue,
  venueDefOf,
  type EventRecord,
  type VenueRecord,
} from './store.js';

export interface Actor {
  sub: string;
  role: Role;
}

export type EventInput = EventTerms & { venueId: string };

const mayTouch = (actor: Actor, organizerId: string) => actor.role === 'admin' || actor.sub === organizerId;

const invalid = (problems: string[]) => new ApiError('SS_ERR_CATALOG_INVALID_DEFINITION', describeProblems(problems));

function owned<T extends { organizerId: string }>(
  actor: Actor,
  found: T | undefined,
  notFound: 'SS_ERR_VENUE_NOT_FOUND' | 'SS_ERR_EVENT_NOT_FOUND',
): T {
  if (!found) throw new ApiError(notFound);
  if (!mayTouch(actor, found.organizerId)) throw new ApiError('SS_ERR_CATALOG_NOT_OWNER');
  return found;
}

const venueDefFrom = (id: string, input: VenueInput) => ({
  id,
  name: input.name,
  city: input.city ?? null,
  focus: { x: input.focus.x, y: input.focus.y },
  sections: toSections(input.sections),
});

const termsOf = (t: EventTerms) => ({
  name: t.name,
  startsAt: t.startsAt === null || t.startsAt === undefined ? null : Date.parse(t.startsAt),
  currency: t.currency,
  priceCategories: toPriceCategories(t.priceCategories),
  onSaleAt: Date.parse(t.onSaleAt),
  offSaleAt: Date.parse(t.offSaleAt),
  maxTicketsPerBuyer: t.maxTicketsPerBuyer,
  holdDurationMs: t.holdDurationMs,
});

export class CatalogService {
  constructor(
    private readonly pool: Pool,
    private readonly publisher: CatalogPublisher,
  ) {}

  /// Venues

  async createVenue(actor: Actor, input: VenueInput): Promise<VenueRecord> {
    const venue = venueDefFrom(randomUUID(), input);
    const problems = venueProblems(venue);
    if (problems.length) throw invalid(problems);
    return insertVenue(this.pool, actor.sub, venue);
  }

  /** Replaces a venue's layout. Events keep the seat map they copied until they are pointed at the venue again. */
  async replaceVenue(actor: Actor, venueId: string, input: VenueInput): Promise<VenueRecord> {
    return inTransaction(this.pool, async (c) => {
      owned(actor, await findVenue(c, venueId, true), 'SS_ERR_VENUE_NOT_FOUND');
      const venue = venueDefFrom(venueId, input);
      const problems = venueProblems(venue);
      if (problems.length) throw invalid(problems);
      return updateVenue(c, venue);
    });
  }

  async venue(actor: Actor, venueId: string): Promise<VenueRecord> {
    return owned(actor, await findVenue(this.pool, venueId), 'SS_ERR_VENUE_NOT_FOUND');
  }

  /// Events

  async event(actor: Actor, eventId: string): Promise<EventRecord> {
    return owned(actor, await findEvent(this.pool, eventId), 'SS_ERR_EVENT_NOT_FOUND');
  }

  /** A new event (a draft, not on the topic) on a venue, with a copy of its seat map. */
  async createEvent(actor: Actor, input: EventInput): Promise<EventRecord> {
    const venue = owned(actor, await findVenue(this.pool, input.venueId), 'SS_ERR_VENUE_NOT_FOUND');
    const draft = {
      eventId: randomUUID(),
      organizerId: venue.organizerId,
      venueId: venue.venueId,
      venueVersion: venue.version,
      venue: venueDefOf(venue),
      ...termsOf(input),
      status: 'SCHEDULED' as const,
      published: false,
    };
    const problems = eventProblems({ ...draft, version: 1, updatedAt: Date.now() });
    if (problems.length) throw invalid(problems);
    return saveEvent(this.pool, draft, true);
  }

  /** Replaces an event's terms; its seat map is copied again from the venue named (the same one or another). */
  async replaceEvent(actor: Actor, eventId: string, input: EventInput): Promise<EventRecord> {
    return this.change(actor, eventId, async (e, c) => {
      const venue = await findVenue(c, input.venueId);
      if (!venue) throw new ApiError('SS_ERR_VENUE_NOT_FOUND');
      if (venue.organizerId !== e.organizerId)
        throw new ApiError('SS_ERR_CATALOG_NOT_OWNER', "the venue is not the event organizer's");
      return { ...e, venueId: venue.venueId, venueVersion: venue.version, venue: venueDefOf(venue), ...termsOf(input) };
    });
  }

  /** Publishes a draft (idempotent: a published event is answered as it is). */
  async publishEvent(actor: Actor, eventId: string): Promise<EventRecord> {
    return this.change(actor, eventId, async (e) => (e.published ? null : { ...e, published: true }));
  }

  /** Changes the sale status of a published event. CANCELLED is final. */
  async setStatus(actor: Actor, eventId: string, status: EventStatusName): Promise<EventRecord> {
    return this.change(actor, eventId, async (e) => {
      if (!e.published) throw new ApiError('SS_ERR_CATALOG_NOT_PUBLISHED');
      return e.status === status ? null : { ...e, status };
    });
  }

  /**
   * One change of an event: locked, checked, saved with its version + 1, then published when the event is. `edit`
   * answers the changed event, or null for no change.
   */
  private async change(
    actor: Actor,
    eventId: string,
    edit: (e: EventRecord, c: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<EventRecord | null>,
  ): Promise<EventRecord> {
    const saved = await inTransaction(this.pool, async (c) => {
      const e = owned(actor, await findEvent(c, eventId, 'FOR UPDATE'), 'SS_ERR_EVENT_NOT_FOUND');
      if (e.status === 'CANCELLED') throw new ApiError('SS_ERR_CATALOG_EVENT_CANCELLED');
      const next = await edit(e, c);
      if (next === null) return e;
      const problems = eventProblems({ ...next, version: e.version + 1 });
      if (problems.length) throw invalid(problems);
      return saveEvent(c, next, false);
    });
    if (!saved.published || saved.publishedVersion >= saved.version) return saved;
    await this.publisher.publish(saved.eventId);
    return (await findEvent(this.pool, saved.eventId)) ?? saved;
  }
}
