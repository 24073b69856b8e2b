/**
 * Organizers' venues and events as the API speaks them (JSON, Avro enum names: SEATED, ON_SALE...) ⇄ the seat
 * allocator's domain (processors/seat-allocation/model.ts), and the domain checks. Pure.
 *
 * An event is checked with the allocator's own `validateDefinition`, so the API accepts exactly what the allocator
 * will apply; a venue alone (before any event prices its categories) is checked the same way with its categories
 * stood in for, plus what only the API cares about (sizes, kind-specific fields).
 */
import type { EventStatus as AvroStatus } from '../../schemas/generated/catalog-event.js';
import type {
  EventDefinition,
  EventStatus,
  PriceCategoryDef,
  SectionDef,
  VenueDef,
} from '../../processors/seat-allocation/model.js';
import { validateDefinition } from '../../processors/seat-allocation/seatMap.js';

/// API shapes

export interface SeatRunInput {
  firstNumber: number;
  count: number;
  numberStep?: number;
  x: number;
  y: number;
  dx: number;
  dy?: number;
  priceCategoryId: string;
}

export interface RowInput {
  id: string;
  label: string;
  runs: SeatRunInput[];
}

export type SectionKindName = 'SEATED' | 'GENERAL_ADMISSION';

export interface SectionInput {
  id: string;
  name: string;
  kind: SectionKindName;
  capacity?: number;
  priceCategoryId?: string;
  rows?: RowInput[];
}

export interface VenueInput {
  name: string;
  city?: string | null;
  focus: { x: number; y: number };
  sections: SectionInput[];
}

export interface PriceCategoryInput {
  id: string;
  name: string;
  priceMinor: number;
  color?: string | null;
}

/** Event terms an organizer sets (the seat map comes from the venue). Times are ISO 8601. */
export interface EventTerms {
  name: string;
  startsAt: string | null;
  currency: string;
  priceCategories: PriceCategoryInput[];
  onSaleAt: string;
  offSaleAt: string;
  maxTicketsPerBuyer: number;
  holdDurationMs: number;
}

/// Limits of what one venue or event may hold (beyond them a catalog record and its expansion get unwieldy)

export const catalogLimits = {
  seats: 200_000,
  sections: 500,
  rowsPerSection: 500,
  runsPerRow: 100,
  seatsPerRun: 2_000,
  priceCategories: 50,
  gaCapacity: 1_000_000,
} as const;

/// Status names

const statusFromAvro: Record<AvroStatus, EventStatus> = {
  SCHEDULED: 'scheduled',
  ON_SALE: 'onSale',
  SALE_PAUSED: 'salePaused',
  SALE_ENDED: 'saleEnded',
  CANCELLED: 'cancelled',
};

export const eventStatuses = Object.keys(statusFromAvro) as AvroStatus[];
export type EventStatusName = AvroStatus;
export const toDomainStatus = (s: AvroStatus): EventStatus => statusFromAvro[s];

/// Venues

export const toSections = (sections: SectionInput[]): SectionDef[] =>
  sections.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind === 'GENERAL_ADMISSION' ? 'generalAdmission' : 'seated',
    capacity: s.capacity ?? null,
    priceCategoryId: s.priceCategoryId ?? null,
    rows: (s.rows ?? []).map(toRow),
  }));

const toRow = (r: RowInput): SectionDef['rows'][number] => ({
  id: r.id,
  label: r.label,
  runs: r.runs.map((run) => ({
    firstNumber: run.firstNumber,
    count: run.count,
    numberStep: run.numberStep ?? 1,
    x: run.x,
    y: run.y,
    dx: run.dx,
    dy: run.dy ?? 0,
    priceCategoryId: run.priceCategoryId,
  })),
});

/** The API form of stored sections (GA fields only on GA sections, rows only on seated ones). */
export function sectionsView(sections: SectionDef[]): SectionInput[] {
  return sections.map((s) =>
    s.kind === 'generalAdmission'
      ? {
          id: s.id,
          name: s.name,
          kind: 'GENERAL_ADMISSION',
          capacity: s.capacity ?? 0,
          priceCategoryId: s.priceCategoryId ?? '',
        }
      : {
          id: s.id,
          name: s.name,
          kind: 'SEATED',
          rows: s.rows.map((r) => ({ id: r.id, label: r.label, runs: r.runs.map((run) => ({ ...run })) })),
        },
  );
}

