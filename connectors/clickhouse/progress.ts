/**
 * A terminal progress line for long reads: bar, percentage, records, rate and time left. Pure formatting; the
 * caller decides where to print it (stderr, redrawn in place on a TTY).
 */

export interface ProgressState {
  /** Offsets gone through and offsets to go through in total (the measure of completion). */
  done: number;
  total: number;
  /** Records handled so far (the rate is in records per second). */
  records: number;
  elapsedMs: number;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

/** 0:07, 3:05, 1:02:09. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatProgress(p: ProgressState, barWidth = 28): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(ratio * barWidth);
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.records / seconds : 0;
  // Time left from the offset rate, which also counts transaction markers and aborted records.
  const offsetRate = seconds > 0 ? p.done / seconds : 0;
  const eta = ratio >= 1 ? 0 : offsetRate > 0 ? ((p.total - p.done) / offsetRate) * 1000 : Number.NaN;
  return `[${bar}] ${(ratio * 100).toFixed(1).padStart(5)}%  ${fmtInt(p.records)} records  ${fmtInt(rate)} rec/s  ETA ${formatDuration(eta)}`;
}
