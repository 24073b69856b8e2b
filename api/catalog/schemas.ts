/**
 * JSON Schemas of the catalog routes: organizers' venues and events (bodies validated strictly: unknown fields and
 * wrong types are 400s), and what buyers read. Inlined in each route (no shared $id), so the OpenAPI document is
 * complete whatever scope registers them.
 */
import { catalogLimits, eventStatuses } from './definition.js';
import { seatStatusNames } from './views.js';

const idPattern = '^[A-Za-z0-9_]{1,32}$';
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;
const coordinate = { type: 'number', minimum: -1_000_000, maximum: 1_000_000 } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: 'string', format: 'date-time', nullable: true } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const ticketLimit = { type: 'integer', minimum: 1, maximum: 100 } as const;
const holdDuration = {
  type: 'integer',
  minimum: 60_000,
  maximum: 3_600_000,
  description: 'How long a hold lasts, in milliseconds (1 to 60 minutes)',
} as const;
const money = { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 } as const;

/** Event ids as the topics carry them (the API's are UUIDs; demo and partner events may use others). */
export const eventIdParam = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId'],
  properties: { eventId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' } },
} as const;

export const organizerEventParam = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId'],
  properties: { eventId: uuid },
} as const;

export const venueParam = {
  type: 'object',
  additionalProperties: false,
  required: ['venueId'],
  properties: { venueId: uuid },
} as const;

/// Seat maps (organizer input and output)

const seatRun = {
  type: 'object',
  additionalProperties: false,
  required: ['firstNumber', 'count', 'x', 'y', 'dx', 'priceCategoryId'],
  description:
    "count seats numbered firstNumber, firstNumber + numberStep, ...; seat k is drawn at (x + k·dx, y + k·dy); seat ids are '<sectionId>-<rowId>-<number>'",
  properties: {
    firstNumber: { type: 'integer', minimum: 0, maximum: 999_999 },
    count: { type: 'integer', minimum: 1, maximum: catalogLimits.seatsPerRun },
    numberStep: { type: 'integer', minimum: -100, maximum: 100, not: { const: 0 }, default: 1 },
    x: coordinate,
    y: coordinate,
    dx: coordinate,
    dy: { ...coordinate, default: 0 },
    priceCategoryId: { type: 'string', pattern: idPattern },
  },
} as const;

const row = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'label', 'runs'],
  properties: {
    id: { type: 'string', pattern: idPattern },
    label: text(16),
    runs: { type: 'array', minItems: 1, maxItems: catalogLimits.runsPerRow, items: seatRun },
  },
} as const;

const section = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'kind'],
  description: 'SEATED: rows of seat runs. GENERAL_ADMISSION: capacity places of one price category, no rows.',
  properties: {
    id: { type: 'string', pattern: idPattern },
    name: text(100),
    kind: { type: 'string', enum: ['SEATED', 'GENERAL_ADMISSION'] },
    capacity: { type: 'integer', minimum: 0, maximum: catalogLimits.gaCapacity },
    priceCategoryId: { type: 'string', pattern: idPattern },
    rows: { type: 'array', maxItems: catalogLimits.rowsPerSection, items: row },
  },
} as const;

const point = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y'],
  properties: { x: coordinate, y: coordinate },
} as const;

export const VenueBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'focus', 'sections'],
  properties: {
    name: text(200),
    city: { type: ['string', 'null'], maxLength: 100 },
    focus: {
      ...point,
      description: 'The point the audience looks at (stage, pitch centre): best available seats are the closest to it',
    },
    sections: { type: 'array', minItems: 1, maxItems: catalogLimits.sections, items: section },
  },
} as const;

export const Venue = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'organizerId',
    'name',
    'city',
    'focus',
    'sections',
    'seatCount',
    'gaCapacity',
    'version',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: uuid,
    organizerId: uuid,
    name: { type: 'string' },
    city: { type: 'string', nullable: true },
    focus: point,
    sections: { type: 'array', items: section },
    seatCount: { type: 'integer' },
    gaCapacity: { type: 'integer' },
    version: { type: 'integer' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export const VenueSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'city', 'seatCount', 'gaCapacity', 'version', 'updatedAt'],
  properties: {
    id: uuid,
    name: { type: 'string' },
    city: { type: 'string', nullable: true },
    seatCount: { type: 'integer' },
    gaCapacity: { type: 'integer' },
    version: { type: 'integer' },
    updatedAt: dateTime,
  },
} as const;

