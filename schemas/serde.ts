/**
 * Avro values in the Confluent wire format (schemas/wire-format.ts), through the schema registry.
 *
 * A serde is built on one local schema, the `.avsc` of the values this code reads and writes. `serialize` writes
 * with it under the topic's subject (registering it unless told not to; the id is cached per subject). `deserialize`
 * fetches the writer schema by the record's id (cached) and resolves it to the local schema, so records written with
 * an older or newer compatible schema read as local values: schema evolution.
 *
 * Failures are SerdeErrors with stable codes (schemas/errors.ts); `retriable` tells a registry outage from a poison
 * record.
 */
import avro from 'avsc';
import { valueSubject, type TopicSpec } from '../topics/catalog.js';
import { avroTypeOptions, readAvsc, type AvscSchema } from './avsc.js';
import { SerdeError } from './errors.js';
import type { AvroValueTypes } from './generated/index.js';
import { RegistryRequestError, type RegistryClient } from './registry-client.js';
import { frame, unframe } from './wire-format.js';

/** What the processor runtime and the connectors need of a value format (the runtime declares the same shape). */
export interface Serde<T> {
  /** @throws SerdeError */
  serialize(topic: string, value: T): Promise<Buffer>;
  /** @throws SerdeError */
  deserialize(topic: string, data: Buffer): Promise<T>;
}

export interface AvroSerdeOptions {
  registry: RegistryClient;
  /** The local schema: an `.avsc` file name under schemas/, or a parsed schema. */
  schema: string | AvscSchema;
  /**
   * Register the local schema under the subject on first use (default true, like Confluent's serializers). With
   * false the schema must already be registered (by `npm run schemas:check`), else serialize fails with
   * SS_ERR_SERDE_SCHEMA_NOT_REGISTERED.
   */
  autoRegister?: boolean;
  /** Subject of a topic's values; TopicNameStrategy by default. */
  subjectOf?: (topic: string) => string;
}

/** The value type of a catalog topic, from its `.avsc` file name (unknown for a topic without schema). */
export type ValueOf<S extends TopicSpec> = S['valueSchema'] extends keyof AvroValueTypes
  ? AvroValueTypes[S['valueSchema']]
  : unknown;

