import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpHost } from './http-host.js';

describe('httpHost', () => {
  it('is loopback unless SEATSTREAM_HTTP_HOST says otherwise', () => {
    assert.equal(httpHost({}), '127.0.0.1');
    assert.equal(httpHost({ SEATSTREAM_HTTP_HOST: ' ' }), '127.0.0.1');
    assert.equal(httpHost({ SEATSTREAM_HTTP_HOST: '0.0.0.0' }), '0.0.0.0');
    assert.equal(httpHost({ SEATSTREAM_HTTP_HOST: '::' }), '::');
  });
  it('refuses what is not an IP address, with a stable code', () => {
    assert.throws(() => httpHost({ SEATSTREAM_HTTP_HOST: 'localhost:8080' }), { code: 'SS_ERR_HTTP_HOST' });
  });
});
