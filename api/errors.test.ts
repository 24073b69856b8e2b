import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, errorCatalog, rateLimited, toErrorResponse, type ErrorCode } from './errors.js';

describe('error catalog', () => {
  it('every code is SS_ERR_<AREA>_<WHAT> with a 4xx/5xx status and a message', () => {
    for (const [code, { status, message }] of Object.entries(errorCatalog)) {
      assert.match(code, /^SS_ERR_[A-Z]+(_[A-Z]+)*$/);
      assert.ok(status >= 400 && status < 600, `${code}: ${status}`);
      assert.ok(message.length > 0);
    }
  });
  it('bad input never maps to a 5xx', () => {
    const badInput: ErrorCode[] = [
      'SS_ERR_VALIDATION',
      'SS_ERR_MALFORMED_JSON',
      'SS_ERR_BAD_REQUEST',
      'SS_ERR_BODY_TOO_LARGE',
      'SS_ERR_UNSUPPORTED_MEDIA_TYPE',
      'SS_ERR_NOT_FOUND',
    ];
    for (const code of badInput) assert.ok(errorCatalog[code].status < 500, code);
  });
});

describe('toErrorResponse', () => {
  it('answers an ApiError as it is, headers included', () => {
    const r = toErrorResponse(rateLimited(12.2));
    assert.deepEqual(r, {
      status: 429,
      body: { code: 'SS_ERR_AUTH_RATE_LIMITED', message: errorCatalog.SS_ERR_AUTH_RATE_LIMITED.message },
      headers: { 'retry-after': '13' },
    });
    assert.equal(toErrorResponse(new ApiError('SS_ERR_USER_NOT_FOUND', 'no user 42')).body.message, 'no user 42');
  });
  it('maps Fastify validation errors to SS_ERR_VALIDATION 400 with the validator message', () => {
    const err = Object.assign(new Error('body/email must match format "email"'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validation: [{}],
      validationContext: 'body',
    });
    assert.deepEqual(toErrorResponse(err), {
      status: 400,
      body: { code: 'SS_ERR_VALIDATION', message: 'body/email must match format "email"' },
      headers: {},
    });
  });
  const fastify: [string, ErrorCode, number][] = [
    ['FST_ERR_CTP_BODY_TOO_LARGE', 'SS_ERR_BODY_TOO_LARGE', 413],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'SS_ERR_UNSUPPORTED_MEDIA_TYPE', 415],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 'SS_ERR_MALFORMED_JSON', 400],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 'SS_ERR_MALFORMED_JSON', 400],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'SS_ERR_BAD_REQUEST', 400],
    ['FST_ERR_BAD_URL', 'SS_ERR_BAD_REQUEST', 400],
  ];
  for (const [fst, code, status] of fastify) {
    it(`${fst} -> ${code} ${status}`, () => {
      const r = toErrorResponse(Object.assign(new Error('x'), { code: fst }));
      assert.equal(r.body.code, code);
      assert.equal(r.status, status);
    });
  }
  it('a JSON SyntaxError is malformed JSON', () =>
    assert.equal(toErrorResponse(new SyntaxError('Unexpected token')).body.code, 'SS_ERR_MALFORMED_JSON'));
  it('an unknown 4xx from a plugin stays a 4xx', () =>
    assert.deepEqual(toErrorResponse(Object.assign(new Error('?'), { statusCode: 431 })).status, 400));
  it('a backing service out of reach is a 503 SS_ERR_UNAVAILABLE', () => {
    const down = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new Error('Command timed out'),
      new Error('Connection is closed.'),
      new Error('timeout exceeded when trying to connect'),
    ];
    for (const err of down) assert.deepEqual(toErrorResponse(err).body.code, 'SS_ERR_UNAVAILABLE', err.message);
    assert.equal(toErrorResponse(Object.assign(new Error('syntax error at or near'), { code: '42601' })).status, 500);
  });
  it('anything else is a 500 whose message does not leak', () => {
    const r = toErrorResponse(new Error('password=hunter2 at db.ts:42'));
    assert.deepEqual(r, { status: 500, body: { code: 'SS_ERR_INTERNAL', message: 'internal error' }, headers: {} });
    assert.equal(toErrorResponse('a string').body.code, 'SS_ERR_INTERNAL');
    assert.equal(toErrorResponse(null).body.code, 'SS_ERR_INTERNAL');
  });
});
