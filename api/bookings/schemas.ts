/** JSON Schemas of the booking routes (request and response), inlined per route. */
import { errorCatalog } from '../errors.js';
import { rejectionCodes } from './answers.js';

const id = (max: number) => ({ type: 'string', pattern: `^[A-Za-z0-9][A-Za-z0-9_.:-]{0,${max - 1}}$` }) as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const uuid = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;

export const eventParams = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId'],
  properties: { eventId: id(128) },
} as const;

export const holdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['holdId'],
  properties: { holdId: { type: 'string', pattern: '^H-[A-Za-z0-9_.:-]{1,200}$' } },
} as const;

export const bookingParams = {
  type: 'object',
  additionalProperties: false,
  required: ['bookingId'],
  properties: { bookingId: { type: 'string', pattern: '^B-[A-Za-z0-9_.:-]{1,200}$' } },
} as const;

export const requestParams = {
  type: 'object',
  additionalProperties: false,
  required: ['requestId'],
  properties: { requestId: uuid },
} as const;

export const idempotencyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'Required. 8 to 255 visible ASCII characters naming this attempt (a UUID will do): sending the request again ' +
        'with the same key gets the same answer, the same hold. A key reused for another request is a 422.',
    },
  },
} as const;

const seatId = { type: 'string', pattern: '^[A-Za-z0-9_.:]{1,64}-[A-Za-z0-9_.:]{1,64}-[0-9]{1,9}$' } as const;
const maxTickets = 50;

const sectionOrCategoryId = { type: 'string', pattern: '^[A-Za-z0-9_.:]{1,64}$' } as const;
/** "Must not be present", in a form OpenAPI 3.0 accepts (it has no boolean schemas). */
const absent = { not: {} } as const;

export const HoldBody = {
  type: 'object',
  additionalProperties: false,
  description:
    'Either `seatIds` (those seats, all or nothing), or a `quantity`: the best available seats (adjacent in one row ' +
    'when possible), optionally within a seated section or a price category, or places of a general-admission ' +
    'section (`sectionId`).',
  properties: {
    seatIds: { type: 'array', minItems: 1, maxItems: maxTickets, uniqueItems: true, items: seatId },
    quantity: { type: 'integer', minimum: 1, maximum: maxTickets },
    sectionId: sectionOrCategoryId,
    priceCategoryId: sectionOrCategoryId,
  },
  // Strict Ajv wants the properties a `required` names declared beside it.
  oneOf: [
    {
      required: ['seatIds'],
      properties: { seatIds: { type: 'array' }, quantity: absent, sectionId: absent, priceCategoryId: absent },
    },
    { required: ['quantity'], properties: { quantity: { type: 'integer' }, seatIds: absent } },
  ],
} as const;

export const CancelBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
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
  nullable: true,
  additionalProperties: false,
  required: ['sectionId', 'quantity', 'priceCategoryId', 'unitPriceMinor'],
  properties: {
    sectionId: { type: 'string' },
    quantity: { type: 'integer' },
    priceCategoryId: { type: 'string' },
    unitPriceMinor: { type: 'integer' },
  },
} as const;

const holdProperties = {
  requestId: { type: 'string' },
  holdId: { type: 'string' },
  eventId: { type: 'string' },
  seats: { type: 'array', items: heldSeat },
  generalAdmission: places,
  tickets: { type: 'integer' },
  totalMinor: { type: 'integer', description: 'Sum of the prices, in minor units of the currency' },
  currency: { type: 'string' },
  heldAt: isoTime,
  expiresAt: { ...isoTime, description: 'The hold ends then unless confirmed' },
} as const;

const holdRequired = Object.keys(holdProperties);

export const Hold = {
  type: 'object',
  additionalProperties: false,
  required: [...holdRequired, 'status'],
  properties: { ...holdProperties, status: { type: 'string', enum: ['HELD'] } },
} as const;

export const Pending = {
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'status', 'statusUrl'],
  description: 'The decision did not come within the wait: follow statusUrl, or send the same request again.',
  properties: {
    requestId: { type: 'string' },
    status: { type: 'string', enum: ['PENDING'] },
    statusUrl: { type: 'string' },
  },
} as const;

/** A refusal by the seat allocator (RSV_* code) or by the API (SS_ERR_* code) on a booking route. */
export const Refusal = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: [...rejectionCodes, ...Object.keys(errorCatalog)] },
    message: { type: 'string' },
    requestId: { type: 'string', description: 'The request the allocator refused (RSV_* codes)' },
    seatIds: { type: 'array', items: { type: 'string' }, description: 'The offending seats, if any' },
  },
} as const;

export const RequestStatus = {
  type: 'object',
  additionalProperties: false,
  required: [
    'requestId',
    'status',
    'eventId',
    'decision',
    'code',
    'message',
    'holdId',
    'bookingId',
    'seatIds',
    'decidedAt',
    'hold',
  ],
  properties: {
    requestId: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'ACCEPTED', 'REJECTED'] },
    eventId: { type: 'string' },
    decision: { type: 'string', nullable: true, description: 'SeatsHeld, HoldRejected, HoldReleased, ...' },
    code: { type: 'string', nullable: true, description: 'RSV_* code of a refusal' },
    message: { type: 'string', nullable: true },
    holdId: { type: 'string', nullable: true },
    bookingId: { type: 'string', nullable: true },
    seatIds: { type: 'array', items: { type: 'string' } },
    decidedAt: { ...isoTime, nullable: true },
    hold: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [...holdRequired, 'status'],
      properties: {
        ...holdProperties,
        status: { type: 'string', description: 'HELD, RELEASED, EXPIRED or CONFIRMED' },
      },
    },
  },
} as const;
