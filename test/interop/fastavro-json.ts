/**
 * The same Avro datum as SeatStream (avsc, wrapped unions) and as Confluent's Python client (fastavro) hold it, in
 * the JSON that test/interop/confluent_client.py reads and prints. Pure; walks the schema, so a union branch is
 * named from the schema, not guessed from the value.
 *
 * fastavro's view: a union is its value, except a record in a union, which is [full name, record]
 * (return_record_name); bytes and fixed are {"$bytes": hex}; it converts logical types to Python objects, which the
 * script prints as {"$epoch_us"}, {"$date"}, {"$time_us"}. Unions holding an enum or fixed are not supported:
 * fastavro names them or not depending on whether the schema defines them in place or by reference.
 */
import { branchName, parseSchemaTree, type SchemaNode, type SchemaTree } from '../../schemas/codegen/schema-tree.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How fastavro converts each logical type, as the script then prints it; absent: kept as the raw value. */
const logicalAsPrinted: Record<string, (v: number) => Json> = {
  'timestamp-millis': (v) => ({ $epoch_us: v * 1000 }),
  'timestamp-micros': (v) => ({ $epoch_us: v }),
  'local-timestamp-millis': (v) => ({ $epoch_us: v * 1000 }),
  'local-timestamp-micros': (v) => ({ $epoch_us: v }),
  date: (v) => ({ $date: v }),
  'time-millis': (v) => ({ $time_us: v * 1000 }),
  'time-micros': (v) => ({ $time_us: v }),
};
/** Logical types fastavro converts in ways this comparison does not model. */
const unsupportedLogical = new Set(['decimal', 'duration']);

const bytesJson = (v: unknown): Json => ({ $bytes: (v as Buffer).toString('hex') });

type Mode = 'printed' | 'input';

function walk(tree: SchemaTree, node: SchemaNode, value: unknown, mode: Mode): Json {
  switch (node.kind) {
    case 'primitive': {
      if (node.logicalType && unsupportedLogical.has(node.logicalType)) {
        throw new Error(`logical type ${node.logicalType} is not supported by the interop comparison`);
      }
      if (node.type === 'bytes') return bytesJson(value);
      const asPrinted = node.logicalType ? logicalAsPrinted[node.logicalType] : undefined;
      // fastavro writes ints given for timestamps and dates as they are.
      if (asPrinted && mode === 'printed') return asPrinted(value as number);
      return value as Json;
    }
    case 'named': {
      const def = tree.defs.get(node.fullName)!;
      if (def.kind === 'enum') return value as string;
      if (def.kind === 'fixed') return bytesJson(value);
      const record = value as Record<string, unknown>;
      return Object.fromEntries(def.fields.map((f) => [f.name, walk(tree, f.type, record[f.name], mode)]));
    }
    case 'array':
      return (value as unknown[]).map((v) => walk(tree, node.items, v, mode));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(tree, node.values, v, mode)]),
      );
    case 'union': {
      if (value === null) return null;
      const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
      const branch = node.branches.find((b) => branchName(b) === key);
      if (!branch) throw new Error(`no branch ${key} in the union`);
      const converted = walk(tree, branch, inner, mode);
      if (mode === 'input') return { $union: [key, converted] };
      if (branch.kind !== 'named') return converted;
      const kind = tree.defs.get(branch.fullName)!.kind;
      if (kind !== 'record') throw new Error(`a union holding the ${kind} ${branch.fullName} is not supported`);
      return [branch.fullName, converted];
    }
  }
}

/** A converter for one schema (its parsed JSON). */
export function fastavroJson(schema: unknown) {
  const tree = parseSchemaTree(schema);
  return {
    /** The value as the Python consumer prints it after decoding. */
    printed: (value: unknown): Json => walk(tree, tree.root, value, 'printed'),
    /** The value as the Python producer reads it from its input. */
    input: (value: unknown): Json => walk(tree, tree.root, value, 'input'),
  };
}
