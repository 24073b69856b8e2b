/**
 * The `.avsc` files under schemas/ (the source of truth of every value format) and the one set of avsc options
 * SeatStream decodes them with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

export const schemasDir = dirname(fileURLToPath(import.meta.url));

/**
 * How avsc builds every type: unions are always wrapped (`null`, or `{ 'branch.Name': value }`), so a value says
 * which branch it is, whatever the branches; logical types are not converted (timestamp-millis stays a number).
 * The generated types of schemas/generated/ describe exactly these values.
 */
export const avroTypeOptions = { wrapUnions: true } as const satisfies Partial<avro.ForSchemaOptions>;

export interface AvscSchema {
  /** File name under schemas/, e.g. 'reservation-command.avsc' (undefined for a schema not read from a file). */
  file: string | undefined;
  /** The parsed JSON. */
  json: avro.Schema;
  /** The schema as sent to the registry: the file's JSON without its layout whitespace. */
  text: string;
  type: avro.Type;
}

/** A schema from its JSON (parsed or text). @throws on a schema avsc rejects */
export function parseAvsc(schema: string | object, file?: string): AvscSchema {
  const json = (typeof schema === 'string' ? JSON.parse(schema) : schema) as avro.Schema;
  return { file, json, text: JSON.stringify(json), type: avro.Type.forSchema(json, { ...avroTypeOptions }) };
}

/** Reads schemas/<file>. @throws when missing or invalid */
export function readAvsc(file: string, dir = schemasDir): AvscSchema {
  const path = join(dir, file);
  try {
    return parseAvsc(readFileSync(path, 'utf8'), file);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The `.avsc` file names under schemas/, sorted. */
export const listAvscFiles = (dir = schemasDir): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort();
