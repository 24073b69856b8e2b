import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';
import { listAvscFiles, parseAvsc, readAvsc } from '../avsc.js';
import { generateIndex, generateModule, type GeneratedModule } from './generate.js';

/** Every kind of Avro type, nesting, namespaces, a name clash, a reserved name, recursion. */
const everything = {
  type: 'record',
  name: 'Everything',
  namespace: 'test.codegen',
  doc: 'Every kind of Avro type. A */ in a doc stays inside the comment.',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'b', type: 'boolean', doc: 'A boolean.' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 'by', type: 'bytes' },
    { name: 's', type: 'string' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'dec', type: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 } },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'], doc: 'A colour.' } },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'scores', type: { type: 'map', values: 'double' } },
    { name: 'opt', type: ['null', 'string'], default: null },
    { name: 'single', type: ['int'] },
    {
      name: 'many',
      type: [
        'null',
        'Color',
        'Hash',
        { type: 'array', items: 'long' },
        { type: 'map', values: ['null', 'int'] },
        'string',
        { type: 'long', logicalType: 'timestamp-micros' },
        {
          type: 'record',
          name: 'Inner',
          namespace: 'other.ns',
          fields: [
            { name: 'next', type: ['null', 'Inner'], default: null },
            { name: 'c', type: 'test.codegen.Color' },
          ],
        },
      ],
    },
    { name: 'point', type: { type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }] } },
    {
      name: 'otherPoint',
      type: { type: 'record', name: 'Point', namespace: 'other.ns', fields: [{ name: 'y', type: 'string' }] },
    },
    { name: 'matrix', type: { type: 'array', items: { type: 'array', items: ['null', 'Point'] } } },
    { name: 'number', type: { type: 'record', name: 'number', fields: [] } },
    { name: 'self', type: ['null', 'Everything'], default: null },
  ],
};
const topLevelUnion = [
  'null',
  { type: 'record', name: 'A', namespace: 'test.top', fields: [{ name: 'a', type: 'int' }] },
  'string',
];

const fixtures: { file: string; json: unknown }[] = [
  { file: 'everything.avsc', json: everything },
  { file: 'top-union.avsc', json: topLevelUnion },
  ...listAvscFiles().map((file) => ({ file, json: readAvsc(file).json })),
];

