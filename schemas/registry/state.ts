/**
 * The registry's state: what the log (log-records.ts) says once applied in order. `apply` is the only
 * way to change it and is deterministic (no clock, no randomness, no IO), so every replica that applies
 * the same log holds the same ids, versions and settings. The queries below answer the REST API.
 */
import { parseAvroSchema, type AvroType, type ReferenceResolver } from './avro-schema.js';
import type { SchemaReference } from './canonical.js';
import {
  checkCompatibility,
  defaultCompatibility,
  type CompatibilityLevel,
  type PreviousVersion,
} from './compatibility.js';
import {
  incompatibleSchema,
  invalidSchema,
  RegistryError,
  referenceExists,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
  subjectCompatibilityNotConfigured,
  storeError,
} from './errors.js';
import type { ConfigRecord, DeleteRecord, LogRecord, RegisterRecord } from './log-records.js';

export interface StoredSchema {
  id: number;
  schema: string;
  references: SchemaReference[];
  fingerprint: string;
}

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  deleted: boolean;
}

interface SubjectState {
  /** Present versions (live or soft-deleted), in ascending version order. */
  versions: Map<number, SubjectVersion>;
  /** Counts the changes to `versions`: the basis a registration is checked on. Never reset. */
  seq: number;
}

export type Outcome =
  | {
      request: string;
      ok: true;
      id?: number;
      version?: number;
      versions?: number[];
      compatibility?: CompatibilityLevel;
    }
  | { request: string; ok: false; error: RegistryError };

/** Which versions a query sees: live only (default), live and soft-deleted, or soft-deleted only. */
export type DeletedFilter = 'live' | 'all' | 'deletedOnly';

const visible = (v: SubjectVersion, filter: DeletedFilter) =>
  filter === 'live' ? !v.deleted : filter === 'deletedOnly' ? v.deleted : true;

export class RegistryState {
  private readonly schemasById = new Map<number, StoredSchema>();
  private readonly idByFingerprint = new Map<string, number>();
  private maxId = 0;
  private readonly subjects = new Map<string, SubjectState>();
  private globalLevel: CompatibilityLevel | undefined;
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private readonly seenRequests = new Set<string>();
  private readonly typeCache = new Map<number, AvroType>();

  /// Apply

  /**
   * Applies one record of the log.
   * @returns the outcome for the request that wrote it, or undefined for a request already applied.
   */
  apply(record: LogRecord): Outcome | undefined {
    if (this.seenRequests.has(record.request)) return undefined;
    this.seenRequests.add(record.request);
    try {
      switch (record.kind) {
        case 'register':
          return this.applyRegister(record);
        case 'delete':
          return record.version === null
            ? this.applyDeleteSubject(record)
            : this.applyDeleteVersion(record, record.version);
        case 'config':
          return this.applyConfig(record);
        default: {
          const _: never = record;
          return _;
        }
      }
    } catch (e) {
      // Any failure refuses the record rather than stopping the replica on it: every replica runs the
      // same code on the same record, so they all refuse it alike.
      const error =
        e instanceof RegistryError ? e : storeError(`record ${record.request} not applied: ${(e as Error).message}`);
      return { request: record.request, ok: false, error };
    }
  }

  private subjectState(subject: string): SubjectState {
    let s = this.subjects.get(subject);
    if (!s) {
      s = { versions: new Map(), seq: 0 };
      this.subjects.set(subject, s);
    }
    return s;
  }

  private applyRegister(r: RegisterRecord): Outcome {
    const subject = this.subjectState(r.subject);
    const same = [...subject.versions.values()].find(
      (v) => !v.deleted && this.schemasById.get(v.id)?.fingerprint === r.fingerprint,
    );
    if (same) return { request: r.request, ok: true, id: same.id, version: same.version };

    for (const ref of r.references) {
      if (!this.subjects.get(ref.subject)?.versions.has(ref.version)) {
        throw invalidSchema(`reference ${ref.name} to ${ref.subject} version ${ref.version} not found`);
      }
    }
    if (subject.seq !== r.basis) {
      // The subject changed after the writer checked: check again against the subject as it is now.
      const candidate = parseAvroSchema(r.schema, r.references, this.resolveReference).type;
      const messages = checkCompatibility(candidate, this.previousVersions(r.subject), r.compatibility);
      if (messages.length) throw incompatibleSchema(r.subject, messages);
    }

    let id = this.idByFingerprint.get(r.fingerprint);
    if (id === undefined) {
      id = ++this.maxId;
      this.idByFingerprint.set(r.fingerprint, id);
      this.schemasById.set(id, { id, schema: r.schema, references: r.references, fingerprint: r.fingerprint });
    }
    const version = this.lastVersion(subject) + 1;
    subject.versions.set(version, { subject: r.subject, version, id, deleted: false });
    subject.seq++;
    return { request: r.request, ok: true, id, version };
  }

