/**
 * `npm test`: the whole suite against the real local stack.
 *
 * 1. typecheck and lint;
 * 2. unit tests (`*.test.ts`, no servers);
 * 3. brings the local stack up (unless it already runs), applies the topic catalog, registers the schemas;
 * 4. integration tests (`*.int.test.ts`, one file at a time: the machine has 2 cores);
 * 5. stops what it started, whatever happened.
 *
 * It ends with one line `tests: N passed, N failed` (N skipped when there are any).
 * `npm test -- --unit` runs the first two steps only; `npm test -- <path filter>` runs the files whose path contains it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, stackDir } from '../infra/config.js';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));
const sourceDirs = [
  'processors',
  'topics',
  'schemas',
  'connectors',
  'api',
  'dashboards',
  'infra',
  'scripts',
  'test',
  'bench',
];

const step = (what: string) => console.log(`\n▶ ${what}`);

function findTests(): { unit: string[]; integration: string[] } {
  const all: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) all.push(relative(repoRoot, p));
    }
  };
  for (const d of sourceDirs) walk(join(repoRoot, d));
  const chosen = all.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  return {
    unit: chosen.filter((f) => !f.endsWith('.int.test.ts')),
    integration: chosen.filter((f) => f.endsWith('.int.test.ts')),
  };
}

function run(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs node's test runner on files; a spec report goes to the terminal and a TAP report to a file we count from. */
async function runNodeTests(label: string, files: string[], concurrency: number): Promise<Counts> {
  if (files.length === 0) return { passed: 0, failed: 0, skipped: 0 };
  const outDir = join(repoRoot, 'test-results');
  mkdirSync(outDir, { recursive: true });
  const tapFile = join(outDir, `${label}.tap`);
  const code = await run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ]);
  const tap = readFileSync(tapFile, 'utf8');
  const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const counts = {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed (a file that did not load, say)
  console.log(
    `${label}: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`,
  );
  return counts;
}

async function main(): Promise<number> {
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const add = (c: Counts) => {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  };
  const { unit, integration } = findTests();

  if (filters.length === 0) {
    step('typecheck (tsc --noEmit)');
    if ((await run('npx', ['tsc', '-p', '.'])) !== 0) {
      console.log('typecheck failed');
      total.failed++;
    }
    step('lint (eslint)');
    if ((await run('npx', ['eslint', '--max-warnings=0', '.'])) !== 0) {
      console.log('lint failed');
      total.failed++;
    }
  }

  step(`unit tests (${unit.length} files)`);
  add(await runNodeTests('unit', unit, 2));

  if (!unitOnly && integration.length > 0) {
    const { stackUp, stackDown, stackStatus } = await import('../infra/stack/index.js');
    const before = await stackStatus();
    const wasRunning = before.components.filter((c) => c.state === 'up').map((c) => c.name);
    let startedHere = false;
    const stop = async () => {
      if (startedHere) {
        step('stopping the local stack we started');
        startedHere = false;
        await stackDown();
      }
    };
    process.once('SIGINT', () => void stop().then(() => process.exit(130)));
    process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
    try {
      step('local stack');
      startedHere = wasRunning.length === 0; // set before up: a failed up must still be stopped
      await stackUp({});
      step('topics:apply and schemas:check');
      if ((await run('npx', ['tsx', 'topics/apply.ts'])) !== 0) throw new Error('topics:apply failed');
      if ((await run('npx', ['tsx', 'schemas/check.ts'])) !== 0) throw new Error('schemas:check failed');
      step('database migrations (PostgreSQL, ClickHouse)');
      if ((await run('npx', ['tsx', 'api/db/migrate.ts'])) !== 0) throw new Error('db:migrate failed');
      if ((await run('npx', ['tsx', 'connectors/clickhouse/migrate.ts'])) !== 0)
        throw new Error('clickhouse:migrate failed');
      step(
        `integration tests (${integration.length} files, on the real stack in ${relative(repoRoot, stackDir) || stackDir})`,
      );
      add(await runNodeTests('integration', integration, 1));
    } catch (err) {
      console.error(`integration stage failed: ${(err as Error).message}`);
      total.failed++;
    } finally {
      await stop();
    }
  }

  console.log(
    `\ntests: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`,
  );
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
