/**
 * Figures: named counts that two stores holding the same facts must agree on. A figure's key is
 * `measure|eventId|detail…`, e.g. `holds|evt-1|booked` or `rejections|evt-1|HOLD|RSV_SOLD_OUT`; its value a number.
 * Every source of figures (the event log, ClickHouse, PostgreSQL) says which measures it provides, and only sources
 * providing a measure are compared on it.
 */

export type Figures = Map<string, number>;

/** Measures of reservation facts, and the detail each key carries after the event id. */
export const measures = {
  /** Decisions per type (replays excluded): `decisions|<event>|<DecisionType>`. */
  decisions: 'decisions',
  /** Repeated decisions for retried requests: `replays|<event>`. */
  replays: 'replays',
  /** Holds by their current status: `holds|<event>|held|released|expired|booked|cancelled`. */
  holds: 'holds',
  /** Bookings by status, and their tickets: `bookings|<event>|confirmed|cancelled`, `tickets|<event>|sold|cancelled`. */
  bookings: 'bookings',
  tickets: 'tickets',
  /** Revenue of the bookings not cancelled, in minor units: `revenue|<event>|<currency>`. */
  revenue: 'revenue',
  /** Rejections by command and code: `rejections|<event>|<HOLD|RELEASE_HOLD|…>|<code>`. */
  rejections: 'rejections',
} as const;

export type Measure = (typeof measures)[keyof typeof measures];

export const figureKey = (measure: Measure | string, eventId: string, ...detail: string[]): string =>
  [measure, eventId, ...detail].join('|');

export const measureOf = (key: string): string => key.slice(0, key.indexOf('|'));

export function add(f: Figures, key: string, n = 1): void {
  f.set(key, (f.get(key) ?? 0) + n);
}

/** Drops zero figures: "0" and "absent" mean the same. */
export function nonZero(f: Figures): Figures {
  return new Map([...f].filter(([, v]) => v !== 0));
}
