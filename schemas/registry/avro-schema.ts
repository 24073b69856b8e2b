/**
 * Parsing a registered schema: the text (plus the schemas it references) becomes an avsc `Type` — which
 * is what validates it — and its canonical form and fingerprint (see canonical.ts). Pure: referenced
 * schemas are looked up through the `resolve` function the caller passes.
 */
import avsc from 'avsc';
import { canonicalForm, schemaFingerprint, type SchemaReference } from './canonical.js';
import { invalidSchema, RegistryError } from './errors.js';

export type AvroType = avsc.Type;

/** A referenced schema as the registry stores it. */
export interface StoredSchemaText {
  schema: string;
  references: readonly SchemaReference[];
}

/** Finds the schema a reference points at; throws a RegistryError when there is none. */
export type ReferenceResolver = (ref: SchemaReference) => StoredSchemaText;

export interface ParsedSchema {
  type: AvroType;
  /** The schema as registered, re-serialised without whitespace (what GET returns). */
  text: string;
  canonical: string;
  fingerprint: string;
  references: SchemaReference[];
}

const MAX_REFERENCE_DEPTH = 32;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalidSchema(`not JSON: ${(e as Error).message}`);
  }
}

/** Validates and normalises the `references` field of a request. */
export function parseReferences(raw: unknown): SchemaReference[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidSchema('references must be an array');
  return raw.map((r: unknown) => {
    const ref = r as Partial<Record<keyof SchemaReference, unknown>>;
    if (typeof ref?.name !== 'string' || typeof ref.subject !== 'string' || !Number.isInteger(ref.version)) {
      throw invalidSchema(`invalid reference ${JSON.stringify(r)}: name, subject and version are required`);
    }
    return { name: ref.name, subject: ref.subject, version: ref.version as number };
  });
}

/** Defines every type of the referenced schemas (dependencies first) in `registry`. */
function defineReferences(
  references: readonly SchemaReference[],
  resolve: ReferenceResolver,
  registry: Record<string, AvroType>,
  seen: Set<string>,
  depth: number,
): void {
  if (depth > MAX_REFERENCE_DEPTH) throw invalidSchema('references nested too deeply (or circular)');
  for (const ref of references) {
    const key = `${ref.subject}\u0000${ref.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const target = resolve(ref);
    defineReferences(target.references, resolve, registry, seen, depth + 1);
    try {
      avsc.Type.forSchema(parseJson(target.schema) as avsc.Schema, { registry });
    } catch (e) {
      throw invalidSchema(
        `referenced schema ${ref.subject} version ${ref.version} (${ref.name}): ${(e as Error).message}`,
      );
    }
  }
}

/**
 * Parses an Avro schema with its references.
 * @throws RegistryError 42201 when the text is not a valid Avro schema or a reference is missing.
 */
export function parseAvroSchema(
  text: string,
  references: readonly SchemaReference[] = [],
  resolve?: ReferenceResolver,
): ParsedSchema {
  if (typeof text !== 'string' || text.trim() === '') throw invalidSchema('empty schema');
  const json = parseJson(text);
  const registry: Record<string, AvroType> = {};
  if (references.length) {
    if (!resolve) throw invalidSchema('schema references cannot be resolved here');
    defineReferences(references, resolve, registry, new Set(), 0);
  }
  let type: AvroType;
  try {
    type = avsc.Type.forSchema(json as avsc.Schema, { registry });
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw invalidSchema(`${(e as Error).message}`);
  }
  const canonical = canonicalForm(json);
  return {
    type,
    text: JSON.stringify(json),
    canonical,
    fingerprint: schemaFingerprint(canonical, references),
    references: [...references],
  };
}
