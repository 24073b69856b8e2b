/**
 * Refuses a NUL character (U+0000) anywhere in a request's query, path parameters or JSON body with
 * 400 SS_ERR_VALIDATION, before any handler runs. PostgreSQL text cannot hold U+0000 (it answers
 * "invalid byte sequence"), so without this guard such input would reach a query and become a 500.
 * The same for an unpaired UTF-16 surrogate (JSON's `"\ud800"`): it has no UTF-8 form, so it would be
 * stored as U+FFFD, altered without a word. One check here, instead of a pattern on every string of every schema.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

/** Whether a decoded JSON value or query object holds a string (keys included) that `bad` says is bad. */
function holdsString(value: unknown, bad: (s: string) => boolean, depth = 0): boolean {
  if (typeof value === 'string') return bad(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsString(v, bad, depth + 1));
  return Object.entries(value).some(([k, v]) => bad(k) || holdsString(v, bad, depth + 1));
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a decoded JSON value or query object holds a string with U+0000 (keys included). */
export const holdsNul = (value: unknown): boolean => holdsString(value, (s) => s.includes('\u0000'));

/** Whether a decoded JSON value or query object holds a string with an unpaired surrogate (keys included). */
export const holdsLoneSurrogate = (value: unknown): boolean => holdsString(value, (s) => loneSurrogate.test(s));

export const nulBytesPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (req) => {
      for (const [part, value] of [
        ['query string', req.query],
        ['path', req.params],
        ['body', req.body],
      ] as const) {
        if (holdsNul(value)) throw new ApiError('SS_ERR_VALIDATION', `the ${part} holds a NUL character (U+0000)`);
        if (holdsLoneSurrogate(value))
          throw new ApiError('SS_ERR_VALIDATION', `the ${part} holds an unpaired UTF-16 surrogate (not text)`);
      }
    });
  },
  { name: 'seatstream-nul-bytes' },
);
