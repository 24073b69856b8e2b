/**
 * `npm run schemas:gen`: writes schemas/generated/<name>.ts for every schemas/<name>.avsc, and index.ts.
 * `npm run schemas:gen -- --check` only says whether the committed files are up to date (exit 1 when not).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listAvscFiles, readAvsc, schemasDir } from '../avsc.js';
import { generateIndex, generateModule } from './generate.js';

export const generatedDir = join(schemasDir, 'generated');

/** What schemas/generated/ must hold: file name → content. Reads the .avsc files; validates them with avsc. */
export function expectedGeneratedFiles(dir = schemasDir): Map<string, string> {
  const modules = listAvscFiles(dir).map((avscFile) => ({
    avscFile,
    module: generateModule(avscFile, readAvsc(avscFile, dir).json),
  }));
  const files = new Map(modules.map(({ module }) => [module.fileName, module.source]));
  files.set('index.ts', generateIndex(modules));
  return files;
}

const isGenerated = (path: string) => readFileSync(path, 'utf8').startsWith('// Generated ');

/** Generated files that differ from what they should be, are missing, or have no .avsc any more. */
export function staleGeneratedFiles(dir = generatedDir, expected = expectedGeneratedFiles()): string[] {
  const stale = [...expected].filter(([name, source]) => {
    const path = join(dir, name);
    return !existsSync(path) || readFileSync(path, 'utf8') !== source;
  });
  const orphans = existsSync(dir)
    ? readdirSync(dir).filter(
        (n) => n.endsWith('.ts') && !expected.has(n) && !n.endsWith('.test.ts') && isGenerated(join(dir, n)),
      )
    : [];
  return [...stale.map(([name]) => name), ...orphans].sort();
}

function main(): number {
  const expected = expectedGeneratedFiles();
  const stale = staleGeneratedFiles(generatedDir, expected);
  const shown = (name: string) => relative(process.cwd(), join(generatedDir, name));
  if (process.argv.includes('--check')) {
    if (stale.length === 0) return 0;
    console.error(`out of date (run npm run schemas:gen): ${stale.map(shown).join(', ')}`);
    return 1;
  }
  mkdirSync(generatedDir, { recursive: true });
  for (const name of stale) {
    const source = expected.get(name);
    if (source === undefined) rmSync(join(generatedDir, name));
    else writeFileSync(join(generatedDir, name), source);
    console.log(`${source === undefined ? 'removed' : 'wrote'} ${shown(name)}`);
  }
  if (stale.length === 0) console.log('schemas/generated is up to date');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
