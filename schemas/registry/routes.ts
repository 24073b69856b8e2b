/**
 * The Confluent Schema Registry REST API (the subset SeatStream's clients use: kafkajs'
 * @kafkajs/confluent-schema-registry and confluent-kafka's Python SchemaRegistryClient), over a
 * RegistryStore. Handlers read the state directly; writes go through the log (`store.write`), and
 * answer with what the log decided.
 *
 * Request and response bodies are JSON, content type `application/vnd.schemaregistry.v1+json`
 * (requests may also say application/json, application/vnd.schemaregistry+json or
 * application/octet-stream). Errors are `{ error_code, message }` (errors.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../infra/log.js';
import { parseAvroSchema, parseReferences, type ParsedSchema } from './avro-schema.js';
import { checkCompatibility, parseCompatibilityLevel, type PreviousVersion } from './compatibility.js';
import {
  badRequest,
  incompatibleSchema,
  invalidSchema,
  invalidVersion,
  notReady,
  operationNotPermitted,
  RegistryError,
  schemaNotFound,
  subjectNotFound,
  unsupportedSchemaType,
} from './errors.js';
import type { RegistryMetrics } from './metrics.js';
import type { DeletedFilter, StoredSchema, SubjectVersion } from './state.js';
import type { RegistryStore } from './store.js';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

const requestContentTypes = [
  'application/json',
  CONTENT_TYPE,
  'application/vnd.schemaregistry+json',
  'application/octet-stream',
];

/** Routes that answer before the log is read (liveness, metrics). */
const alwaysAvailable = new Set(['/', '/metrics']);

type Query = Record<string, string | undefined>;
type Params = { subject: string; version: string; id: string };

/** Query flags as clients send them: `true`, `True` (Python's str(True)), `1`. */
const flag = (req: FastifyRequest, ...names: string[]) =>
  names.some((n) => ['true', '1'].includes(String((req.query as Query)[n] ?? '').toLowerCase()));

/** `latest`, `-1` (Confluent's alias of latest) or 1..2^31-1. @throws RegistryError 42202 */
export function parseVersion(raw: string): number | 'latest' {
  const v = raw.trim();
  if (v.toLowerCase() === 'latest' || v === '-1') return 'latest';
  if (!/^\d+$/.test(v)) throw invalidVersion(raw);
  const n = Number(v);
  if (n < 1 || n > 2 ** 31 - 1) throw invalidVersion(raw);
  return n;
}

const parseId = (raw: string): number => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw schemaNotFound();
  return n;
};

const deletedFilter = (req: FastifyRequest): DeletedFilter =>
  flag(req, 'deletedOnly', 'deleted_only') ? 'deletedOnly' : flag(req, 'deleted') ? 'all' : 'live';

/** `{schema}` plus `references` when there are some (Confluent omits empty ones, and `schemaType` for AVRO). */
const schemaBody = (s: StoredSchema) => ({
  schema: s.schema,
  ...(s.references.length ? { references: s.references } : {}),
});

