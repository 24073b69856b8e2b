/**
 * The punctuators of one task and when each is due (Kafka Streams' PunctuationQueue). Pure: the
 * task feeds it the wall clock and its stream time, and runs what comes out.
 */
import type { Cancellable, PunctuationType, Punctuator } from './processor.js';
import { ConfigError } from './errors.js';

export interface Scheduled {
  readonly intervalMs: number;
  readonly type: PunctuationType;
  readonly punctuator: Punctuator;
  /** When it is due next; unset for a stream-time punctuator before the first record. */
  next: number | undefined;
  cancelled: boolean;
}

export class PunctuationSchedule {
  private entries: Scheduled[] = [];

  add(
    intervalMs: number,
    type: PunctuationType,
    punctuator: Punctuator,
    now: number,
    streamTime?: number,
  ): Scheduled & Cancellable {
    if (!(intervalMs >= 1)) throw ConfigError(`a punctuation interval must be at least 1 ms (got ${intervalMs})`);
    const base = type === 'wall-clock' ? now : streamTime;
    const entry: Scheduled & Cancellable = {
      intervalMs,
      type,
      punctuator,
      next: base === undefined ? undefined : base + intervalMs,
      cancelled: false,
      cancel: () => {
        entry.cancelled = true;
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
    this.entries.push(entry);
    return entry;
  }

  /** Wall-clock punctuators due at `now`; each fires once however many intervals it missed. */
  dueWallClock(now: number): Scheduled[] {
    return this.due('wall-clock', now);
  }

  /** Stream-time punctuators due now that the task's stream time is `streamTime`. */
  dueStreamTime(streamTime: number): Scheduled[] {
    for (const e of this.entries)
      if (e.type === 'stream-time' && e.next === undefined) e.next = streamTime + e.intervalMs;
    return this.due('stream-time', streamTime);
  }

  /** When the earliest wall-clock punctuator is due, if any. */
  nextWallClock(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries)
      if (e.type === 'wall-clock' && e.next !== undefined && (next === undefined || e.next < next)) next = e.next;
    return next;
  }

  cancelAll(): void {
    for (const e of this.entries) e.cancelled = true;
    this.entries = [];
  }

  private due(type: PunctuationType, time: number): Scheduled[] {
    const out: Scheduled[] = [];
    for (const e of this.entries) {
      if (e.type !== type || e.next === undefined || e.next > time) continue;
      out.push(e);
      const missed = Math.floor((time - e.next) / e.intervalMs) + 1;
      e.next += missed * e.intervalMs;
    }
    return out;
  }
}