/** Price category ids a seat map uses, in first-use order. */
export function categoriesUsed(sections: SectionDef[]): string[] {
  const used = new Set<string>();
  for (const s of sections) {
    if (s.kind === 'generalAdmission') {
      if (s.priceCategoryId !== null) used.add(s.priceCategoryId);
    } else for (const r of s.rows) for (const run of r.runs) used.add(run.priceCategoryId);
  }
  return [...used];
}

export function capacity(sections: SectionDef[]): { seats: number; places: number } {
  let seats = 0;
  let places = 0;
  for (const s of sections) {
    if (s.kind === 'generalAdmission') places += s.capacity ?? 0;
    else for (const r of s.rows) for (const run of r.runs) seats += run.count;
  }
  return { seats, places };
}

const placeholderTerms = {
  eventId: 'venue-check',
  organizerId: 'venue-check',
  name: 'venue check',
  startsAt: null,
  currency: 'XXX',
  onSaleAt: 0,
  offSaleAt: 1,
  maxTicketsPerBuyer: 1,
  holdDurationMs: 1,
  status: 'scheduled',
  version: 1,
  updatedAt: 0,
} as const;

/** Problems of a seat map on its own (an empty list when it is usable by an event). */
export function venueProblems(venue: VenueDef): string[] {
  const problems: string[] = [];
  const { seats, places } = capacity(venue.sections);
  if (seats > catalogLimits.seats) problems.push(`the venue has ${seats} seats, more than ${catalogLimits.seats}`);
  if (places > catalogLimits.gaCapacity)
    problems.push(`the venue has ${places} general-admission places, more than ${catalogLimits.gaCapacity}`);
  // Checked first, and alone: the per-seat checks below cost time in proportion to the seats.
  if (problems.length) return problems;
  if (seats + places === 0) problems.push('the venue has neither seats nor general-admission places');
  for (const s of venue.sections) {
    if (s.kind === 'seated') {
      if (s.capacity !== null) problems.push(`seated section '${s.id}' has a capacity (its seats are its capacity)`);
      if (s.priceCategoryId !== null)
        problems.push(`seated section '${s.id}' has a price category (its runs name theirs)`);
      if (s.rows.length === 0) problems.push(`seated section '${s.id}' has no rows`);
    }
    for (const r of s.rows)
      for (const run of r.runs)
        if (run.firstNumber + (run.count - 1) * run.numberStep < 0)
          problems.push(`row '${s.id}/${r.id}' numbers seats below 0`);
  }
  // The allocator's own checks, with the venue's categories stood in for.
  const categories: PriceCategoryDef[] = categoriesUsed(venue.sections).map((id) => ({
    id,
    name: id,
    priceMinor: 0,
    color: null,
  }));
  problems.push(...validateDefinition({ ...placeholderTerms, venue, priceCategories: categories }));
  return problems;
}

/// Events

export const toPriceCategories = (cs: PriceCategoryInput[]): PriceCategoryDef[] =>
  cs.map((c) => ({ id: c.id, name: c.name, priceMinor: c.priceMinor, color: c.color ?? null }));

export interface StoredEvent {
  eventId: string;
  organizerId: string;
  venue: VenueDef;
  name: string;
  startsAt: number | null;
  currency: string;
  priceCategories: PriceCategoryDef[];
  onSaleAt: number;
  offSaleAt: number;
  maxTicketsPerBuyer: number;
  holdDurationMs: number;
  status: EventStatusName;
  version: number;
  updatedAt: number;
}

export const toDefinition = (e: StoredEvent): EventDefinition => ({
  eventId: e.eventId,
  organizerId: e.organizerId,
  name: e.name,
  startsAt: e.startsAt,
  venue: e.venue,
  currency: e.currency,
  priceCategories: e.priceCategories,
  onSaleAt: e.onSaleAt,
  offSaleAt: e.offSaleAt,
  maxTicketsPerBuyer: e.maxTicketsPerBuyer,
  holdDurationMs: e.holdDurationMs,
  status: toDomainStatus(e.status),
  version: e.version,
  updatedAt: e.updatedAt,
});

/** Problems of a whole event: the allocator's checks, then those of the API. */
export function eventProblems(e: StoredEvent): string[] {
  const problems = validateDefinition(toDefinition(e));
  if (!(e.onSaleAt < e.offSaleAt)) problems.push('offSaleAt must be after onSaleAt');
  return problems;
}

/** The problems as one message (the first few of them). */
export const describeProblems = (problems: string[], max = 10): string =>
  problems.slice(0, max).join('; ') + (problems.length > max ? `; and ${problems.length - max} more` : '');
