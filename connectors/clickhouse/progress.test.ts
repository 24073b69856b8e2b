import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatProgress } from './progress.js';

describe('progress line', () => {
  it('shows bar, percentage, records, rate and time left', () => {
    const line = formatProgress({ done: 250, total: 1_000, records: 240, elapsedMs: 2_000 }, 8);
    assert.equal(line, '[██░░░░░░]  25.0%  240 records  120 rec/s  ETA 0:06');
  });

  it('is complete for an empty log and at the end', () => {
    assert.match(formatProgress({ done: 0, total: 0, records: 0, elapsedMs: 0 }, 4), /^\[████\] 100\.0% .* ETA 0:00$/);
    assert.match(
      formatProgress({ done: 10, total: 10, records: 9, elapsedMs: 1_000 }, 4),
      /100\.0% {2}9 records {2}9 rec\/s {2}ETA 0:00/,
    );
  });

  it('has no time left to show before anything was read', () => {
    assert.match(formatProgress({ done: 0, total: 100, records: 0, elapsedMs: 0 }), /ETA --:--$/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(7_000), '0:07');
    assert.equal(formatDuration(185_000), '3:05');
    assert.equal(formatDuration(3_729_000), '1:02:09');
  });
});