  private lastVersion(subject: SubjectState): number {
    let last = 0;
    for (const v of subject.versions.keys()) last = Math.max(last, v);
    return last;
  }

  /** Versions (any subject) whose schema references `subject` `version`. */
  referrers(subject: string, version: number): SubjectVersion[] {
    const out: SubjectVersion[] = [];
    for (const s of this.subjects.values()) {
      for (const v of s.versions.values()) {
        const refs = this.schemasById.get(v.id)?.references ?? [];
        if (refs.some((ref) => ref.subject === subject && ref.version === version)) out.push(v);
      }
    }
    return out;
  }

  private assertNotReferenced(subject: string, version: number): void {
    if (this.referrers(subject, version).length) throw referenceExists(subject, version);
  }

  /**
   * The checks a version delete must pass (also run by the API before appending, to keep doomed
   * records out of the log).
   * @throws RegistryError 40401, 40402, 40406 (already soft-deleted), 40407 (permanent before soft), 42206.
   */
  checkDeleteVersion(subjectName: string, version: number, permanent: boolean): void {
    const subject = this.subjects.get(subjectName);
    if (!subject || subject.versions.size === 0) throw subjectNotFound(subjectName);
    const v = subject.versions.get(version);
    if (!v) throw versionNotFound(version);
    if (!permanent && v.deleted) throw versionSoftDeleted(subjectName, version);
    if (permanent && !v.deleted) throw versionNotSoftDeleted(subjectName, version);
    this.assertNotReferenced(subjectName, version);
  }

  /**
   * The checks a subject delete must pass.
   * @returns the versions it would delete.
   * @throws RegistryError 40401, 40404 (already soft-deleted), 40405 (permanent before soft), 42206.
   */
  checkDeleteSubject(subjectName: string, permanent: boolean): number[] {
    const present = this.versions(subjectName, 'all');
    if (present.length === 0) throw subjectNotFound(subjectName);
    const live = present.filter((v) => !v.deleted);
    if (!permanent && live.length === 0) throw subjectSoftDeleted(subjectName);
    if (permanent && live.length > 0) throw subjectNotSoftDeleted(subjectName);
    const targets = permanent ? present : live;
    for (const v of targets) {
      const outside = this.referrers(subjectName, v.version).filter((ref) => ref.subject !== subjectName);
      if (outside.length) throw referenceExists(subjectName, v.version);
    }
    return targets.map((v) => v.version);
  }

  /**
   * The checks removing a subject's compatibility setting must pass.
   * @returns the setting it removes.
   * @throws RegistryError 40401 when the subject has no setting of its own.
   */
  checkDeleteConfig(subjectName: string): CompatibilityLevel {
    const previous = this.subjectLevels.get(subjectName);
    if (!previous) throw subjectNotFound(subjectName);
    return previous;
  }

  private applyDeleteVersion(r: DeleteRecord, version: number): Outcome {
    this.checkDeleteVersion(r.subject, version, r.permanent);
    const subject = this.subjectState(r.subject);
    if (r.permanent) subject.versions.delete(version);
    else subject.versions.get(version)!.deleted = true;
    subject.seq++;
    return { request: r.request, ok: true, version };
  }

  private applyDeleteSubject(r: DeleteRecord): Outcome {
    const targets = this.checkDeleteSubject(r.subject, r.permanent);
    const subject = this.subjectState(r.subject);
    for (const version of targets) {
      if (r.permanent) subject.versions.delete(version);
      else subject.versions.get(version)!.deleted = true;
    }
    if (r.permanent) this.subjectLevels.delete(r.subject);
    subject.seq++;
    return { request: r.request, ok: true, versions: targets };
  }

  private applyConfig(r: ConfigRecord): Outcome {
    if (r.subject === null) {
      const previous = this.globalLevel ?? defaultCompatibility;
      this.globalLevel = r.compatibility ?? undefined;
      return { request: r.request, ok: true, compatibility: r.compatibility ?? previous };
    }
    if (r.compatibility === null) {
      const previous = this.checkDeleteConfig(r.subject);
      this.subjectLevels.delete(r.subject);
      return { request: r.request, ok: true, compatibility: previous };
    }
    this.subjectLevels.set(r.subject, r.compatibility);
    return { request: r.request, ok: true, compatibility: r.compatibility };
  }