/// Events (organizer input and output)

const priceCategoryBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'priceMinor'],
  properties: {
    id: { type: 'string', pattern: idPattern },
    name: text(100),
    priceMinor: { ...money, description: "Price of one seat or place in minor units of the event's currency" },
    color: { type: ['string', 'null'], pattern: '^#[0-9A-Fa-f]{6}$' },
  },
} as const;

const priceCategory = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'priceMinor', 'color'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    priceMinor: { type: 'integer' },
    color: { type: 'string', nullable: true },
  },
} as const;

const termsProperties = {
  name: text(200),
  startsAt: { type: ['string', 'null'], format: 'date-time' },
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code of every price of the event' },
  priceCategories: { type: 'array', minItems: 1, maxItems: catalogLimits.priceCategories, items: priceCategoryBody },
  onSaleAt: dateTime,
  offSaleAt: dateTime,
  maxTicketsPerBuyer: ticketLimit,
  holdDurationMs: holdDuration,
} as const;

export const EventCreateBody = {
  type: 'object',
  additionalProperties: false,
  required: [
    'venueId',
    'name',
    'currency',
    'priceCategories',
    'onSaleAt',
    'offSaleAt',
    'maxTicketsPerBuyer',
    'holdDurationMs',
  ],
  properties: { venueId: uuid, ...termsProperties },
} as const;

export const EventPatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: "Changes some terms; `venueId` copies that venue's current seat map into the event.",
  properties: { venueId: uuid, ...termsProperties },
} as const;

export const EventStatusBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: eventStatuses } },
} as const;

export const OrganizerEvent = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'organizerId',
    'venueId',
    'venueVersion',
    'name',
    'startsAt',
    'currency',
    'priceCategories',
    'onSaleAt',
    'offSaleAt',
    'maxTicketsPerBuyer',
    'holdDurationMs',
    'status',
    'version',
    'published',
    'publishedVersion',
    'publication',
    'seatCount',
    'gaCapacity',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: uuid,
    organizerId: uuid,
    venueId: uuid,
    venueVersion: { type: 'integer' },
    name: { type: 'string' },
    startsAt: nullableDateTime,
    currency: { type: 'string' },
    priceCategories: { type: 'array', items: priceCategory },
    onSaleAt: dateTime,
    offSaleAt: dateTime,
    maxTicketsPerBuyer: { type: 'integer' },
    holdDurationMs: { type: 'integer' },
    status: { type: 'string', enum: eventStatuses },
    version: { type: 'integer', description: 'Revision of the definition, +1 at every change' },
    published: { type: 'boolean' },
    publishedVersion: { type: 'integer', description: 'The last revision sent to catalog.events.v1 (0: none)' },
    publication: {
      type: 'string',
      enum: ['DRAFT', 'PENDING', 'PUBLISHED'],
      description:
        'DRAFT: not published; PENDING: the latest revision is not on the topic yet (it is retried); PUBLISHED: it is',
    },
    seatCount: { type: 'integer' },
    gaCapacity: { type: 'integer' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export const EventSales = {
  type: 'object',
  additionalProperties: false,
  required: [
    'eventId',
    'decisions',
    'holds',
    'rejections',
    'releases',
    'expiries',
    'bookings',
    'cancellations',
    'ticketsHeld',
    'ticketsSold',
    'revenueMinor',
  ],
  properties: {
    eventId: { type: 'string' },
    decisions: { type: 'integer' },
    holds: { type: 'integer' },
    rejections: { type: 'integer' },
    releases: { type: 'integer' },
    expiries: { type: 'integer' },
    bookings: { type: 'integer' },
    cancellations: { type: 'integer' },
    ticketsHeld: { type: 'integer' },
    ticketsSold: { type: 'integer' },
    revenueMinor: { type: 'integer' },
  },
} as const;

/// Buyers

export const ListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', minLength: 1, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

export const EventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '\\S',
      description: 'Full-text search (English, French, Arabic): words, "a phrase", -excluded',
    },
    from: { ...dateTime, description: 'Events starting at or after this instant' },
    to: { ...dateTime, description: 'Events starting before this instant' },
    city: { type: 'string', minLength: 1, maxLength: 100 },
    ...ListQuery.properties,
  },
} as const;