/** A TypeScript expression for a value avsc decoded. */
function literal(v: unknown): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `Buffer.from([${[...v].join(', ')}])`;
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (typeof v === 'object') {
    return `{ ${Object.entries(v as object)
      .map(([k, x]) => `${JSON.stringify(k)}: ${literal(x)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(v);
}

/** Decoded values of a schema: random values through avsc's encoder and decoder, as big as stays readable. */
function decodedSamples(json: unknown, count: number): unknown[] {
  const { type } = parseAvsc(json as object);
  const out: unknown[] = [];
  for (let tries = 0; out.length < count && tries < 50 * count; tries++) {
    let value: unknown;
    try {
      value = type.fromBuffer(type.toBuffer(type.random()));
    } catch (err) {
      // avsc draws a recursive union branch (`self`, `Inner.next`) with its own LCG, whose runs can nest deep
      // enough to overflow the stack now and then: such a value is as unusable here as a too large one
      if (err instanceof RangeError) continue;
      throw err;
    }
    if (literal(value).length < 50_000) out.push(value);
  }
  assert.equal(out.length, count, 'could not draw small enough random values');
  return out;
}

/** Type-checks in-memory files (paths relative to a directory inside the repo, so @types/node resolves). */
function typeErrors(files: Record<string, string>): string[] {
  const base = join(import.meta.dirname, '.typecheck');
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(base, name), text]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    noUncheckedIndexedAccess: true,
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.directoryExists = (d) => d === base || d.startsWith(`${base}/`) || ts.sys.directoryExists(d);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, lang, ...rest) : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName.slice(base.length + 1)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('generated types', () => {
  const modules = new Map<string, GeneratedModule>(
    fixtures.map(({ file, json }) => [file, generateModule(file, json)]),
  );

  it('type-check exactly the values avsc decodes (random values of every schema), and nothing looser', () => {
    const files: Record<string, string> = {};
    for (const { file, json } of fixtures) {
      const m = modules.get(file)!;
      const stem = m.fileName.replace(/\.ts$/, '');
      files[`generated/${m.fileName}`] = m.source;
      const samples = decodedSamples(json, 8);
      files[`check-${m.fileName}`] = [
        `import type { ${m.rootType} } from './generated/${stem}.js';`,
        ...samples.map((v, i) => `export const v${i}: ${m.rootType} = ${literal(v)};`),
      ].join('\n');
    }
    const ok = decodedSamples(everything, 1)[0];
    files['check-too-loose.ts'] = `import type { Everything } from './generated/everything.js';
      const ok: Everything = ${literal(ok)};
      // @ts-expect-error a union value is wrapped
      export const e1: Everything = { ...ok, opt: 'x' };
      // @ts-expect-error long is a number, not a bigint
      export const e2: Everything = { ...ok, l: 1n };
      // @ts-expect-error timestamp-millis is not converted to a Date
      export const e3: Everything = { ...ok, ts: new Date() };
      // @ts-expect-error enums are their symbols
      export const e4: Everything = { ...ok, color: 'BLUE' };
      // @ts-expect-error bytes are a Buffer
      export const e5: Everything = { ...ok, by: 'abc' };
      // @ts-expect-error a decoded value has every field, defaults included
      export const e6: Everything = (({ opt: _o, ...rest }: Everything) => rest)(ok);
      // @ts-expect-error a branch is named by its full name
      export const e7: Everything = { ...ok, many: { Color: 'RED' } };
      // @ts-expect-error fixed is a Buffer
      export const e8: Everything = { ...ok, hash: [1, 2, 3, 4] };
      // @ts-expect-error null is not wrapped
      export const e9: Everything = { ...ok, opt: { null: null } };
      // and the other way: each field's type is no wider than what avsc decodes
      export const exact: [Buffer, Buffer, Buffer, number, number, 'RED' | 'GREEN', null | { string: string }, string[]] =
        [ok.by, ok.hash, ok.dec, ok.ts, ok.l, ok.color, ok.opt, ok.tags];
    `;
    assert.deepEqual(typeErrors(files), []);
  });

  it('puts each doc in a JSDoc comment and escapes comment ends', () => {
    const source = modules.get('everything.avsc')!.source;
    assert.match(source, /\/\*\*\n \* Every kind of Avro type\. A \*\\\/ in a doc stays inside the comment\./);
    assert.match(source, / {2}\/\*\* A boolean\. \*\/\n {2}b: boolean;/);
    assert.match(source, /logical type `timestamp-millis`, not converted\.[\s\S]*\n {2}ts: number;/);
    assert.match(source, / {2}\/\*\* @defaultValue `null` \*\/\n {2}opt: null \| \{ string: string \};/);
  });

  it('names types by simple name, qualifying clashes and avoiding reserved words', () => {
    const source = modules.get('everything.avsc')!.source;
    assert.match(source, /export interface TestCodegenPoint \{/);
    assert.match(source, /export interface OtherNsPoint \{/);
    assert.match(source, /export interface number_ \{/);
    assert.match(source, /export type Color = 'RED' \| 'GREEN';/);
    assert.match(source, /export type Hash = Buffer;/);
    assert.match(source, /\{ 'other\.ns\.Inner': Inner \}/);
  });

  it('exports a named top-level type for a schema that is not a named type', () => {
    const m = modules.get('top-union.avsc')!;
    assert.equal(m.rootType, 'TopUnion');
    assert.match(m.source, /export type TopUnion = null \| \{ 'test\.top\.A': A \} \| \{ string: string \};/);
  });

  it('maps each .avsc file to its value type in the index', () => {
    const index = generateIndex(fixtures.map(({ file }) => ({ avscFile: file, module: modules.get(file)! })));
    assert.match(index, /'everything\.avsc': everything\.Everything;/);
    assert.match(index, /'top-union\.avsc': topUnion\.TopUnion;/);
  });
});