  /// Queries

  /** Resolves a schema reference to the referenced version's schema (live or soft-deleted). */
  readonly resolveReference: ReferenceResolver = (ref) => {
    const v = this.subjects.get(ref.subject)?.versions.get(ref.version);
    const stored = v && this.schemasById.get(v.id);
    if (!stored) throw invalidSchema(`reference ${ref.name} to ${ref.subject} version ${ref.version} not found`);
    return stored;
  };

  /** The parsed avsc type of a stored schema (cached: schemas never change once stored). */
  typeOf(id: number): AvroType {
    let type = this.typeCache.get(id);
    if (!type) {
      const stored = this.schemasById.get(id);
      if (!stored) throw new Error(`no schema ${id}`);
      type = parseAvroSchema(stored.schema, stored.references, this.resolveReference).type;
      this.typeCache.set(id, type);
    }
    return type;
  }

  /** Live versions of a subject, oldest first, as compatibility checks take them. */
  previousVersions(subject: string): PreviousVersion[] {
    return this.versions(subject, 'live').map((v) => ({ version: v.version, type: this.typeOf(v.id) }));
  }

  /** The change counter of a subject (0 for a subject never seen). */
  basis(subject: string): number {
    return this.subjects.get(subject)?.seq ?? 0;
  }

  /** A schema by id, while at least one version (live or soft-deleted) of some subject uses it. */
  schemaById(id: number): StoredSchema | undefined {
    const stored = this.schemasById.get(id);
    if (!stored) return undefined;
    return this.versionsOfId(id, 'all').length ? stored : undefined;
  }

  versionsOfId(id: number, filter: DeletedFilter): SubjectVersion[] {
    const out: SubjectVersion[] = [];
    for (const s of this.subjects.values())
      for (const v of s.versions.values()) if (v.id === id && visible(v, filter)) out.push(v);
    return out.sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  subjectNames(filter: DeletedFilter): string[] {
    const out: string[] = [];
    for (const [name, s] of this.subjects) if ([...s.versions.values()].some((v) => visible(v, filter))) out.push(name);
    return out.sort();
  }

  /** Versions of a subject seen through `filter`, ascending. */
  versions(subject: string, filter: DeletedFilter): SubjectVersion[] {
    const s = this.subjects.get(subject);
    if (!s) return [];
    return [...s.versions.values()].filter((v) => visible(v, filter)).sort((a, b) => a.version - b.version);
  }

  /** Whether the subject has any version (live, or soft-deleted too when `includeDeleted`). */
  hasSubject(subject: string, includeDeleted: boolean): boolean {
    return this.versions(subject, includeDeleted ? 'all' : 'live').length > 0;
  }

  /**
   * One version of a subject; `latest` is the highest visible one.
   * @throws RegistryError 40401 (no such subject) or 40402 (no such version).
   */
  version(subject: string, version: number | 'latest', includeDeleted: boolean): SubjectVersion {
    const candidates = this.versions(subject, includeDeleted ? 'all' : 'live');
    if (candidates.length === 0) throw subjectNotFound(subject);
    const found =
      version === 'latest' ? candidates[candidates.length - 1] : candidates.find((v) => v.version === version);
    if (!found) throw versionNotFound(version);
    return found;
  }

  /** The version of a subject holding the schema with this fingerprint (the newest one), if any. */
  lookup(subject: string, fingerprint: string, includeDeleted: boolean): SubjectVersion | undefined {
    const candidates = this.versions(subject, includeDeleted ? 'all' : 'live');
    return candidates.reverse().find((v) => this.schemasById.get(v.id)?.fingerprint === fingerprint);
  }

  stored(id: number): StoredSchema | undefined {
    return this.schemasById.get(id);
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel ?? defaultCompatibility;
  }

  /** The subject-level setting, if one was set. */
  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  /**
   * The level in force for a subject: its own, else the global one.
   */
  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalCompatibility();
  }

  /**
   * The subject-level setting, or the global one when `defaultToGlobal`.
   * @throws RegistryError 40408 when the subject has no setting of its own and `defaultToGlobal` is false.
   */
  configOf(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const own = this.subjectLevels.get(subject);
    if (own) return own;
    if (defaultToGlobal) return this.globalCompatibility();
    throw subjectCompatibilityNotConfigured(subject);
  }

  /** Sizes, for metrics. */
  counts(): { schemas: number; subjects: number } {
    return { schemas: this.idByFingerprint.size, subjects: this.subjectNames('live').length };
  }
}
