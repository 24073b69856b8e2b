/**
 * An Avro schema as a tree with every name resolved: the named types (records, enums, fixed) are listed once, in
 * definition order, and referred to by full name. Keeps what the generated types need beyond avsc's own view:
 * docs, defaults and logical types. Pure.
 */

export type Primitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export type SchemaNode =
  | { kind: 'primitive'; type: Primitive; logicalType?: string }
  | { kind: 'named'; fullName: string }
  | { kind: 'union'; branches: SchemaNode[] }
  | { kind: 'array'; items: SchemaNode }
  | { kind: 'map'; values: SchemaNode };

export interface FieldDef {
  name: string;
  doc?: string;
  type: SchemaNode;
  /** Present when the field has a default (which may be null). */
  default?: { value: unknown };
}

export type NamedDef =
  | { kind: 'record'; fullName: string; doc?: string; fields: FieldDef[] }
  | { kind: 'enum'; fullName: string; doc?: string; symbols: string[] }
  | { kind: 'fixed'; fullName: string; doc?: string; size: number; logicalType?: string };

export interface SchemaTree {
  root: SchemaNode;
  /** Named types by full name, in definition order. */
  defs: Map<string, NamedDef>;
}

const primitives = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const isPrimitive = (s: string): s is Primitive => primitives.has(s);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const docOf = (o: Json) => (typeof o.doc === 'string' ? { doc: o.doc } : {});

const fullNameOf = (name: string, namespace: string | undefined) =>
  name.includes('.') || !namespace ? name : `${namespace}.${name}`;
const namespaceOf = (fullName: string) => {
  const i = fullName.lastIndexOf('.');
  return i < 0 ? undefined : fullName.slice(0, i);
};

/**
 * Resolves a schema (its parsed JSON). Expects a schema avsc accepts (parse it with avsc first); throws on what it
 * cannot resolve.
 */
export function parseSchemaTree(schema: unknown): SchemaTree {
  const defs = new Map<string, NamedDef>();

  const reference = (name: string, ns: string | undefined): SchemaNode => {
    const full = fullNameOf(name, ns);
    if (defs.has(full)) return { kind: 'named', fullName: full };
    if (defs.has(name)) return { kind: 'named', fullName: name };
    throw new Error(`unknown type '${name}' (namespace ${ns ?? 'none'})`);
  };

  const define = (o: Json, ns: string | undefined, make: (fullName: string) => NamedDef): SchemaNode => {
    const name = String(o.name);
    const ownNs = typeof o.namespace === 'string' ? o.namespace || undefined : ns;
    const fullName = fullNameOf(name, name.includes('.') ? undefined : ownNs);
    if (defs.has(fullName)) throw new Error(`type '${fullName}' defined twice`);
    const def = make(fullName);
    defs.set(fullName, def); // before the fields, so that a record may refer to itself
    if (def.kind === 'record') {
      const inner = namespaceOf(fullName);
      for (const f of o.fields as Json[]) {
        def.fields.push({
          name: String(f.name),
          ...docOf(f),
          type: node(f.type, inner),
          ...('default' in f ? { default: { value: f.default } } : {}),
        });
      }
    }
    return { kind: 'named', fullName };
  };

  const node = (s: unknown, ns: string | undefined): SchemaNode => {
    if (typeof s === 'string') return isPrimitive(s) ? { kind: 'primitive', type: s } : reference(s, ns);
    if (Array.isArray(s)) return { kind: 'union', branches: s.map((b) => node(b, ns)) };
    if (!isObject(s)) throw new Error(`not a schema: ${JSON.stringify(s)}`);
    const type = s.type;
    if (typeof type !== 'string') return node(type, ns);
    switch (type) {
      case 'record':
      case 'error':
        return define(s, ns, (fullName) => ({ kind: 'record', fullName, ...docOf(s), fields: [] }));
      case 'enum':
        return define(s, ns, (fullName) => ({
          kind: 'enum',
          fullName,
          ...docOf(s),
          symbols: (s.symbols as string[]).slice(),
        }));
      case 'fixed':
        return define(s, ns, (fullName) => ({
          kind: 'fixed',
          fullName,
          ...docOf(s),
          size: Number(s.size),
          ...(typeof s.logicalType === 'string' ? { logicalType: s.logicalType } : {}),
        }));
      case 'array':
        return { kind: 'array', items: node(s.items, ns) };
      case 'map':
        return { kind: 'map', values: node(s.values, ns) };
      default:
        if (isPrimitive(type)) {
          return typeof s.logicalType === 'string'
            ? { kind: 'primitive', type, logicalType: s.logicalType }
            : { kind: 'primitive', type };
        }
        return reference(type, ns);
    }
  };

  const root = node(schema, undefined);
  return { root, defs };
}

/** The key avsc uses for a union branch of this type (wrapUnions): a full name, a primitive name, array or map. */
export function branchName(n: SchemaNode): string {
  switch (n.kind) {
    case 'primitive':
      return n.type;
    case 'named':
      return n.fullName;
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'union':
      throw new Error('a union cannot be a branch of a union');
  }
}
