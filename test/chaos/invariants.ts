/**
 * What the chaos run checks once the load has stopped and the platform is quiet, as pure functions of what it read
 * (the decision log, the buyers' answers, the read models). Each check answers how many things it checked and the
 * violations it found.
 */
import { errorCatalog, type ErrorCode } from '../../api/errors.js';
import { DecisionFold } from '../../processors/seat-allocation/testing/decision-fold.js';
import type { EventDefinition, ReservationDecision } from '../../processors/seat-allocation/model.js';

export interface Check {
  invariant: string;
  checked: number;
  violations: string[];
}

/** Answers by code: `201`, `204`, `202`, `RSV_…` (the allocator's refusals), `SS_ERR_…`, `NETWORK`, `HTTP_<status>`. */
export type OutcomeCounts = Map<string, number>;

/**
 * The API's error codes a client retries: those whose status says "try again" (503 unavailable, 504 timeout), from
 * api/errors.ts's table — but a feature switched off is a decision of the operator, not a fault to wait out.
 */
export const retryableErrorCodes: ReadonlySet<string> = new Set(
  (Object.keys(errorCatalog) as ErrorCode[]).filter(
    (c) => [503, 504].includes(errorCatalog[c].status) && c !== 'SS_ERR_FEATURE_DISABLED',
  ),
);

/**
 * What a client sends again (same Idempotency-Key): no connection (status 0), 202 still pending, a retryable error
 * code, or a 503/504 without a body of ours (`HTTP_503`, a proxy's answer).
 */
export const isRetryable = (a: { status: number; code: string }): boolean =>
  a.status === 0 ||
  a.status === 202 ||
  retryableErrorCodes.has(a.code) ||
  a.code === 'HTTP_503' ||
  a.code === 'HTTP_504';

/**
 * Buyers saw errors only as retryable codes: decisions (2xx, `RSV_*` refusals), pending answers and retryable errors
 * are fine; any other code (500, 400, an unexpected 4xx) is a violation.
 */
export function checkErrorCodes(outcomes: OutcomeCounts): Check {
  const violations: string[] = [];
  let checked = 0;
  for (const [code, n] of outcomes) {
    checked += n;
    const fine =
      /^2\d\d$/.test(code) || code.startsWith('RSV_') || isRetryable({ status: code === 'NETWORK' ? 0 : 1, code });
    if (!fine) violations.push(`${code} × ${n}`);
  }
  return { invariant: 'buyers saw only retryable error codes', checked, violations };
}

/**
 * Every accepted request has exactly one decision: per request id, exactly one decision that is not a replay (a
 * retried request may have any number of replays).
 */
export function checkOneDecisionPerRequest(requestIds: Iterable<string>, decisions: ReservationDecision[]): Check {
  const firsts = new Map<string, number>();
  for (const d of decisions) if (!d.meta.replay) firsts.set(d.meta.requestId, (firsts.get(d.meta.requestId) ?? 0) + 1);
  const violations: string[] = [];
  let checked = 0;
  for (const id of new Set(requestIds)) {
    checked++;
    const n = firsts.get(id) ?? 0;
    if (n !== 1) violations.push(`request ${id}: ${n} decisions`);
  }
  return { invariant: 'every accepted request has exactly one decision', checked, violations };
}

/** No seat held or sold twice: the decisions of each event replayed in log order (DecisionFold, the tests' oracle). */
export function checkNoDoubleAllocation(
  definitions: EventDefinition[],
  decisionsByEvent: Map<string, ReservationDecision[]>,
): Check {
  const violations: string[] = [];
  let checked = 0;
  for (const def of definitions) {
    const fold = new DecisionFold(def);
    for (const d of decisionsByEvent.get(def.eventId) ?? []) {
      fold.apply(d);
      if (!d.meta.replay) checked++;
    }
    violations.push(...fold.violations.map((v) => `${def.eventId}: ${v}`));
  }
  return { invariant: 'no seat held or sold twice (decisions replayed)', checked, violations };
}

/**
 * Every confirmed booking is in each read model exactly once: `present` gives, per store, how many times it holds
 * each booking id of the log.
 */
export function checkBookingsOnce(logBookings: string[], stores: Record<string, Map<string, number>>): Check {
  const violations: string[] = [];
  for (const [store, counts] of Object.entries(stores)) {
    for (const id of logBookings) {
      const n = counts.get(id) ?? 0;
      if (n !== 1) violations.push(`${store}: booking ${id} × ${n}`);
    }
    const inLog = new Set(logBookings);
    for (const id of counts.keys()) if (!inLog.has(id)) violations.push(`${store}: booking ${id} is not in the log`);
  }
  return {
    invariant: `every confirmed booking in ${Object.keys(stores).join(', ')} exactly once`,
    checked: logBookings.length * Object.keys(stores).length,
    violations,
  };
}

/** What buyers were told is what the log says: every booking a checkout answered with was confirmed in the log. */
export function checkToldBookings(told: string[], logBookings: string[]): Check {
  const inLog = new Set(logBookings);
  return {
    invariant: 'every booking a buyer was given is confirmed in the log',
    checked: told.length,
    violations: told.filter((b) => !inLog.has(b)).map((b) => `booking ${b} told to a buyer, not in the log`),
  };
}
