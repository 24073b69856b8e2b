/**
 * Canonical form of an Avro schema, used to decide whether two registrations are "the same schema"
 * (same id). It is the schema with every name fully qualified (no `namespace` attributes), every
 * `{"type": "int"}` without other attributes written as `"int"`, object keys sorted and no whitespace,
 * but — unlike Avro's Parsing Canonical Form — with every attribute kept: `default`, `doc`, `order`,
 * `aliases`, `logicalType`, enum `default`, custom properties. Parsing Canonical Form drops those, so
 * two schemas differing only in a field default (which changes schema resolution) or a logical type
 * (which changes decoding) would share an id, and the second registrant would be served the first one's
 * text. Confluent likewise compares its own normalised schema string, not Parsing Canonical Form.
 *
 * The input must already be a valid Avro schema (parse it with avsc first): this walks the JSON and
 * does not validate.
 */
import { createHash } from 'node:crypto';

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const namedTypes = new Set(['record', 'error', 'enum', 'fixed']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Full name of `name` seen from namespace `ns` (Avro spec: a dotted name is already full). */
export const qualify = (name: string, ns: string | undefined): string =>
  primitives.has(name) || name.includes('.') || !ns ? name : `${ns}.${name}`;

const namespaceOf = (fullName: string): string | undefined => {
  const i = fullName.lastIndexOf('.');
  return i < 0 ? undefined : fullName.slice(0, i);
};

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Canonical JSON value (not yet a string) of a schema node seen from namespace `ns`. */
function canonicalNode(node: Json, ns: string | undefined): Json {
  if (typeof node === 'string') return qualify(node, ns);
  if (Array.isArray(node)) return node.map((branch) => canonicalNode(branch, ns));
  if (!isObject(node)) return node;

  const type = node.type;
  if (typeof type !== 'string') {
    // `{"type": {...}}` or `{"type": [...]}`: a wrapped definition; the wrapper's other attributes
    // have no meaning in Avro, the inner schema is the type.
    return canonicalNode(type ?? null, ns);
  }

  const out: Record<string, Json> = {};
  if (namedTypes.has(type)) {
    const rawName = String(node.name);
    const ownNs = rawName.includes('.') ? undefined : typeof node.namespace === 'string' ? node.namespace : ns;
    const fullName = qualify(rawName, ownNs || undefined);
    const innerNs = namespaceOf(fullName);
    for (const [key, value] of Object.entries(node)) {
      if (key === 'namespace') continue;
      if (key === 'name') out.name = fullName;
      else if (key === 'aliases' && Array.isArray(value)) out.aliases = value.map((a) => qualify(String(a), innerNs));
      else if (key === 'fields' && Array.isArray(value)) {
        out.fields = value.map((field) => {
          if (!isObject(field)) return field;
          const f: Record<string, Json> = {};
          for (const [fk, fv] of Object.entries(field)) f[fk] = fk === 'type' ? canonicalNode(fv, innerNs) : fv;
          return f;
        });
      } else out[key] = value;
    }
    return out;
  }

  for (const [key, value] of Object.entries(node)) {
    if (key === 'items' && type === 'array') out.items = canonicalNode(value, ns);
    else if (key === 'values' && type === 'map') out.values = canonicalNode(value, ns);
    else if (key === 'type') out.type = type === 'array' || type === 'map' ? type : qualify(type, ns);
    else out[key] = value;
  }
  // `{"type":"int"}` and `"int"` are the same schema; so are `{"type":"my.Rec"}` and `"my.Rec"`.
  const keys = Object.keys(out);
  if (keys.length === 1 && keys[0] === 'type') return out.type ?? null;
  return out;
}

/** JSON text with object keys sorted at every level and no whitespace. */
export function stableStringify(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The canonical form (a string) of a parsed, valid Avro schema JSON value. */
export const canonicalForm = (schema: unknown): string => stableStringify(canonicalNode(schema as Json, undefined));

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/**
 * Identity of a registration: SHA-256 (hex) of the canonical form plus the references it was parsed
 * with (the same text referring to other versions of its dependencies is another schema, as in Confluent).
 */
export function schemaFingerprint(canonical: string, references: readonly SchemaReference[] = []): string {
  const hash = createHash('sha256').update(canonical);
  if (references.length)
    hash
      .update('\n')
      .update(stableStringify(references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }))));
  return hash.digest('hex');
}