export function installRegistryApi(
  app: FastifyInstance,
  deps: { store: RegistryStore; metrics: RegistryMetrics; log: Logger },
): void {
  const { store, metrics, log } = deps;
  const state = store.state;

  /// Plumbing: content types, readiness, errors, metrics

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser([...requestContentTypes, '*'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(badRequest(`Unexpected request body, not JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.type(CONTENT_TYPE);
    if (!alwaysAvailable.has(req.routeOptions.url ?? '') && !store.ready) throw notReady();
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof RegistryError) return reply.code(err.status).type(CONTENT_TYPE).send(err.toJSON());
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).type(CONTENT_TYPE).send({ error_code: err.statusCode, message: err.message });
    }
    log.error({ err, method: req.method, url: req.url }, 'request failed');
    return reply
      .code(500)
      .type(CONTENT_TYPE)
      .send({ error_code: 500, message: `Internal Server Error: ${err.message}` });
  });

  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).type(CONTENT_TYPE).send({ error_code: 404, message: 'HTTP 404 Not Found' }),
  );

  /// Shared request handling

  /** Reads `{schema, schemaType?, references?}` and parses the schema. @throws RegistryError 42201 */
  const readSchema = (req: FastifyRequest): ParsedSchema => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw invalidSchema('the request body must be a JSON object with a "schema" string');
    const schemaType = body.schemaType ?? 'AVRO';
    if (schemaType !== 'AVRO') throw unsupportedSchemaType(String(schemaType));
    if (typeof body.schema !== 'string') throw invalidSchema('"schema" must be a string holding the schema JSON');
    const references = parseReferences(body.references);
    return parseAvroSchema(body.schema, references, state.resolveReference);
  };

  const versionBody = (v: SubjectVersion) => {
    const stored = state.stored(v.id);
    if (!stored) throw schemaNotFound(v.id);
    return { subject: v.subject, version: v.version, id: v.id, ...schemaBody(stored) };
  };

  /** Unwraps a log outcome: the success, or its error thrown. */
  const decided = async (pending: Promise<Awaited<ReturnType<RegistryStore['write']>>>) => {
    const outcome = await pending;
    if (!outcome.ok) throw outcome.error;
    return outcome;
  };

  /// Root

  app.get('/', async () => ({}));
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/schemas/types', async () => ['AVRO']);
  app.get('/mode', async () => ({ mode: 'READWRITE' }));

  /// Schemas by id

  const schemaOr404 = (req: FastifyRequest) => {
    const id = parseId((req.params as Params).id);
    const stored = state.schemaById(id);
    if (!stored) throw schemaNotFound(id);
    return stored;
  };
  app.get('/schemas/ids/:id', async (req) => schemaBody(schemaOr404(req)));
  app.get('/schemas/ids/:id/schema', async (req, reply) => reply.send(schemaOr404(req).schema));
  app.get('/schemas/ids/:id/versions', async (req) => {
    const stored = schemaOr404(req);
    return state
      .versionsOfId(stored.id, flag(req, 'deleted') ? 'all' : 'live')
      .map((v) => ({ subject: v.subject, version: v.version }));
  });
  app.get('/schemas/ids/:id/subjects', async (req) => {
    const stored = schemaOr404(req);
    return [
      ...new Set(state.versionsOfId(stored.id, flag(req, 'deleted') ? 'all' : 'live').map((v) => v.subject)),
    ].sort();
  });

  /// Subjects

  app.get('/subjects', async (req) => {
    const prefix = (req.query as Query).subjectPrefix ?? '';
    return state.subjectNames(deletedFilter(req)).filter((s) => s.startsWith(prefix));
  });

  app.get('/subjects/:subject/versions', async (req) => {
    const { subject } = req.params as Params;
    const filter = deletedFilter(req);
    if (!state.hasSubject(subject, filter !== 'live')) throw subjectNotFound(subject);
    return state.versions(subject, filter).map((v) => v.version);
  });

  app.get('/subjects/:subject/versions/:version', async (req) => {
    const { subject, version } = req.params as Params;
    return versionBody(state.version(subject, parseVersion(version), flag(req, 'deleted')));
  });

  app.get('/subjects/:subject/versions/:version/schema', async (req, reply) => {
    const { subject, version } = req.params as Params;
    return reply.send(versionBody(state.version(subject, parseVersion(version), flag(req, 'deleted'))).schema);
  });

  app.get('/subjects/:subject/versions/:version/referencedby', async (req) => {
    const { subject, version } = req.params as Params;
    const v = state.version(subject, parseVersion(version), true);
    return [...new Set(state.referrers(subject, v.version).map((r) => r.id))].sort((a, b) => a - b);
  });

  // Register: check against this replica's state, append, answer with the log's decision.
  app.post('/subjects/:subject/versions', async (req) => {
    const { subject } = req.params as Params;
    const body = req.body as Record<string, unknown> | undefined;
    if (body && (body.id !== undefined || body.version !== undefined)) {
      throw operationNotPermitted(
        'registering with an explicit id or version needs IMPORT mode, which this registry does not offer',
      );
    }
    const parsed = readSchema(req);
    const existing = state.lookup(subject, parsed.fingerprint, false);
    if (existing) return { id: existing.id };
    const level = state.effectiveCompatibility(subject);
    const messages = checkCompatibility(parsed.type, state.previousVersions(subject), level);
    if (messages.length) throw incompatibleSchema(subject, messages);
    const outcome = await decided(
      store.write({
        kind: 'register',
        request: randomUUID(),
        subject,
        schemaType: 'AVRO',
        schema: parsed.text,
        references: parsed.references,
        fingerprint: parsed.fingerprint,
        compatibility: level,
        basis: state.basis(subject),
      }),
    );
    log.info({ subject, id: outcome.id, version: outcome.version }, 'schema registered');
    return { id: outcome.id };
  });

  // Lookup: is this schema registered under the subject?
  app.post('/subjects/:subject', async (req) => {
    const { subject } = req.params as Params;
    const includeDeleted = flag(req, 'deleted');
    if (!state.hasSubject(subject, includeDeleted)) throw subjectNotFound(subject);
    const parsed = readSchema(req);
    const found = state.lookup(subject, parsed.fingerprint, includeDeleted);
    if (!found) throw schemaNotFound();
    return versionBody(found);
  });

  app.delete('/subjects/:subject', async (req) => {
    const { subject } = req.params as Params;
    const permanent = flag(req, 'permanent');
    state.checkDeleteSubject(subject, permanent);
    const outcome = await decided(
      store.write({ kind: 'delete', request: randomUUID(), subject, version: null, permanent }),
    );
    log.info({ subject, permanent, versions: outcome.versions }, 'subject deleted');
    return outcome.versions;
  });

  app.delete('/subjects/:subject/versions/:version', async (req, reply) => {
    const { subject, version: raw } = req.params as Params;
    const permanent = flag(req, 'permanent');
    const spec = parseVersion(raw);
    const version = spec === 'latest' ? state.version(subject, 'latest', permanent).version : spec;
    state.checkDeleteVersion(subject, version, permanent);
    const outcome = await decided(store.write({ kind: 'delete', request: randomUUID(), subject, version, permanent }));
    log.info({ subject, version, permanent }, 'version deleted');
    return reply.send(outcome.version);
  });

  /// Compatibility settings

  app.get('/config', async () => ({ compatibilityLevel: state.globalCompatibility() }));

  app.put('/config', async (req) => {
    const compatibility = parseCompatibilityLevel((req.body as Record<string, unknown> | undefined)?.compatibility);
    await decided(store.write({ kind: 'config', request: randomUUID(), subject: null, compatibility }));
    return { compatibility };
  });

  app.delete('/config', async () => {
    const outcome = await decided(
      store.write({ kind: 'config', request: randomUUID(), subject: null, compatibility: null }),
    );
    return { compatibilityLevel: outcome.compatibility };
  });

  app.get('/config/:subject', async (req) => {
    const { subject } = req.params as Params;
    return { compatibilityLevel: state.configOf(subject, flag(req, 'defaultToGlobal')) };
  });

  app.put('/config/:subject', async (req) => {
    const { subject } = req.params as Params;
    const compatibility = parseCompatibilityLevel((req.body as Record<string, unknown> | undefined)?.compatibility);
    if (state.subjectCompatibility(subject) !== compatibility) {
      await decided(store.write({ kind: 'config', request: randomUUID(), subject, compatibility }));
    }
    return { compatibility };
  });

  app.delete('/config/:subject', async (req) => {
    const { subject } = req.params as Params;
    state.checkDeleteConfig(subject);
    const outcome = await decided(store.write({ kind: 'config', request: randomUUID(), subject, compatibility: null }));
    return { compatibilityLevel: outcome.compatibility };
  });

  /// Compatibility checks (nothing is written)

  const compatibilityAnswer = (req: FastifyRequest, reply: FastifyReply, messages: string[]) =>
    reply.send(
      flag(req, 'verbose')
        ? { is_compatible: messages.length === 0, messages }
        : { is_compatible: messages.length === 0 },
    );

  app.post('/compatibility/subjects/:subject/versions/:version', async (req, reply) => {
    const { subject, version: raw } = req.params as Params;
    const spec = parseVersion(raw);
    const parsed = readSchema(req);
    const level = state.effectiveCompatibility(subject);
    if (!state.hasSubject(subject, false)) {
      if (spec === 'latest') return compatibilityAnswer(req, reply, []); // nothing to be incompatible with
      throw subjectNotFound(subject);
    }
    let against: PreviousVersion[];
    if (spec === 'latest')
      against = state.previousVersions(subject); // the level says latest only or all
    else {
      const v = state.version(subject, spec, false);
      against = [{ version: v.version, type: state.typeOf(v.id) }];
    }
    return compatibilityAnswer(req, reply, checkCompatibility(parsed.type, against, level));
  });

  app.post('/compatibility/subjects/:subject/versions', async (req, reply) => {
    const { subject } = req.params as Params;
    const parsed = readSchema(req);
    return compatibilityAnswer(
      req,
      reply,
      checkCompatibility(parsed.type, state.previousVersions(subject), state.effectiveCompatibility(subject)),
    );
  });
}
