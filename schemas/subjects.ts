/**
 * The registry's subjects as the topic catalog wants them: each topic's value subject (TopicNameStrategy) at the
 * catalog's compatibility level, with the topic's `.avsc` registered.
 *
 * `ensureSubjects` makes it so (`npm run schemas:check`, at deployment); `assertSubjects` only checks (at boot: a
 * service refuses to start on a missing or incompatible subject).
 */
import { loadEndpoints } from '../infra/config.js';
import { subjectFor, type SchemaCompatibility, type TopicSpec } from '../topics/catalog.js';
import { readAvsc } from './avsc.js';
import { SubjectCheckError, type SubjectProblem } from './errors.js';
import { createRegistryClient, RegistryRequestError, type RegistryClient } from './registry-client.js';

export const defaultCompatibility: SchemaCompatibility = 'BACKWARD';

export interface SubjectOutcome {
  subject: string;
  /** The `.avsc` file. */
  file: string;
  compatibility: SchemaCompatibility;
  /** Set when the subject's level was changed: what it was (undefined: the registry default). */
  compatibilityWas?: SchemaCompatibility | undefined;
  action: 'registered' | 'unchanged' | 'failed';
  /** Registry id of the local schema. */
  id?: number;
  problem?: SubjectProblem;
}

interface Target {
  subject: string;
  file: string;
  schema: string;
  compatibility: SchemaCompatibility;
}

/** The subjects of the specs that have a value schema, once each. */
function targets(specs: readonly TopicSpec[]): Target[] {
  const out = new Map<string, Target>();
  for (const spec of specs) {
    if (!spec.valueSchema) continue;
    const subject = subjectFor(spec);
    out.set(subject, {
      subject,
      file: spec.valueSchema,
      schema: readAvsc(spec.valueSchema).text,
      compatibility: spec.compatibility ?? defaultCompatibility,
    });
  }
  return [...out.values()];
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

const registryProblem = (subject: string, what: string, err: unknown): SubjectProblem => ({
  code: 'SS_ERR_SCHEMA_REGISTRY',
  subject,
  message: `${what}: ${reason(err)}`,
});

const defaultRegistry = () => createRegistryClient(loadEndpoints().schemaRegistry);

/**
 * Sets each subject's compatibility level and registers its schema; a subject the registry refuses does not stop
 * the others.
 * @returns one outcome per subject; `failed` ones carry the problem (a 409 names the registry's reason)
 */
export async function ensureSubjects(
  specs: readonly TopicSpec[],
  registry: RegistryClient = defaultRegistry(),
): Promise<SubjectOutcome[]> {
  const outcomes: SubjectOutcome[] = [];
  for (const t of targets(specs)) {
    const base = { subject: t.subject, file: t.file, compatibility: t.compatibility };
    let step = 'reading the compatibility level';
    try {
      const level = await registry.compatibilityLevel(t.subject);
      let changed: Pick<SubjectOutcome, 'compatibilityWas'> = {};
      if (level !== t.compatibility) {
        step = `setting compatibility ${t.compatibility}`;
        await registry.setCompatibilityLevel(t.subject, t.compatibility);
        changed = { compatibilityWas: level };
      }
      step = 'looking the schema up';
      const known = await registry.lookup(t.subject, t.schema);
      if (known !== undefined) {
        outcomes.push({ ...base, ...changed, action: 'unchanged', id: known });
        continue;
      }
      step = 'registering';
      const id = await registry.register(t.subject, t.schema);
      outcomes.push({ ...base, ...changed, action: 'registered', id });
    } catch (err) {
      const refused = err instanceof RegistryRequestError && err.status === 409;
      const problem: SubjectProblem = refused
        ? {
            code: 'SS_ERR_SCHEMA_INCOMPATIBLE',
            subject: t.subject,
            message: `the registry refused schemas/${t.file} under ${t.compatibility}: ${reason(err)}`,
          }
        : registryProblem(t.subject, step, err);
      outcomes.push({ ...base, action: 'failed', problem });
    }
  }
  return outcomes;
}

/**
 * Checks, without changing anything, that each subject has a version, the catalog's compatibility level, and the
 * local `.avsc` registered.
 * @returns the registry id of each subject's local schema
 * @throws SubjectCheckError listing every problem (codes SS_ERR_SCHEMA_*)
 */
export async function assertSubjects(
  specs: readonly TopicSpec[],
  registry: RegistryClient = defaultRegistry(),
): Promise<Map<string, number>> {
  const problems: SubjectProblem[] = [];
  const ids = new Map<string, number>();
  for (const t of targets(specs)) {
    try {
      const latest = await registry.latest(t.subject);
      if (!latest) {
        problems.push({
          code: 'SS_ERR_SCHEMA_SUBJECT_MISSING',
          subject: t.subject,
          message: `no version registered (run npm run schemas:check against ${registry.url})`,
        });
        continue;
      }
      const level = await registry.compatibilityLevel(t.subject);
      if (level !== t.compatibility) {
        problems.push({
          code: 'SS_ERR_SCHEMA_COMPATIBILITY_LEVEL',
          subject: t.subject,
          message: `compatibility is ${level ?? 'the registry default'}, the catalog says ${t.compatibility}`,
        });
      }
      const id = await registry.lookup(t.subject, t.schema);
      if (id !== undefined) {
        ids.set(t.subject, id);
        continue;
      }
      const verdict = await registry.testCompatibility(t.subject, t.schema);
      problems.push(
        verdict.compatible
          ? {
              code: 'SS_ERR_SCHEMA_NOT_REGISTERED',
              subject: t.subject,
              message: `schemas/${t.file} is not registered (compatible: run npm run schemas:check)`,
            }
          : {
              code: 'SS_ERR_SCHEMA_INCOMPATIBLE',
              subject: t.subject,
              message: `schemas/${t.file} is incompatible with the subject: ${verdict.messages.join('; ') || 'no reason given'}`,
            },
      );
    } catch (err) {
      problems.push(registryProblem(t.subject, 'checking', err));
    }
  }
  if (problems.length > 0) throw new SubjectCheckError(problems);
  return ids;
}
