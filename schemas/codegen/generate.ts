/**
 * TypeScript types of Avro schemas: exactly the values avsc decodes with the options of schemas/avsc.ts
 * (`wrapUnions: true`, no logical types). Pure: schemas/codegen/main.ts reads and writes the files.
 *
 * record → interface (each field's `doc` as its JSDoc), enum → union of string literals, union → `null` or
 * `{ 'branch.Name': value }` wrappers, array → T[], map → { [key: string]: T }, bytes and fixed → Buffer,
 * int/long/float/double → number (avsc decodes long as a number), logical types → their underlying type.
 */
import { branchName, parseSchemaTree, type NamedDef, type SchemaNode } from './schema-tree.js';

export interface GeneratedModule {
  /** File name under schemas/generated/, e.g. 'reservation-command.ts'. */
  fileName: string;
  source: string;
  /** The name the module exports for the schema's top-level type. */
  rootType: string;
}

/** Names a generated module cannot give a type: TypeScript's reserved words and the types it uses itself. */
const reserved = new Set(
  (
    'Array Buffer any bigint boolean break case catch class const continue debugger default delete do else enum ' +
    'export extends false finally for function if import in instanceof interface let never new null number object ' +
    'package private protected public return static string super switch symbol this throw true try typeof ' +
    'undefined unknown var void while with yield'
  ).split(' '),
);

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propertyKey = (key: string) => (identifier.test(key) ? key : `'${key}'`);
const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
const simpleName = (fullName: string) => fullName.slice(fullName.lastIndexOf('.') + 1);

