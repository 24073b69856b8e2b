import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { genReqId } from './request-id.js';

const req = (id?: string | string[]) =>
  ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it("keeps a caller's sane id", () => {
    assert.equal(genReqId(req('gw-1732550000.abc:42')), 'gw-1732550000.abc:42');
    assert.equal(genReqId(req('0f8fad5b-d9cb-469f-a165-70867728950e')), '0f8fad5b-d9cb-469f-a165-70867728950e');
  });
  it('generates a UUID when there is none, or it is too short, too long, repeated or carries other characters', () => {
    for (const bad of [
      undefined,
      'short',
      'x'.repeat(129),
      ['aaaaaaaaaa', 'bbbbbbbbbb'],
      'abc def ghi',
      'abcdefgh\nforged-log-line',
      '<script>alert(1)</script>',
    ]) {
      assert.match(genReqId(req(bad)), uuid, String(bad));
    }
  });
});
