/**
 * The open-loop load generator: operations are issued on a fixed schedule (operation i at start + i / rate),
 * whatever the replies, and each latency is measured from the operation's scheduled time, not from when it was
 * actually sent — so a system that falls behind is charged for the wait it caused (no coordinated omission).
 */
import type { Op, Outcome } from './workload.js';

export interface Sample {
  /** Scheduled time, ms since the phase started. */
  scheduledMs: number;
  /** When the outcome came, ms since the phase started. */
  doneMs: number;
  kind: Op['kind'];
  hot: boolean;
  outcome: Outcome;
  /** When the system decided, ms since the phase started (by the wall clock), when it says. */
  decidedMs: number | null;
}

export interface PhaseRun {
  ratePerSec: number;
  durationMs: number;
  issued: number;
  samples: Sample[];
  /** Operations issued but without an outcome when the schedule ended (the backlog). */
  backlogAtEnd: number;
  /** Operations still without an outcome after the grace period (counted as failed samples). */
  unfinished: number;
  /** Resolves once every operation of the phase has its outcome (however late). */
  idle: Promise<void>;
}

export interface OpenLoopOptions {
  ratePerSec: number;
  durationMs: number;
  /** How long outcomes are awaited after the schedule ends. */
  graceMs: number;
  next(): Op;
  issue(op: Op): Promise<Outcome>;
  settled(op: Op, outcome: Outcome): void;
}

const tickMs = 2;

export async function runOpenLoop(o: OpenLoopOptions): Promise<PhaseRun> {
  const samples: Sample[] = [];
  const total = Math.floor((o.ratePerSec * o.durationMs) / 1000);
  const intervalMs = 1000 / o.ratePerSec;
  const start = performance.now();
  const startEpoch = Date.now();
  let issued = 0;
  let outstanding = 0;
  let drained: (() => void) | null = null;
  let idleNow: () => void = () => undefined;
  const idle = new Promise<void>((resolve) => (idleNow = resolve));

  const issueOne = (i: number) => {
    const scheduledMs = i * intervalMs;
    const op = o.next();
    outstanding++;
    const finish = (outcome: Outcome) => {
      samples.push({
        scheduledMs,
        doneMs: performance.now() - start,
        kind: op.kind,
        hot: op.hot,
        outcome,
        decidedMs: outcome.decidedAt === undefined ? null : outcome.decidedAt - startEpoch,
      });
      o.settled(op, outcome);
      outstanding--;
      if (outstanding === 0) {
        drained?.();
        if (issued >= total) idleNow();
      }
    };
    o.issue(op).then(finish, (err: unknown) =>
      finish({ status: 'failed', reason: err instanceof Error ? err.message.slice(0, 80) : String(err) }),
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (issued < due) issueOne(issued++);
      if (issued >= total) resolve();
      else setTimeout(tick, tickMs);
    };
    tick();
  });
  const endMs = Math.max(o.durationMs, performance.now() - start);
  await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, o.durationMs - (performance.now() - start))));
  const backlogAtEnd = outstanding;
  if (outstanding > 0)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.graceMs);
      drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const unfinished = outstanding;
  drained = null;
  if (outstanding === 0) idleNow();
  return { ratePerSec: o.ratePerSec, durationMs: endMs, issued, samples: [...samples], backlogAtEnd, unfinished, idle };
}
