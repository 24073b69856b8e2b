/**
 * What a release compares: an API replica's requests, server errors and latency distribution over a window, read
 * from its Prometheus text (`http_request_duration_seconds`, api/http/metrics.ts). Pure: the canary script scrapes,
 * this module parses and subtracts.
 */

/** Cumulative counts of one replica at one scrape: total requests, 5xx answers, and requests per `le` bucket. */
export interface RequestCounts {
  requests: number;
  serverErrors: number;
  /** Upper bound in seconds (Infinity for +Inf) → cumulative count, summed over routes, methods and statuses. */
  buckets: Map<number, number>;
}

/** Routes that say nothing about a release: probes and scrapes. */
const ignoredRoutes = new Set(['/health', '/ready', '/metrics']);
const histogram = 'http_request_duration_seconds';

function labelsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out.set(m[1]!, m[2]!);
  return out;
}

export function parseRequestCounts(prometheusText: string): RequestCounts {
  const counts: RequestCounts = { requests: 0, serverErrors: 0, buckets: new Map() };
  for (const line of prometheusText.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m || !m[1]!.startsWith(histogram)) continue;
    const labels = labelsOf(m[2]!);
    if (ignoredRoutes.has(labels.get('route') ?? '')) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === `${histogram}_count`) {
      counts.requests += value;
      if ((labels.get('status_code') ?? '').startsWith('5')) counts.serverErrors += value;
    } else if (m[1] === `${histogram}_bucket`) {
      const le = labels.get('le') === '+Inf' ? Infinity : Number(labels.get('le'));
      if (!Number.isNaN(le)) counts.buckets.set(le, (counts.buckets.get(le) ?? 0) + value);
    }
  }
  return counts;
}

/**
 * What happened between two scrapes of one replica. A counter that went down means the replica restarted in
 * between: its counts since the restart are the window.
 */
export function windowBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  if (after.requests < before.requests) return after;
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, Math.max(0, n - (before.buckets.get(le) ?? 0)));
  return {
    requests: after.requests - before.requests,
    serverErrors: Math.max(0, after.serverErrors - before.serverErrors),
    buckets,
  };
}

/** Several replicas as one (the stable side of a canary comparison). */
export function combine(windows: RequestCounts[]): RequestCounts {
  const out: RequestCounts = { requests: 0, serverErrors: 0, buckets: new Map() };
  for (const w of windows) {
    out.requests += w.requests;
    out.serverErrors += w.serverErrors;
    for (const [le, n] of w.buckets) out.buckets.set(le, (out.buckets.get(le) ?? 0) + n);
  }
  return out;
}

/**
 * The q-quantile of a window's latency in seconds, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; undefined without requests. Past the last finite bound it answers that bound.
 */
export function quantile(w: RequestCounts, q: number): number | undefined {
  const bounds = [...w.buckets.keys()].sort((a, b) => a - b);
  const total = w.buckets.get(Infinity) ?? w.requests;
  if (total <= 0 || bounds.length === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const le of bounds) {
    const count = w.buckets.get(le)!;
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket > 0 ? lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket : le;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

export const errorRate = (w: RequestCounts): number => (w.requests > 0 ? w.serverErrors / w.requests : 0);