const venueRef = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'city'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, city: { type: 'string', nullable: true } },
} as const;

const eventSummaryProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  startsAt: nullableDateTime,
  status: { type: 'string', enum: eventStatuses },
  venue: venueRef,
  currency: { type: 'string' },
  minPriceMinor: { type: 'integer' },
  maxPriceMinor: { type: 'integer' },
  onSaleAt: dateTime,
  offSaleAt: dateTime,
  seatCount: { type: 'integer' },
  gaCapacity: { type: 'integer' },
  version: { type: 'integer' },
} as const;

const eventSummaryRequired = Object.keys(eventSummaryProperties);

export const EventSummary = {
  type: 'object',
  additionalProperties: false,
  required: eventSummaryRequired,
  properties: eventSummaryProperties,
} as const;

export const EventPage = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: EventSummary }, nextCursor: { type: 'string', nullable: true } },
} as const;

const sectionView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'kind', 'capacity', 'priceCategoryId', 'seatCount'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['SEATED', 'GENERAL_ADMISSION'] },
    capacity: { type: 'integer', nullable: true, description: 'GENERAL_ADMISSION: places for sale' },
    priceCategoryId: { type: 'string', nullable: true, description: 'GENERAL_ADMISSION: the category of every place' },
    seatCount: { type: 'integer' },
  },
} as const;

const seat = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'sectionId', 'rowId', 'row', 'label', 'priceCategoryId', 'x', 'y'],
  properties: {
    id: { type: 'string', description: "'<sectionId>-<rowId>-<number>'" },
    sectionId: { type: 'string' },
    rowId: { type: 'string' },
    row: { type: 'string', description: 'Row label as printed' },
    label: { type: 'string', description: 'Seat label as printed' },
    priceCategoryId: { type: 'string' },
    x: { type: 'number' },
    y: { type: 'number' },
  },
} as const;

export const EventDetail = {
  type: 'object',
  additionalProperties: false,
  required: [
    ...eventSummaryRequired,
    'organizerId',
    'maxTicketsPerBuyer',
    'holdDurationMs',
    'focus',
    'priceCategories',
    'sections',
    'seats',
    'updatedAt',
  ],
  properties: {
    ...eventSummaryProperties,
    organizerId: { type: 'string' },
    maxTicketsPerBuyer: { type: 'integer' },
    holdDurationMs: { type: 'integer' },
    focus: point,
    priceCategories: { type: 'array', items: priceCategory },
    sections: { type: 'array', items: sectionView },
    seats: {
      type: 'array',
      items: seat,
      description: 'Every seat in seat-map order (the order of the packed states of availability)',
    },
    updatedAt: dateTime,
  },
} as const;

export const AvailabilityQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seats: {
      type: 'string',
      enum: ['all', 'taken', 'none'],
      default: 'all',
      description: 'Per-seat states to list: every seat, only held and sold ones, or none (counts only)',
    },
  },
} as const;

const counts = {
  type: 'object',
  additionalProperties: false,
  required: ['free', 'held', 'sold', 'total'],
  properties: {
    free: { type: 'integer' },
    held: { type: 'integer' },
    sold: { type: 'integer' },
    total: { type: 'integer' },
  },
} as const;

export const Availability = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'version', 'asOf', 'catalogVersion', 'totals', 'sections', 'priceCategories', 'seats'],
  properties: {
    eventId: { type: 'string' },
    version: { type: 'integer', description: 'Increases with every change of the inventory' },
    asOf: dateTime,
    catalogVersion: { type: 'integer', description: 'The seat-map revision the per-seat states are in' },
    totals: counts,
    sections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sectionId', 'generalAdmission', 'counts', 'seatStatus'],
        properties: {
          sectionId: { type: 'string' },
          generalAdmission: { type: 'boolean' },
          counts,
          seatStatus: {
            type: 'string',
            description: 'base64 of 2 bits per seat in seat-map order: 0 free, 1 held, 2 sold, 3 not for sale',
          },
        },
      },
    },
    priceCategories: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['priceCategoryId', 'counts'],
        properties: { priceCategoryId: { type: 'string' }, counts },
      },
    },
    seats: {
      type: 'array',
      description: 'Per-seat states in seat-map order (see the seats query parameter)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'status'],
        properties: { id: { type: 'string' }, status: { type: 'string', enum: seatStatusNames } },
      },
    },
  },
} as const;

