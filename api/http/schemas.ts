/**
 * Shared JSON Schemas (registered once with `app.addSchema`, referenced as `{ $ref: 'Name#' }`,
 * published as OpenAPI components) and helpers to write route schemas.
 */
import { errorCatalog } from '../errors.js';

export const ErrorBody = {
  $id: 'ErrorBody',
  type: 'object',
  description: 'Every error: a stable code (see api/errors.ts) and a human-readable message.',
  required: ['code', 'message'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', enum: Object.keys(errorCatalog) },
    message: { type: 'string' },
  },
} as const;

export const sharedSchemas = [ErrorBody];

const errorRef = { $ref: 'ErrorBody#' } as const;

/** Statuses any route may answer for bad input or a backing service down. */
const alwaysPossible = [400, 413, 415, 500, 503] as const;

/** A route's `response` map: its successes plus `ErrorBody` for the given and the always-possible error statuses. */
export function responses(ok: Record<number, unknown>, errorStatuses: number[] = []): Record<number, unknown> {
  const out: Record<number, unknown> = { ...ok };
  for (const s of [...alwaysPossible, ...errorStatuses]) out[s] = errorRef;
  return out;
}

/** Statuses of routes that need a bearer token. */
export const authErrors = [401, 403];

/** An empty 204 answer. */
export const noContent = { type: 'null', description: 'No content' } as const;

export const bearerSecurity = [{ bearerAuth: [] }];
