/**
 * The registry's errors, shaped as Confluent Schema Registry answers them: an HTTP status and a body
 * `{ error_code, message }`. Codes and messages follow Confluent's `rest/exceptions/Errors.java`, so
 * clients written for Confluent (which read `error_code`, or only the HTTP status) behave the same.
 */

export class RegistryError extends Error {
  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** Confluent error code (e.g. 40401); the HTTP status itself where Confluent uses it (409). */
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/// 404
export const subjectNotFound = (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`);
export const versionNotFound = (version: number | string) =>
  new RegistryError(404, 40402, `Version ${version} not found.`);
export const schemaNotFound = (id?: number) =>
  new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);
export const subjectSoftDeleted = (subject: string) =>
  new RegistryError(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
export const subjectNotSoftDeleted = (subject: string) =>
  new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
export const versionSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    404,
    40406,
    `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
  );
export const versionNotSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );
export const subjectCompatibilityNotConfigured = (subject: string) =>
  new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);

/// 409
export const incompatibleSchema = (subject: string, details: string[]) =>
  new RegistryError(
    409,
    409,
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join(', ')}]`,
  );

/// 422
export const invalidSchema = (detail: string) => new RegistryError(422, 42201, `Invalid schema: ${detail}`);
export const unsupportedSchemaType = (schemaType: string) =>
  new RegistryError(422, 42201, `Invalid schema type ${schemaType}: this registry stores AVRO schemas only`);
export const invalidVersion = (version: string) =>
  new RegistryError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  );
export const invalidCompatibility = () =>
  new RegistryError(
    422,
    42203,
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
  );
export const operationNotPermitted = (detail: string) =>
  new RegistryError(422, 42205, `Operation not permitted: ${detail}`);
export const referenceExists = (subject: string, version: number) =>
  new RegistryError(422, 42206, `One or more references exist to the schema {subject=${subject},version=${version}}`);

/// 400
export const badRequest = (detail: string) => new RegistryError(400, 400, detail);

/// 500 / 503
export const storeError = (detail: string) =>
  new RegistryError(500, 50001, `Error in the backend datastore: ${detail}`);
export const operationTimeout = (detail: string) => new RegistryError(500, 50002, `Operation timed out: ${detail}`);
export const notReady = () =>
  new RegistryError(503, 50301, 'The schema registry is still reading its _schemas log; try again shortly');
