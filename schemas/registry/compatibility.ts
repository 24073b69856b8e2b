/**
 * Compatibility levels and checks, done with avsc's schema resolution (Avro spec "Schema Resolution"):
 * data written with schema W can be read with schema R iff `R.createResolver(W)` does not throw.
 *
 * - BACKWARD: the new schema reads data written with the latest version (new = reader).
 * - FORWARD: the latest version reads data written with the new schema (new = writer).
 * - FULL: both. `*_TRANSITIVE`: the same against every live (non-deleted) version, not only the latest.
 * - NONE: no check.
 *
 * avsc's rules (pinned by compatibility.test.ts): a reader field missing from the writer needs a default;
 * writer fields unknown to the reader are skipped; enum symbols written but unknown to the reader are an
 * error unless the reader enum has a `default`; a writer union needs every branch readable, a reader
 * union needs one matching branch; promotions int→long→float→double, string↔bytes; named types must
 * match by full name or an alias of the reader (stricter than Java Avro, which ignores the namespace);
 * logical types are checked as their underlying type (as Java Avro does).
 */
import type { AvroType } from './avro-schema.js';
import { invalidCompatibility } from './errors.js';

export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof compatibilityLevels)[number];

/** The global level when none was ever set (Confluent's default). */
export const defaultCompatibility: CompatibilityLevel = 'BACKWARD';

export const isCompatibilityLevel = (v: unknown): v is CompatibilityLevel =>
  typeof v === 'string' && (compatibilityLevels as readonly string[]).includes(v);

/**
 * Reads a level as clients send it (case-insensitive).
 * @throws RegistryError 42203 for anything else.
 */
export function parseCompatibilityLevel(v: unknown): CompatibilityLevel {
  const upper = typeof v === 'string' ? v.trim().toUpperCase() : v;
  if (!isCompatibilityLevel(upper)) throw invalidCompatibility();
  return upper;
}

/** Why `reader` cannot read data written with `writer`, or undefined when it can. */
export function resolutionError(reader: AvroType, writer: AvroType): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface PreviousVersion {
  version: number;
  type: AvroType;
}

/**
 * Checks `candidate` against the previous live versions of a subject (oldest first).
 * @returns one message per failed check; empty when compatible.
 */
export function checkCompatibility(
  candidate: AvroType,
  previous: readonly PreviousVersion[],
  level: CompatibilityLevel,
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const old of against) {
    if (backward) {
      const why = resolutionError(candidate, old.type);
      if (why) messages.push(`${level}: the new schema cannot read data written with version ${old.version}: ${why}`);
    }
    if (forward) {
      const why = resolutionError(old.type, candidate);
      if (why) messages.push(`${level}: version ${old.version} cannot read data written with the new schema: ${why}`);
    }
  }
  return messages;
}
