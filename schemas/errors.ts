/**
 * Errors of the schema tooling, each with a stable code. The processor runtime routes a record it cannot decode to
 * the dead-letter topic with the code in a header, so the codes are part of the platform's contract: never reuse or
 * rename one.
 */

export const serdeErrorCodes = {
  /** The first byte is not 0: not a Confluent wire-format record. Poison. */
  SS_ERR_SERDE_MAGIC_BYTE: 'value does not start with the magic byte 0',
  /** Shorter than the 5-byte header. Poison. */
  SS_ERR_SERDE_TRUNCATED: 'value shorter than the wire-format header',
  /** The registry has no schema with the record's id. Poison (ids are never reused). */
  SS_ERR_SERDE_UNKNOWN_SCHEMA_ID: 'no schema with this id in the registry',
  /** The writer schema cannot be read with the local schema (or is not Avro). Poison for this reader version. */
  SS_ERR_SERDE_SCHEMA_MISMATCH: 'writer schema cannot be resolved to the reader schema',
  /** The Avro body does not decode with its writer schema. Poison. */
  SS_ERR_SERDE_CORRUPT_PAYLOAD: 'Avro body does not decode with its writer schema',
  /** A value to serialize does not match its schema. A bug of the producing code. */
  SS_ERR_SERDE_INVALID_VALUE: 'value does not match the schema',
  /** Auto-registration is off and the schema is not registered under the subject. */
  SS_ERR_SERDE_SCHEMA_NOT_REGISTERED: 'schema not registered under the subject',
  /** The registry refused to register the schema (incompatible with the subject's versions, or invalid). */
  SS_ERR_SERDE_SCHEMA_REFUSED: 'the registry refused the schema',
  /** The registry could not be reached or failed. Transient: retry, do not dead-letter. */
  SS_ERR_SERDE_REGISTRY_UNAVAILABLE: 'schema registry unavailable',
} as const;

export type SerdeErrorCode = keyof typeof serdeErrorCodes;

export class SerdeError extends Error {
  /** True when retrying the same record later may succeed (the registry was down); false for a poison record. */
  readonly retriable: boolean;

  constructor(
    readonly code: SerdeErrorCode,
    message: string,
    readonly details: { topic?: string; subject?: string; schemaId?: number; cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SerdeError';
    this.retriable = code === 'SS_ERR_SERDE_REGISTRY_UNAVAILABLE';
  }
}

export const subjectErrorCodes = {
  /** The subject has no version: schemas:check was not run against this registry. */
  SS_ERR_SCHEMA_SUBJECT_MISSING: 'subject has no registered version',
  /** The local schema is not registered under the subject, though the registry would accept it. */
  SS_ERR_SCHEMA_NOT_REGISTERED: 'local schema not registered',
  /** The local schema breaks the subject's compatibility rule. */
  SS_ERR_SCHEMA_INCOMPATIBLE: 'local schema incompatible with the subject',
  /** The subject's compatibility level is not the catalog's. */
  SS_ERR_SCHEMA_COMPATIBILITY_LEVEL: 'subject compatibility level differs from the catalog',
  /** The registry refused a request of schemas:check, or could not be reached. */
  SS_ERR_SCHEMA_REGISTRY: 'schema registry request failed',
} as const;

export type SubjectErrorCode = keyof typeof subjectErrorCodes;

/** One subject that is not as the catalog wants it. */
export interface SubjectProblem {
  code: SubjectErrorCode;
  subject: string;
  message: string;
}

/** Thrown by assertSubjects and by schemas:check: every problem found, not just the first. */
export class SubjectCheckError extends Error {
  constructor(readonly problems: SubjectProblem[]) {
    super(problems.map((p) => `${p.code} ${p.subject}: ${p.message}`).join('\n'));
    this.name = 'SubjectCheckError';
  }

  /** The code of the first problem (the error's code when there is only one). */
  get code(): SubjectErrorCode | undefined {
    return this.problems[0]?.code;
  }
}
