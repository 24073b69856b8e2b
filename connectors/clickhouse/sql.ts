/**
 * SQL literals for ClickHouse, for the queries that carry values (ClickHouse 18.16 has no query parameters, so
 * values are rendered into the text). Every value goes through one of these functions, never string concatenation
 * of raw input: strings are quoted with every backslash and quote escaped, numbers must be finite integers in
 * range, identifiers must be plain names.
 */

export class SqlValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlValueError';
  }
}

/** A ClickHouse string literal: 'text', with \ and ' escaped (and control characters, so the text stays one line). */
export function quoteString(value: string): string {
  if (typeof value !== 'string') throw new SqlValueError(`not a string: ${typeof value}`);
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** An unsigned integer literal, checked to be an integer in [0, max]. */
export function unsignedInteger(value: number, max = Number.MAX_SAFE_INTEGER): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new SqlValueError(`not an integer in [0, ${max}]: ${value}`);
  return String(value);
}

/** An array of string literals: ['a', 'b']. */
export function stringArray(values: readonly string[]): string {
  return `[${values.map(quoteString).join(', ')}]`;
}

/** A DateTime from epoch seconds: toDateTime(1700000000). */
export function dateTimeFromSeconds(epochSeconds: number): string {
  return `toDateTime(${unsignedInteger(epochSeconds, 4_294_967_295)})`;
}

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A database or table name: letters, digits and underscores, not starting with a digit. */
export function identifier(name: string): string {
  if (!identifierPattern.test(name)) throw new SqlValueError(`not a plain identifier: ${JSON.stringify(name)}`);
  return name;
}

export const isIdentifier = (name: string): boolean => identifierPattern.test(name);
