/** Figures of a phase (pure): holds decided per second, latency percentiles, outcomes, a per-second timeline. */
import type { PhaseRun, Sample } from './open-loop.js';

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PhaseSummary {
  ratePerSec: number;
  issued: number;
  /** Hot-event hold requests decided (held or refused), per second of the phase (stretched while decisions lag). */
  holdsPerSec: number;
  holdsDecided: number;
  /** Hot-event holds given. */
  holdsGiven: number;
  /** From scheduled time to decision, every decided operation, ms. */
  latencyMs: Latency;
  /**
   * Where the time went, when the system gives its decision time (SeatStream: the decision's occurredAt): from the
   * scheduled time to the decision (send, broker, the allocator's queue), and from the decision to its reader (the
   * transaction's commit, the consumer's fetch, the API's reply). The clocks are the same machine's.
   */
  toDecisionMs: Latency | null;
  decisionToReplyMs: Latency | null;
  rejections: Record<string, number>;
  failures: Record<string, number>;
  released: number;
  confirmed: number;
  backlogAtEnd: number;
  unfinished: number;
  /** Decided operations within the schedule's duration, over those issued. */
  keptUp: number;
  timeline: TimelinePoint[];
}

export interface TimelinePoint {
  /** Second of the phase (by decision time). */
  second: number;
  holdsDecided: number;
  p99Ms: number;
}

const round = (x: number) => Math.round(x * 10) / 10;

export function percentiles(values: number[]): Latency {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

const decided = (s: Sample) => s.outcome.status !== 'failed';
const isHoldKind = (s: Sample) => s.kind === 'holdSeats' || s.kind === 'holdBest';

export function summarize(run: PhaseRun): PhaseSummary {
  const ok = run.samples.filter(decided);
  const holds = ok.filter((s) => s.hot && isHoldKind(s));
  const timed = ok.filter((s) => s.decidedMs !== null);
  const lastMs = holds.reduce((m, s) => Math.max(m, s.doneMs), 0);
  const seconds = Math.max(run.durationMs, lastMs) / 1000;
  const rejections: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const s of run.samples) {
    if (s.outcome.status === 'rejected') rejections[s.outcome.code] = (rejections[s.outcome.code] ?? 0) + 1;
    if (s.outcome.status === 'failed') failures[s.outcome.reason] = (failures[s.outcome.reason] ?? 0) + 1;
  }
  if (run.unfinished > 0) failures['no outcome after the grace period'] = run.unfinished;
  const buckets = new Map<number, Sample[]>();
  for (const s of ok) {
    const second = Math.floor(s.doneMs / 1000);
    let b = buckets.get(second);
    if (!b) buckets.set(second, (b = []));
    b.push(s);
  }
  const timeline = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, b]) => ({
      second,
      holdsDecided: b.filter((s) => s.hot && isHoldKind(s)).length,
      p99Ms: percentiles(b.map((s) => s.doneMs - s.scheduledMs)).p99,
    }));
  return {
    ratePerSec: run.ratePerSec,
    issued: run.issued,
    holdsPerSec: Math.round(holds.length / seconds),
    holdsDecided: holds.length,
    holdsGiven: holds.filter((s) => s.outcome.status === 'held').length,
    latencyMs: percentiles(ok.map((s) => s.doneMs - s.scheduledMs)),
    toDecisionMs: timed.length ? percentiles(timed.map((s) => s.decidedMs! - s.scheduledMs)) : null,
    decisionToReplyMs: timed.length ? percentiles(timed.map((s) => s.doneMs - s.decidedMs!)) : null,
    rejections,
    failures,
    released: ok.filter((s) => s.outcome.status === 'released').length,
    confirmed: ok.filter((s) => s.outcome.status === 'confirmed').length,
    backlogAtEnd: run.backlogAtEnd,
    unfinished: run.unfinished,
    keptUp: run.issued === 0 ? 1 : ok.filter((s) => s.doneMs <= run.durationMs).length / run.issued,
    timeline,
  };
}