/** TypeScript names of the named types: the simple name, or the Pascal-cased full name when two share one. */
function typeNames(defs: Map<string, NamedDef>): Map<string, string> {
  const count = new Map<string, number>();
  for (const full of defs.keys()) count.set(simpleName(full), (count.get(simpleName(full)) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const full of defs.keys()) {
    let name = count.get(simpleName(full))! > 1 ? pascal(full) : simpleName(full);
    if (reserved.has(name)) name += '_';
    names.set(full, name);
  }
  return names;
}

/** A JSDoc block from paragraphs, wrapped at `width` columns. */
function jsdoc(paragraphs: string[], indent: string, width = 118): string[] {
  const lines: string[] = [];
  for (const [i, p] of paragraphs.entries()) {
    if (i > 0) lines.push('');
    let line = '';
    for (const word of p.replace(/\*\//g, '*\\/').split(/\s+/).filter(Boolean)) {
      if (line && indent.length + 3 + line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
  }
  if (lines.length === 0) return [];
  if (lines.length === 1 && indent.length + 7 + lines[0]!.length <= width) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/** Logical types in a field's type, described for its JSDoc. */
function logicalNotes(n: SchemaNode, defs: Map<string, NamedDef>): string[] {
  switch (n.kind) {
    case 'primitive':
      return n.logicalType ? [`Avro \`${n.type}\` with logical type \`${n.logicalType}\`, not converted.`] : [];
    case 'named': {
      const def = defs.get(n.fullName);
      return def?.kind === 'fixed' && def.logicalType
        ? [`Avro \`fixed\` with logical type \`${def.logicalType}\`, not converted.`]
        : [];
    }
    case 'union':
      return [...new Set(n.branches.flatMap((b) => logicalNotes(b, defs)))];
    case 'array':
      return logicalNotes(n.items, defs);
    case 'map':
      return logicalNotes(n.values, defs);
  }
}

export function generateModule(avscFile: string, schema: unknown): GeneratedModule {
  const { root, defs } = parseSchemaTree(schema);
  const names = typeNames(defs);

  const expr = (n: SchemaNode): string => {
    switch (n.kind) {
      case 'primitive':
        return {
          null: 'null',
          boolean: 'boolean',
          int: 'number',
          long: 'number',
          float: 'number',
          double: 'number',
          bytes: 'Buffer',
          string: 'string',
        }[n.type];
      case 'named':
        return names.get(n.fullName)!;
      case 'union':
        return n.branches
          .map((b) =>
            b.kind === 'primitive' && b.type === 'null' ? 'null' : `{ ${propertyKey(branchName(b))}: ${expr(b)} }`,
          )
          .join(' | ');
      case 'array': {
        const items = expr(n.items);
        return identifier.test(items) ? `${items}[]` : `Array<${items}>`;
      }
      case 'map':
        return `{ [key: string]: ${expr(n.values)} }`;
    }
  };

  /** `head type;`, or a long union one branch per line. */
  const declaration = (head: string, n: SchemaNode, indent: string): string[] => {
    const line = `${head} ${expr(n)};`;
    if (line.length <= 120 || n.kind !== 'union') return [line];
    const branches = n.branches.map((b) => `${indent}  | ${expr({ kind: 'union', branches: [b] })}`);
    return [head, ...branches.slice(0, -1), `${branches[branches.length - 1]};`];
  };

  const out: string[] = [
    `// Generated from schemas/${avscFile} by \`npm run schemas:gen\`. Do not edit: change the .avsc and regenerate.`,
    '// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object',
    '// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.',
  ];
  for (const def of defs.values()) {
    const name = names.get(def.fullName)!;
    const avroName = `Avro ${def.kind} \`${def.fullName}\`.`;
    out.push('');
    if (def.kind === 'record') {
      out.push(...jsdoc(def.doc ? [def.doc, avroName] : [avroName], ''));
      out.push(`export interface ${name} {`);
      for (const f of def.fields) {
        const notes = logicalNotes(f.type, defs);
        const dflt = f.default ? [`@defaultValue \`${JSON.stringify(f.default.value)}\``] : [];
        out.push(...jsdoc([...(f.doc ? [f.doc] : []), ...notes, ...dflt], '  '));
        out.push(...declaration(`  ${propertyKey(f.name)}:`, f.type, '  '));
      }
      out.push('}');
    } else if (def.kind === 'enum') {
      out.push(...jsdoc(def.doc ? [def.doc, avroName] : [avroName], ''));
      out.push(`export type ${name} = ${def.symbols.map((s) => `'${s}'`).join(' | ')};`);
    } else {
      const size = `Avro fixed \`${def.fullName}\`: ${def.size} bytes.`;
      out.push(...jsdoc(def.doc ? [def.doc, size] : [size], ''));
      out.push(`export type ${name} = Buffer;`);
    }
  }

  const stem = avscFile.replace(/\.avsc$/, '');
  let rootType: string;
  if (root.kind === 'named') rootType = names.get(root.fullName)!;
  else {
    rootType = pascal(stem) || 'Value';
    if ([...names.values()].includes(rootType) || reserved.has(rootType)) rootType += 'Value';
    out.push(
      '',
      ...jsdoc([`The top-level type of schemas/${avscFile}.`], ''),
      ...declaration(`export type ${rootType} =`, root, ''),
    );
  }
  return { fileName: `${stem}.ts`, source: `${out.join('\n')}\n`, rootType };
}

/** schemas/generated/index.ts: the value type of each schema file, and the top-level types re-exported. */
export function generateIndex(modules: { avscFile: string; module: GeneratedModule }[]): string {
  const sorted = [...modules].sort((a, b) => a.avscFile.localeCompare(b.avscFile));
  const alias = (m: GeneratedModule) => {
    const a = m.fileName.replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
    return /^[0-9]/.test(a) ? `_${a}` : a;
  };
  const rootCount = new Map<string, number>();
  for (const { module } of sorted) rootCount.set(module.rootType, (rootCount.get(module.rootType) ?? 0) + 1);
  const lines = ['// Generated by `npm run schemas:gen` from schemas/*.avsc. Do not edit.', ''];
  for (const { module } of sorted)
    lines.push(`import type * as ${alias(module)} from './${module.fileName.replace(/\.ts$/, '.js')}';`);
  lines.push(
    '',
    '/** The decoded value type of each schema, by `.avsc` file name (see `ValueOf` in schemas/serde.ts). */',
  );
  lines.push('export interface AvroValueTypes {');
  for (const { avscFile, module } of sorted) lines.push(`  '${avscFile}': ${alias(module)}.${module.rootType};`);
  lines.push('}', '');
  for (const { module } of sorted) {
    if (rootCount.get(module.rootType) === 1) {
      lines.push(`export type { ${module.rootType} } from './${module.fileName.replace(/\.ts$/, '.js')}';`);
    }
  }
  return `${lines.join('\n')}\n`;
}
