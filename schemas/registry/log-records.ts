/**
 * Records of the registry's log, the `_schemas` topic (one partition, cleanup.policy=compact).
 *
 * The log is the registry's only state: every replica, the writer included, applies its records in
 * offset order with the pure `RegistryState.apply` (state.ts), and schema ids and versions are a
 * deterministic function of that order, so replicas agree without a leader. Keys and values are JSON
 * (UTF-8); every record also carries its request id in the `request-id` header.
 *
 * | kind       | key                                              | value |
 * |------------|--------------------------------------------------|-------|
 * | `register` | `{"kind":"register","subject":S,"request":R}`   | `{"request":R,"subject":S,"schemaType":"AVRO","schema":TEXT,"references":[{name,subject,version}],"fingerprint":HEX,"compatibility":LEVEL,"basis":N}` |
 * | `delete`   | `{"kind":"delete","subject":S,"request":R}`     | `{"request":R,"subject":S,"version":V or null (whole subject),"permanent":BOOL}` |
 * | `config`   | `{"kind":"config","subject":S}` (no `subject`: global) | `{"request":R,"subject":S or null,"compatibility":LEVEL or null (back to the default)}` |
 *
 * - `register`: the writer has parsed TEXT and checked it against the subject's live versions with
 *   LEVEL, the subject's level when it checked; `basis` is the subject's change counter it saw. When
 *   applied: an identical live version answers with that version; otherwise, if the subject changed
 *   since `basis` (a concurrent registration or deletion, maybe from another replica), the check is
 *   done again against the subject as it is now and the record is refused (409) if incompatible;
 *   then the schema takes the id already given to its fingerprint or, if new, the highest id so far
 *   + 1, and the subject's next version.
 * - `delete`: soft (marks versions deleted) or permanent (removes versions already soft-deleted).
 *   Validated again when applied, as Confluent validates a delete.
 * - `config`: a subject's (or the global) compatibility level.
 *
 * Why these keys. Compaction keeps the last record of each key, so a record may only ever be
 * superseded by one that makes it irrelevant to every later decision:
 * - `register` and `delete` keys are unique per request, so compaction never removes them; the
 *   decisions and numbering they imply survive any compaction (a registration compacted away would
 *   shift every later id). A permanent delete is a marker record, not a tombstone: the schema text
 *   stays in the log (Confluent tombstones it; here, ids must stay derivable from the log alone).
 * - `config` keys are one per scope: a level only matters as the current one, since a registration
 *   carries the level it was checked with and applying it never reads the config records.
 * - No record is ever a tombstone (null value): the last offset of the log is therefore never
 *   compacted away, and "read to the end offset" at startup always terminates.
 * A record id is never reused, and a record applied twice (producer retry) is applied once: apply
 * skips request ids it has already seen.
 */
import type { SchemaReference } from './canonical.js';
import { isCompatibilityLevel, type CompatibilityLevel } from './compatibility.js';

export interface RegisterRecord {
  kind: 'register';
  request: string;
  subject: string;
  schemaType: 'AVRO';
  schema: string;
  references: SchemaReference[];
  fingerprint: string;
  compatibility: CompatibilityLevel;
  basis: number;
}

export interface DeleteRecord {
  kind: 'delete';
  request: string;
  subject: string;
  /** null: every version of the subject. */
  version: number | null;
  permanent: boolean;
}

export interface ConfigRecord {
  kind: 'config';
  request: string;
  /** null: the global level. */
  subject: string | null;
  /** null: remove the setting (subject: fall back to global; global: back to the default). */
  compatibility: CompatibilityLevel | null;
}

export type LogRecord = RegisterRecord | DeleteRecord | ConfigRecord;

export const REQUEST_ID_HEADER = 'request-id';

export interface EncodedRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function encodeRecord(record: LogRecord): EncodedRecord {
  const { kind, ...value } = record;
  let key: object;
  switch (record.kind) {
    case 'register':
    case 'delete':
      key = { kind, subject: record.subject, request: record.request };
      break;
    case 'config':
      key = record.subject === null ? { kind } : { kind, subject: record.subject };
      break;
    default: {
      const _: never = record;
      return _;
    }
  }
  return { key: JSON.stringify(key), value: JSON.stringify(value), headers: { [REQUEST_ID_HEADER]: record.request } };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Reads a record of the log back; undefined for a record this version does not understand (an unknown
 * kind from a newer registry, or a damaged one), which every replica then skips alike.
 */
export function decodeRecord(key: string | null, value: string | null): LogRecord | undefined {
  if (key === null || value === null) return undefined;
  let k: Record<string, unknown>;
  let v: Record<string, unknown>;
  try {
    k = JSON.parse(key) as Record<string, unknown>;
    v = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!isString(v.request)) return undefined;
  switch (k.kind) {
    case 'register':
      if (
        !isString(v.subject) ||
        !isString(v.schema) ||
        !isString(v.fingerprint) ||
        !isCompatibilityLevel(v.compatibility)
      )
        return undefined;
      if (!Number.isInteger(v.basis) || !Array.isArray(v.references)) return undefined;
      return {
        kind: 'register',
        request: v.request,
        subject: v.subject,
        schemaType: 'AVRO',
        schema: v.schema,
        references: v.references as SchemaReference[],
        fingerprint: v.fingerprint,
        compatibility: v.compatibility,
        basis: v.basis as number,
      };
    case 'delete':
      if (
        !isString(v.subject) ||
        !(v.version === null || Number.isInteger(v.version)) ||
        typeof v.permanent !== 'boolean'
      )
        return undefined;
      return {
        kind: 'delete',
        request: v.request,
        subject: v.subject,
        version: v.version as number | null,
        permanent: v.permanent,
      };
    case 'config':
      if (!(v.subject === null || isString(v.subject))) return undefined;
      if (!(v.compatibility === null || isCompatibilityLevel(v.compatibility))) return undefined;
      return { kind: 'config', request: v.request, subject: v.subject, compatibility: v.compatibility };
    default:
      return undefined;
  }
}
