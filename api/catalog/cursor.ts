/**
 * Opaque pagination cursors: the sort key of the last item of a page, as base64url JSON tagged with the listing it
 * belongs to, so that a cursor of one listing (or a forged one) is refused with SS_ERR_INVALID_CURSOR instead of
 * reaching SQL. Pure.
 */
import { ApiError } from '../errors.js';

export type CursorKey = Record<string, string>;

export function encodeCursor(kind: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ k: kind, ...key }), 'utf8').toString('base64url');
}

/**
 * @param fields the key's fields and the pattern each must match
 * @throws ApiError SS_ERR_INVALID_CURSOR
 */
export function decodeCursor<F extends string>(
  kind: string,
  cursor: string,
  fields: Record<F, RegExp>,
): Record<F, string> {
  const invalid = () => new ApiError('SS_ERR_INVALID_CURSOR');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const o = parsed as Record<string, unknown>;
  if (o.k !== kind) throw invalid();
  const names = Object.keys(fields) as F[];
  if (Object.keys(o).length !== names.length + 1) throw invalid();
  const out = {} as Record<F, string>;
  for (const f of names) {
    const v = o[f];
    if (typeof v !== 'string' || v.length > 200 || !fields[f].test(v)) throw invalid();
    out[f] = v;
  }
  return out;
}

/** What cursor fields may hold. */
export const cursorPatterns = {
  /** A timestamp as PostgreSQL writes it in JSON, or 'infinity'. */
  timestamp: /^(infinity|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z))$/,
  /** A real (float4) as PostgreSQL writes it. */
  real: /^-?(\d+(\.\d+)?([eE][+-]?\d+)?)$/,
  /** An id from a topic. */
  id: /^[\s\S]{1,200}$/,
} as const;
