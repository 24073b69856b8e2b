/**
 * Reconciliation: reads the figures of several sources (functions, so any store can take part: the event log,
 * ClickHouse, PostgreSQL when its read models land) and lists every figure on which sources that provide its
 * measure disagree. The first source is the reference in the report (normally the event log, read_committed).
 */
import { measureOf, nonZero, type Figures } from './figures.js';

export interface FigureSource {
  name: string;
  /** The measures this source provides (see figures.ts). */
  measures: readonly string[];
  read(): Promise<Figures>;
}

export interface Difference {
  key: string;
  /** The value per source that provides the measure (0 when the source has no such figure). */
  values: Record<string, number>;
}

export interface ReconcileReport {
  agree: boolean;
  sources: { name: string; measures: readonly string[]; figures: number }[];
  /** Measures compared by at least two sources. */
  compared: string[];
  differences: Difference[];
  figures: Record<string, Figures>;
}

/** Compares already-read figures. Pure. */
export function compareFigures(
  read: { name: string; measures: readonly string[]; figures: Figures }[],
): ReconcileReport {
  const providers = new Map<string, string[]>();
  for (const s of read) for (const m of s.measures) providers.set(m, [...(providers.get(m) ?? []), s.name]);
  const compared = [...providers]
    .filter(([, names]) => names.length >= 2)
    .map(([m]) => m)
    .sort();
  const byName = new Map(read.map((s) => [s.name, nonZero(s.figures)]));
  const keys = new Set<string>();
  for (const s of read) for (const k of byName.get(s.name)!.keys()) if (compared.includes(measureOf(k))) keys.add(k);
  const differences: Difference[] = [];
  for (const key of [...keys].sort()) {
    const names = providers.get(measureOf(key))!;
    const values = Object.fromEntries(names.map((n) => [n, byName.get(n)!.get(key) ?? 0]));
    const distinct = new Set(Object.values(values));
    if (distinct.size > 1) differences.push({ key, values });
  }
  return {
    agree: differences.length === 0,
    sources: read.map((s) => ({ name: s.name, measures: s.measures, figures: byName.get(s.name)!.size })),
    compared,
    differences,
    figures: Object.fromEntries(read.map((s) => [s.name, byName.get(s.name)!])),
  };
}

/** Reads every source (one after another: they may be large reads) and compares them. */
export async function reconcile(sources: FigureSource[]): Promise<ReconcileReport> {
  const read = [];
  for (const s of sources) read.push({ name: s.name, measures: s.measures, figures: await s.read() });
  return compareFigures(read);
}

/** A few readable lines: agreement, or the first differences. */
export function formatReport(r: ReconcileReport, limit = 20): string {
  const head = `${r.agree ? 'agree' : 'DISAGREE'}: ${r.sources.map((s) => `${s.name} (${s.figures} figures)`).join(', ')}; compared ${r.compared.join(', ')}`;
  if (r.agree) return head;
  const lines = r.differences.slice(0, limit).map(
    (d) =>
      `  ${d.key}: ${Object.entries(d.values)
        .map(([n, v]) => `${n}=${v}`)
        .join(' ')}`,
  );
  const more = r.differences.length > limit ? [`  … ${r.differences.length - limit} more`] : [];
  return [head, ...lines, ...more].join('\n');
}
