/**
 * Which environment variables a service reads: the variable names found in its entry point and in every module the
 * entry reaches through relative imports (static `import … from`, `export … from` and dynamic `import()`).
 *
 * A source scan, not an execution: it finds `process.env.NAME`, `env.NAME`, `env['NAME']`, helper calls that take the
 * environment and a literal name (`int(env, 'NAME', 1)`), and, in a module that indexes the environment with a
 * computed key (`env[name]`, `process.env[names[k]]`), every UPPER_SNAKE string literal of that module. Names built at
 * run time are out of its reach, except the `env[`${name}_FILE`]` shape: a module that reads it reads NAME_FILE for
 * every NAME it reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
const direct = [/\b(?:process\.)?env\.([A-Z][A-Z0-9_]+)\b/g, /\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g];
const helperCall = /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]+)['"]/g;
const computedIndex = /\b(?:process\.)?env\[\s*(?!['"`])/;
/** `env[\`${name}_FILE\`]`: the module also reads NAME_FILE for every NAME it reads. */
const suffixedRead = /\benv\[\s*`\$\{\s*\w+\s*\}(_[A-Z0-9_]+)`\s*\]/g;
const upperSnakeLiteral = /['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g;
/** Stable error codes (`SS_ERR_SINK_CONFIG`) share the UPPER_SNAKE shape but are no variables. */
const notAVariable = /(^|_)ERR_/;

/** The source file an import specifier names (`./x.js` is `./x.ts` on disk), or undefined outside the sources. */
function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => existsSync(c) && !c.endsWith('/') && /\.(m?ts|m?js)$/.test(c));
}

/** The entry and every module it reaches through relative imports, as repo-relative paths. */
export function moduleClosure(repoRoot: string, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(repoRoot, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importPattern)) {
      const target = resolveImport(file, m[1]!);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].map((f) => relative(repoRoot, f)).sort();
}

/** The variable names one module's source reads (see the module comment for the patterns). */
export function envNamesIn(source: string): Set<string> {
  const out = new Set<string>();
  /** Names handed on as strings (to a helper, or through a computed index): only these can get a suffix. */
  const passedOn = new Set<string>();
  for (const p of direct) for (const m of source.matchAll(p)) out.add(m[1]!);
  for (const m of source.matchAll(helperCall)) passedOn.add(m[1]!);
  if (computedIndex.test(source))
    for (const m of source.matchAll(upperSnakeLiteral)) if (!notAVariable.test(m[1]!)) passedOn.add(m[1]!);
  const suffixes = [...source.matchAll(suffixedRead)].map((m) => m[1]!);
  for (const name of passedOn) {
    out.add(name);
    for (const suffix of suffixes) out.add(`${name}${suffix}`);
  }
  return out;
}

/** Every variable a service reads, with the modules that read it. */
export function envReadBy(repoRoot: string, entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of moduleClosure(repoRoot, entry)) {
    for (const name of envNamesIn(readFileSync(join(repoRoot, file), 'utf8'))) {
      out.set(name, [...(out.get(name) ?? []), file]);
    }
  }
  return out;
}
