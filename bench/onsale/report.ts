/** What the on-sale bench prints and writes: the table, bench/results/onsale.json's shape, the HTML chart. */
import type { AllocatorFigures } from './allocator-figures.js';
import type { PhaseSummary } from './stats.js';
import type { OversoldCheck } from './system.js';

export interface PhaseRecord {
  phase: string;
  hotEventId: string;
  passed: boolean | null;
  summary: PhaseSummary;
}

export interface SystemResult {
  key: 'topic' | 'api' | 'pg';
  name: string;
  phases: PhaseRecord[];
  /** The highest ramp rate (operations/s) that kept up within the p99 limit; null when none did. */
  maxSustainableRate: number | null;
  /** Hot-event holds decided per second at that rate. */
  holdsPerSec: number;
  /** The fixed-rate phase and the run at half the maximum. */
  fixed: PhaseSummary;
  half: PhaseSummary | null;
  oversold: OversoldCheck;
  /** SeatStream: what the allocator's transactions cost during the system's run. */
  allocator: AllocatorFigures | null;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function printTable(results: readonly SystemResult[]): void {
  console.log('');
  console.log(
    `${'system'.padEnd(36)} ${pad('max ops/s', 10)} ${pad('holds/s', 8)} ${pad('p50', 7)} ${pad('p95', 7)} ${pad('p99', 7)}  ${pad('oversold', 8)}  (latency: ms at half the max)`,
  );
  for (const r of results) {
    const l = r.half?.latencyMs;
    console.log(
      `${r.name.padEnd(36)} ${pad(r.maxSustainableRate ?? 'none', 10)} ${pad(r.holdsPerSec, 8)} ${pad(l?.p50 ?? '-', 7)} ${pad(l?.p95 ?? '-', 7)} ${pad(l?.p99 ?? '-', 7)}  ${pad(r.oversold.oversold, 8)}`,
    );
  }
  console.log('');
  for (const r of results) {
    const rejections = new Map<string, number>();
    const failures = new Map<string, number>();
    for (const p of r.phases) {
      for (const [k, v] of Object.entries(p.summary.rejections)) rejections.set(k, (rejections.get(k) ?? 0) + v);
      for (const [k, v] of Object.entries(p.summary.failures)) failures.set(k, (failures.get(k) ?? 0) + v);
    }
    const list = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    console.log(`${r.name}: rejections by reason (all phases): ${list(rejections)}`);
    if (failures.size) console.log(`${r.name}: no decision: ${list(failures)}`);
    console.log(`${r.name}: oversold check: ${r.oversold.detail.join('; ')}`);
  }
}

const colors: Record<SystemResult['key'], string> = { topic: '#1f77b4', api: '#2ca02c', pg: '#d62728' };

/** Points (seconds since the system's first phase, value) over all its phases, one after the other. */
function series(r: SystemResult, value: (p: { holdsDecided: number; p99Ms: number }) => number): [number, number][] {
  const out: [number, number][] = [];
  let offset = 0;
  for (const p of r.phases) {
    for (const t of p.summary.timeline) out.push([offset + t.second, value(t)]);
    offset += Math.ceil(Math.max(1, ...p.summary.timeline.map((t) => t.second + 1)));
  }
  return out;
}

function chart(
  title: string,
  results: readonly SystemResult[],
  value: (p: { holdsDecided: number; p99Ms: number }) => number,
  log: boolean,
): string {
  const w = 900;
  const h = 300;
  const m = { l: 60, r: 20, t: 30, b: 35 };
  const all = results.map((r) => ({ r, pts: series(r, value) }));
  const maxX = Math.max(1, ...all.flatMap((s) => s.pts.map((p) => p[0])));
  const maxY = Math.max(1, ...all.flatMap((s) => s.pts.map((p) => p[1])));
  const y = (v: number) =>
    log
      ? m.t + (h - m.t - m.b) * (1 - Math.log10(Math.max(1, v)) / Math.log10(Math.max(10, maxY)))
      : m.t + (h - m.t - m.b) * (1 - v / maxY);
  const x = (v: number) => m.l + ((w - m.l - m.r) * v) / maxX;
  const ticks = log
    ? [1, 10, 100, 1000, 10000, 100000].filter((t) => t <= Math.max(10, maxY))
    : Array.from({ length: 5 }, (_, i) => Math.round((maxY * (i + 1)) / 5));
  const lines = all
    .map(
      ({ r, pts }) =>
        `<polyline fill="none" stroke="${colors[r.key]}" stroke-width="1.5" points="${pts.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`,
    )
    .join('\n');
  const legend = results
    .map(
      (r, i) =>
        `<text x="${m.l + 10 + i * 260}" y="${m.t - 10}" fill="${colors[r.key]}" font-size="12">■ ${r.name}</text>`,
    )
    .join('');
  const yTicks = ticks
    .map(
      (t) =>
        `<line x1="${m.l}" x2="${w - m.r}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${m.l - 5}" y="${y(t) + 4}" font-size="10" text-anchor="end">${t}</text>`,
    )
    .join('');
  return `<h2>${title}</h2><svg width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">
${yTicks}<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${h - m.b}" stroke="#333"/><line x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}" stroke="#333"/>
<text x="${w / 2}" y="${h - 5}" font-size="11" text-anchor="middle">seconds (phases one after the other: fixed rate, ramp steps, half the maximum)</text>
${legend}
${lines}
</svg>`;
}

export function html(results: readonly SystemResult[], headline: Record<string, unknown>): string {
  const rows = results
    .map(
      (r) =>
        `<tr><td>${r.name}</td><td>${r.maxSustainableRate ?? 'none'}</td><td>${r.holdsPerSec}</td><td>${r.half?.latencyMs.p50 ?? '-'}</td><td>${r.half?.latencyMs.p95 ?? '-'}</td><td>${r.half?.latencyMs.p99 ?? '-'}</td><td>${r.oversold.oversold}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>SeatStream on-sale bench</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>
<h1>On-sale: SeatStream vs PostgreSQL row locks (same run)</h1>
<pre>${JSON.stringify(headline, null, 2)}</pre>
<table><tr><th>system</th><th>max sustainable ops/s</th><th>hot holds decided/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms (at half max)</th><th>oversold</th></tr>${rows}</table>
${chart('Hot-event holds decided per second', results, (p) => p.holdsDecided, false)}
${chart('p99 latency per second, ms (scheduled time to decision, log scale)', results, (p) => p.p99Ms, true)}
</body></html>`;
}
