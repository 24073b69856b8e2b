/** The chaos run's closing tables (pure): faults with when and how long recovery took; invariants; answers by code. */
import type { Check, OutcomeCounts } from './invariants.js';

export interface FaultRecord {
  fault: string;
  /** Seconds after the load started. */
  atSec: number;
  /** From the fault until the platform was healthy again and served a buyer. */
  recoverySec: number;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function formatTable(faults: FaultRecord[], checks: Check[], outcomes?: OutcomeCounts): string {
  const parts = [
    table([
      ['fault', 'at (s into the load)', 'recovery (s)'],
      ...faults.map((f) => [f.fault, f.atSec.toFixed(1), f.recoverySec.toFixed(1)]),
    ]),
    table([
      ['invariant', 'checked', 'violations'],
      ...checks.map((c) => [c.invariant, String(c.checked), String(c.violations.length)]),
    ]),
  ];
  if (outcomes?.size)
    parts.push(
      table([
        ['answer seen by buyers', 'count'],
        ...[...outcomes].sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, String(n)]),
      ]),
    );
  return parts.join('\n\n');
}
