/**
 * What a principal may see on the dashboards, and the time range and bucket size of a request. Pure.
 *
 * An admin sees every event; an organizer only the events whose catalog organizerId is their user id (the `sub` of
 * the verified access token). Asking for an event out of scope is refused, not silently emptied.
 */

export interface ScopedEvent {
  eventId: string;
  organizerId: string;
}

export type ScopeDecision = { ok: true; eventIds: string[] } | { ok: false; reason: 'forbidden' };

/**
 * The events a request covers: the one asked for (if in scope), or every event in scope. For an admin, an event
 * not (yet) in the events dimension may still be asked for by id.
 */
export function resolveScope(
  principal: { sub: string; role: string },
  inScope: readonly ScopedEvent[],
  requested: string | undefined,
): ScopeDecision {
  const admin = principal.role === 'admin';
  const mine = admin ? inScope : inScope.filter((e) => e.organizerId === principal.sub);
  if (requested === undefined) return { ok: true, eventIds: mine.map((e) => e.eventId) };
  if (admin || mine.some((e) => e.eventId === requested)) return { ok: true, eventIds: [requested] };
  return { ok: false, reason: 'forbidden' };
}

/** Bucket sizes a chart may use, in seconds. */
export const steps = [60, 300, 900, 1_800, 3_600, 10_800, 21_600, 86_400] as const;

/** At most this many buckets per chart. */
export const maxBuckets = 240;

/** The longest range one request may cover: 400 days. */
export const maxRangeSeconds = 400 * 86_400;

/** The smallest allowed step giving at most `maxBuckets` buckets over the range. */
export const autoStep = (fromSec: number, toSec: number): number =>
  steps.find((s) => (toSec - fromSec) / s <= maxBuckets) ?? steps[steps.length - 1]!;

export interface TimeRange {
  from: number;
  to: number;
  step: number;
}

/**
 * The range of a request in epoch seconds: `to` defaults to now (rounded up to the minute, so the current minute
 * shows), `from` to three hours before `to`; `step` is checked against the allowed ones or chosen.
 */
export function resolveRange(
  q: { from?: number; to?: number; step?: number },
  nowMs: number,
): { ok: true; range: TimeRange } | { ok: false; message: string } {
  const to = q.to ?? Math.ceil(nowMs / 60_000) * 60;
  const from = q.from ?? to - 3 * 3_600;
  if (from >= to) return { ok: false, message: 'from must be before to' };
  if (to - from > maxRangeSeconds) return { ok: false, message: 'the range may cover 400 days at most' };
  const step = q.step ?? autoStep(from, to);
  if (!(steps as readonly number[]).includes(step))
    return { ok: false, message: `step must be one of ${steps.join(', ')}` };
  if ((to - from) / step > 10 * maxBuckets) return { ok: false, message: 'too many buckets: choose a larger step' };
  return { ok: true, range: { from, to, step } };
}