const heldSeat = {
  type: 'object',
  additionalProperties: false,
  required: ['seatId', 'sectionId', 'rowLabel', 'seatLabel', 'priceCategoryId', 'priceMinor'],
  properties: {
    seatId: { type: 'string' },
    sectionId: { type: 'string' },
    rowLabel: { type: 'string' },
    seatLabel: { type: 'string' },
    priceCategoryId: { type: 'string' },
    priceMinor: { type: 'integer' },
  },
} as const;

const places = {
  type: 'object',
  additionalProperties: false,
  nullable: true,
  required: ['sectionId', 'quantity', 'priceCategoryId', 'unitPriceMinor'],
  properties: {
    sectionId: { type: 'string' },
    quantity: { type: 'integer' },
    priceCategoryId: { type: 'string' },
    unitPriceMinor: { type: 'integer' },
  },
} as const;

export const holdStatuses = ['HELD', 'RELEASED', 'EXPIRED', 'CONFIRMED'] as const;
export const bookingStatuses = ['CONFIRMED', 'CANCELLED'] as const;

export const HoldsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    eventId: eventIdParam.properties.eventId,
    status: { type: 'string', enum: holdStatuses },
    ...ListQuery.properties,
  },
} as const;

export const BookingsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    eventId: eventIdParam.properties.eventId,
    status: { type: 'string', enum: bookingStatuses },
    ...ListQuery.properties,
  },
} as const;

const hold = {
  type: 'object',
  additionalProperties: false,
  required: [
    'holdId',
    'eventId',
    'eventName',
    'seats',
    'generalAdmission',
    'tickets',
    'totalMinor',
    'currency',
    'heldAt',
    'expiresAt',
    'status',
    'endedAt',
    'bookingId',
  ],
  properties: {
    holdId: { type: 'string' },
    eventId: { type: 'string' },
    eventName: { type: 'string', nullable: true },
    seats: { type: 'array', items: heldSeat },
    generalAdmission: places,
    tickets: { type: 'integer' },
    totalMinor: { type: 'integer' },
    currency: { type: 'string' },
    heldAt: dateTime,
    expiresAt: dateTime,
    status: {
      type: 'string',
      enum: holdStatuses,
      description: 'HELD until released, expired (also past expiresAt once swept) or confirmed',
    },
    endedAt: nullableDateTime,
    bookingId: { type: 'string', nullable: true },
  },
} as const;

const booking = {
  type: 'object',
  additionalProperties: false,
  required: [
    'bookingId',
    'holdId',
    'eventId',
    'eventName',
    'seats',
    'generalAdmission',
    'tickets',
    'totalMinor',
    'currency',
    'paymentReference',
    'status',
    'confirmedAt',
    'cancelledAt',
  ],
  properties: {
    bookingId: { type: 'string' },
    holdId: { type: 'string' },
    eventId: { type: 'string' },
    eventName: { type: 'string', nullable: true },
    seats: { type: 'array', items: heldSeat },
    generalAdmission: places,
    tickets: { type: 'integer' },
    totalMinor: { type: 'integer' },
    currency: { type: 'string' },
    paymentReference: { type: 'string' },
    status: { type: 'string', enum: bookingStatuses },
    confirmedAt: dateTime,
    cancelledAt: nullableDateTime,
  },
} as const;

export const HoldPage = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: hold }, nextCursor: { type: 'string', nullable: true } },
} as const;

export const BookingPage = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: booking }, nextCursor: { type: 'string', nullable: true } },
} as const;

export const listOf = <T>(items: T) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: { items: { type: 'array', items } },
  }) as const;
