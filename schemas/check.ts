/**
 * `npm run schemas:check`: for every topic of the catalog with a value schema, sets the subject's compatibility level
 * and registers the `.avsc` (schemas/subjects.ts). Exits 1, naming the subject and the registry's reason, when the
 * registry refuses a schema (an incompatible change) or cannot be reached.
 *
 * Boot-time checks import `assertSubjects` from here or from schemas/subjects.ts.
 */
import { pathToFileURL } from 'node:url';
import { loadEndpoints } from '../infra/config.js';
import { catalogSpecs } from '../topics/catalog.js';
import { createRegistryClient } from './registry-client.js';
import { ensureSubjects, type SubjectOutcome } from './subjects.js';

export { assertSubjects, ensureSubjects } from './subjects.js';

export function formatOutcomes(outcomes: SubjectOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.subject,
    o.file,
    'compatibilityWas' in o ? `${o.compatibility} (was ${o.compatibilityWas ?? 'default'})` : o.compatibility,
    o.action,
    o.id === undefined ? '' : String(o.id),
  ]);
  const header = ['subject', 'schema', 'compatibility', 'action', 'id'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const problems = outcomes.flatMap((o) => (o.problem ? [`${o.problem.code} ${o.subject}: ${o.problem.message}`] : []));
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(problems.length ? ['', ...problems] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  console.log(`schemas:check on ${registry.url}`);
  const outcomes = await ensureSubjects(catalogSpecs(), registry);
  console.log(formatOutcomes(outcomes));
  return outcomes.every((o) => o.action !== 'failed') ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`schemas:check failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
