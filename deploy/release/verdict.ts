/**
 * A canary's verdict: compare the canary's window with the stable replicas' over the same time and decide to
 * promote, keep watching, or roll back. Pure (numbers in, a verdict and its reasons out), so every rule is tested
 * without a cluster; deploy/scripts/canary.ts acts on it.
 *
 * Rules, in order:
 *   1. a canary much worse than stable rolls back at once, whenever it is seen (errors, then p99 latency);
 *   2. before the analysis time is over, or before the canary served enough requests to judge, hold;
 *   3. when the time is over: enough requests and not worse → promote; too few requests → roll back (a release
 *      nobody exercised is not a release anybody verified).
 */
import { errorRate, quantile, type RequestCounts } from './api-metrics.js';

export type Verdict = 'promote' | 'hold' | 'rollback';

export interface CanaryPolicy {
  /** How long the canary is watched before it may be promoted. */
  analysisMs: number;
  /** Requests the canary must have served in the window before it is judged on rates. */
  minRequests: number;
  /** Canary error rate may exceed stable's by this much, absolute (0.01 = one point of percentage)… */
  maxErrorRateIncrease: number;
  /** …and by this factor. Both must be exceeded to roll back (a ratio alone overreacts to a 0.01 % stable rate). */
  maxErrorRateRatio: number;
  /** Canary p99 may be this many times stable's… */
  maxP99Ratio: number;
  /** …and this much slower, absolute, in seconds (jitter on fast routes is no regression). */
  p99SlackSeconds: number;
}

export const defaultCanaryPolicy: CanaryPolicy = {
  analysisMs: 10 * 60_000,
  minRequests: 200,
  maxErrorRateIncrease: 0.01,
  maxErrorRateRatio: 2,
  maxP99Ratio: 1.5,
  p99SlackSeconds: 0.05,
};

export interface Comparison {
  canary: { requests: number; errorRate: number; p99Seconds: number | undefined };
  stable: { requests: number; errorRate: number; p99Seconds: number | undefined };
}

export interface Decision {
  verdict: Verdict;
  reasons: string[];
  comparison: Comparison;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const ms = (s: number | undefined) => (s === undefined ? 'n/a' : `${(s * 1000).toFixed(0)} ms`);

export function compare(canary: RequestCounts, stable: RequestCounts): Comparison {
  return {
    canary: { requests: canary.requests, errorRate: errorRate(canary), p99Seconds: quantile(canary, 0.99) },
    stable: { requests: stable.requests, errorRate: errorRate(stable), p99Seconds: quantile(stable, 0.99) },
  };
}

export function decideCanary(
  canary: RequestCounts,
  stable: RequestCounts,
  elapsedMs: number,
  policy: CanaryPolicy = defaultCanaryPolicy,
): Decision {
  const c = compare(canary, stable);
  const judged = c.canary.requests >= policy.minRequests;
  const worse: string[] = [];
  if (judged) {
    const errorLimit = Math.max(
      c.stable.errorRate + policy.maxErrorRateIncrease,
      c.stable.errorRate * policy.maxErrorRateRatio,
    );
    if (c.canary.errorRate > errorLimit)
      worse.push(`error rate ${pct(c.canary.errorRate)} > ${pct(errorLimit)} (stable ${pct(c.stable.errorRate)})`);
    if (c.canary.p99Seconds !== undefined && c.stable.p99Seconds !== undefined) {
      const p99Limit = Math.max(c.stable.p99Seconds * policy.maxP99Ratio, c.stable.p99Seconds + policy.p99SlackSeconds);
      if (c.canary.p99Seconds > p99Limit)
        worse.push(`p99 ${ms(c.canary.p99Seconds)} > ${ms(p99Limit)} (stable ${ms(c.stable.p99Seconds)})`);
    }
  }
  if (worse.length > 0) return { verdict: 'rollback', reasons: worse, comparison: c };
  const summary = `canary ${c.canary.requests} requests, ${pct(c.canary.errorRate)} errors, p99 ${ms(c.canary.p99Seconds)}; stable ${c.stable.requests}, ${pct(c.stable.errorRate)}, p99 ${ms(c.stable.p99Seconds)}`;
  if (elapsedMs < policy.analysisMs)
    return {
      verdict: 'hold',
      reasons: [`${Math.ceil((policy.analysisMs - elapsedMs) / 1000)} s of analysis left`, summary],
      comparison: c,
    };
  if (!judged)
    return {
      verdict: 'rollback',
      reasons: [`only ${c.canary.requests} canary requests (< ${policy.minRequests}): not enough to judge`, summary],
      comparison: c,
    };
  return { verdict: 'promote', reasons: [summary], comparison: c };
}