type Decode = (body: Buffer) => unknown;

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createAvroSerde<T>(options: AvroSerdeOptions): Serde<T> {
  const { registry } = options;
  const local = typeof options.schema === 'string' ? readAvsc(options.schema) : options.schema;
  const reader = local.type;
  const subjectOf = options.subjectOf ?? valueSubject;
  const autoRegister = options.autoRegister ?? true;
  const ids = new Map<string, Promise<number>>();
  const decoders = new Map<number, Promise<Decode>>();

  /**
   * Caches a promise while it is pending or fulfilled. A failure is dropped, so that the next call asks again,
   * unless `keep` says it is final.
   */
  const cached = <K, V>(
    cache: Map<K, Promise<V>>,
    key: K,
    make: () => Promise<V>,
    keep: (err: unknown) => boolean = () => false,
  ): Promise<V> => {
    let p = cache.get(key);
    if (!p) {
      p = make();
      cache.set(key, p);
      p.catch((err: unknown) => {
        if (!keep(err)) cache.delete(key);
      });
    }
    return p;
  };

  /** The registry answered one of `statuses`: an answer about this schema, not a failure of the registry. */
  const answered = (err: unknown, statuses: number[]) =>
    err instanceof RegistryRequestError && err.status !== undefined && statuses.includes(err.status);

  /** Anything else (no answer, 5xx, 401...) is the registry's problem: retry rather than dead-letter the record. */
  const unavailable = (err: unknown, what: string, details: { topic: string; subject?: string; schemaId?: number }) =>
    new SerdeError('SS_ERR_SERDE_REGISTRY_UNAVAILABLE', `${what}: ${describe(err)}`, { ...details, cause: err });

  const writerId = (topic: string): Promise<number> => {
    const subject = subjectOf(topic);
    return cached(ids, subject, async () => {
      try {
        if (autoRegister) return await registry.register(subject, local.text);
        const id = await registry.lookup(subject, local.text);
        if (id === undefined) {
          throw new SerdeError('SS_ERR_SERDE_SCHEMA_NOT_REGISTERED', `${local.file ?? 'schema'} under ${subject}`, {
            topic,
            subject,
          });
        }
        return id;
      } catch (err) {
        if (err instanceof SerdeError) throw err;
        // 409: incompatible with the subject's versions; 422: not a schema the registry accepts.
        if (!answered(err, [409, 422])) throw unavailable(err, `registering under ${subject}`, { topic, subject });
        throw new SerdeError('SS_ERR_SERDE_SCHEMA_REFUSED', `${subject}: ${describe(err)}`, {
          topic,
          subject,
          cause: err,
        });
      }
    });
  };

  // A schema that cannot be read with the local one stays so: remembered, so that a flood of such records does not
  // become a flood of registry requests. An unknown id is asked again (a registry being restored may learn it).
  const decoderFor = (schemaId: number, topic: string): Promise<Decode> =>
    cached(
      decoders,
      schemaId,
      async () => {
        let text: string;
        try {
          const found = await registry.schemaById(schemaId);
          if (found.schemaType !== 'AVRO') {
            throw new SerdeError(
              'SS_ERR_SERDE_SCHEMA_MISMATCH',
              `schema ${schemaId} is ${found.schemaType}, not Avro`,
              {
                topic,
                schemaId,
              },
            );
          }
          if (found.references.length > 0) {
            throw new SerdeError('SS_ERR_SERDE_SCHEMA_MISMATCH', `schema ${schemaId} uses schema references`, {
              topic,
              schemaId,
            });
          }
          text = found.schema;
        } catch (err) {
          if (err instanceof SerdeError) throw err;
          if (!answered(err, [404])) throw unavailable(err, `fetching schema ${schemaId}`, { topic, schemaId });
          throw new SerdeError('SS_ERR_SERDE_UNKNOWN_SCHEMA_ID', `schema id ${schemaId}: ${describe(err)}`, {
            topic,
            schemaId,
            cause: err,
          });
        }
        try {
          const writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema, { ...avroTypeOptions });
          if (writer.equals(reader)) return (body) => reader.fromBuffer(body);
          const resolver = reader.createResolver(writer);
          return (body) => reader.fromBuffer(body, resolver);
        } catch (err) {
          throw new SerdeError(
            'SS_ERR_SERDE_SCHEMA_MISMATCH',
            `schema ${schemaId} to ${local.file ?? 'local schema'}: ${describe(err)}`,
            {
              topic,
              schemaId,
              cause: err,
            },
          );
        }
      },
      (err) => err instanceof SerdeError && err.code === 'SS_ERR_SERDE_SCHEMA_MISMATCH',
    );

  return {
    async serialize(topic, value) {
      let body: Buffer;
      try {
        body = reader.toBuffer(value);
      } catch (err) {
        const paths: string[] = [];
        reader.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
        throw new SerdeError(
          'SS_ERR_SERDE_INVALID_VALUE',
          `not a valid ${local.file ?? 'value'}${paths.length ? ` at ${paths.join(', ')}` : ''}: ${describe(err)}`,
          { topic, cause: err },
        );
      }
      return frame(await writerId(topic), body);
    },

    async deserialize(topic, data) {
      const { schemaId, body } = unframe(data, topic);
      const decode = await decoderFor(schemaId, topic);
      try {
        return decode(body) as T;
      } catch (err) {
        throw new SerdeError('SS_ERR_SERDE_CORRUPT_PAYLOAD', `schema ${schemaId}: ${describe(err)}`, {
          topic,
          schemaId,
          cause: err,
        });
      }
    },
  };
}

/** The serde of a catalog topic's values, typed by its generated value type. */
export function serdeFor<S extends TopicSpec>(
  spec: S,
  registry: RegistryClient,
  options: Omit<AvroSerdeOptions, 'registry' | 'schema'> = {},
): Serde<ValueOf<S>> {
  if (!spec.valueSchema) throw new Error(`${spec.name} has no value schema`);
  return createAvroSerde<ValueOf<S>>({ ...options, registry, schema: spec.valueSchema });
}
