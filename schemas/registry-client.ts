/**
 * A client of the Confluent schema-registry REST API, for the few calls SeatStream makes.
 *
 * Plain fetch rather than @kafkajs/confluent-schema-registry: that library's HTTP layer (mappersmith) reports a
 * refused connection as an HTTP 400 response, so a registry outage (retry later) cannot be told from a refusal (the
 * record is poison), and its register() reads and writes the subject's compatibility level as a side effect. Its
 * encode/decode stay in use as an independent implementation of the wire format in test/interop/.
 */
import type { SchemaCompatibility } from '../topics/catalog.js';

const contentType = 'application/vnd.schemaregistry.v1+json';

export class RegistryRequestError extends Error {
  /** True when the registry could not be reached or failed (no status, or 5xx); false when it refused. */
  readonly retriable: boolean;

  constructor(
    message: string,
    /** HTTP status; undefined when there was no response. */
    readonly status?: number,
    /** The registry's error_code, e.g. 40401 (subject not found), 409 (incompatible), 42201 (invalid schema). */
    readonly errorCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryRequestError';
    this.retriable = status === undefined || status >= 500;
  }
}

export interface RegisteredSchema {
  id: number;
  /** The schema text as the registry stores it. */
  schema: string;
  /** 'AVRO' when the registry omits it. */
  schemaType: string;
  references: { name: string; subject: string; version: number }[];
}

export interface CompatibilityResult {
  compatible: boolean;
  /** The registry's reasons when not compatible. */
  messages: string[];
}

export interface RegistryClient {
  readonly url: string;
  /** Registers `schema` under `subject` (idempotent: an already registered schema keeps its id). */
  register(subject: string, schema: string): Promise<number>;
  /** The id of `schema` under `subject`, or undefined when it is not registered there. */
  lookup(subject: string, schema: string): Promise<number | undefined>;
  /** @throws RegistryRequestError with status 404 when there is no such id */
  schemaById(id: number): Promise<RegisteredSchema>;
  /** The latest version of a subject, or undefined when the subject has none. */
  latest(subject: string): Promise<{ version: number; id: number; schema: string } | undefined>;
  /** The subject's own compatibility level, or undefined when it follows the registry's default. */
  compatibilityLevel(subject: string): Promise<SchemaCompatibility | undefined>;
  setCompatibilityLevel(subject: string, level: SchemaCompatibility): Promise<void>;
  /** Whether `schema` may be registered under `subject` (true when the subject has no version yet). */
  testCompatibility(subject: string, schema: string): Promise<CompatibilityResult>;
  /** Deletes a subject for good (soft, then hard delete), including its compatibility level. For tests. */
  deleteSubject(subject: string): Promise<void>;
}

export interface RegistryClientOptions {
  /** Per-request timeout; a timed-out request is a retriable error. */
  timeoutMs?: number;
}

const enc = encodeURIComponent;

export function createRegistryClient(baseUrl: string, options: RegistryClientOptions = {}): RegistryClient {
  const url = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url + path, {
        method,
        headers: { accept: contentType, ...(body === undefined ? {} : { 'content-type': contentType }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // fetch says only 'fetch failed'; the reason (ECONNREFUSED, a timeout...) is in its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new RegistryRequestError(`${method} ${url}${path}: ${why}`, undefined, undefined, { cause: err });
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const e = (data ?? {}) as { error_code?: number; message?: string };
      throw new RegistryRequestError(`${method} ${path}: ${res.status} ${e.message ?? text}`, res.status, e.error_code);
    }
    return data as T;
  }

  const notFoundAsUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof RegistryRequestError && err.status === 404) return undefined;
      throw err;
    }
  };

  return {
    url,
    async register(subject, schema) {
      return (await call<{ id: number }>('POST', `/subjects/${enc(subject)}/versions`, { schema })).id;
    },
    async lookup(subject, schema) {
      return (await notFoundAsUndefined(call<{ id: number }>('POST', `/subjects/${enc(subject)}`, { schema })))?.id;
    },
    async schemaById(id) {
      const r = await call<{ schema: string; schemaType?: string; references?: RegisteredSchema['references'] }>(
        'GET',
        `/schemas/ids/${id}`,
      );
      return { id, schema: r.schema, schemaType: r.schemaType ?? 'AVRO', references: r.references ?? [] };
    },
    async latest(subject) {
      return notFoundAsUndefined(
        call<{ version: number; id: number; schema: string }>('GET', `/subjects/${enc(subject)}/versions/latest`),
      );
    },
    async compatibilityLevel(subject) {
      const r = await notFoundAsUndefined(call<{ compatibilityLevel?: string }>('GET', `/config/${enc(subject)}`));
      return r?.compatibilityLevel as SchemaCompatibility | undefined;
    },
    async setCompatibilityLevel(subject, level) {
      await call('PUT', `/config/${enc(subject)}`, { compatibility: level });
    },
    async testCompatibility(subject, schema) {
      try {
        const r = await call<{ is_compatible: boolean; messages?: string[] }>(
          'POST',
          `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
          { schema },
        );
        return { compatible: r.is_compatible, messages: r.messages ?? [] };
      } catch (err) {
        // 40401: no such subject, 40402: no version: nothing to be incompatible with.
        if (err instanceof RegistryRequestError && err.status === 404) return { compatible: true, messages: [] };
        throw err;
      }
    },
    async deleteSubject(subject) {
      await notFoundAsUndefined(call('DELETE', `/subjects/${enc(subject)}`));
      await notFoundAsUndefined(call('DELETE', `/subjects/${enc(subject)}?permanent=true`));
      await notFoundAsUndefined(call('DELETE', `/config/${enc(subject)}`));
    },
  };
}
