import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redactPaths } from './app.js';

describe('log redaction', () => {
  it('censors tokens, passwords, TOTP secrets and authorization headers wherever the API logs them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink).child({}, { redact: { paths: redactPaths, censor: '[redacted]' } });
    log.info(
      {
        req: {
          method: 'POST',
          url: '/v1/auth/login',
          headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', cookie: 'sid=abc' },
        },
      },
      'incoming',
    );
    log.info({ body: { email: 'a@example.com', password: 'hunter2hunter2' } }, 'body');
    log.info(
      {
        accessToken: 'at-123',
        refreshToken: 'rt-456',
        mfaToken: 'mfa-789',
        result: { recoveryCodes: ['ABCD-EFGH-IJKL-MNOP'] },
      },
      'tokens',
    );
    log.info(
      { enrolment: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP' } },
      'totp',
    );
    const all = lines.join('');
    for (const secret of ['eyJhbGciOi', 'sid=abc', 'hunter2', 'at-123', 'rt-456', 'mfa-789', 'ABCD-EFGH', 'JBSWY3DP']) {
      assert.ok(!all.includes(secret), `${secret} leaked: ${all}`);
    }
    assert.equal((all.match(/\[redacted\]/g) ?? []).length, 9);
  });
});
