import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientMessage, tokenFromProtocols } from './protocol.js';

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('client messages', () => {
  it('reads auth, subscriptions and pings', () => {
    assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'auth', token: jwt })), { type: 'auth', token: jwt });
    assert.deepEqual(parseClientMessage('{"type":"subscribe","topic":"me"}'), { type: 'subscribe', topic: 'me' });
    assert.deepEqual(parseClientMessage('{"type":"subscribe","topic":"availability","eventId":"evt-1"}'), {
      type: 'subscribe',
      topic: 'availability',
      eventId: 'evt-1',
    });
    assert.deepEqual(parseClientMessage('{"type":"unsubscribe","topic":"availability","eventId":"e:2"}'), {
      type: 'unsubscribe',
      topic: 'availability',
      eventId: 'e:2',
    });
    assert.deepEqual(parseClientMessage('{"type":"ping","id":"p1"}'), { type: 'ping', id: 'p1' });
    assert.deepEqual(parseClientMessage('{"type":"ping"}'), { type: 'ping', id: null });
  });

  it('explains what is wrong with anything else', () => {
    const bad = [
      'not json',
      '[]',
      'null',
      '{"type":"shout"}',
      '{"type":"auth"}',
      '{"type":"auth","token":"abc"}',
      '{"type":"subscribe","topic":"everything"}',
      '{"type":"subscribe","topic":"availability"}',
      '{"type":"subscribe","topic":"availability","eventId":"-bad"}',
      `{"type":"subscribe","topic":"availability","eventId":"${'x'.repeat(129)}"}`,
      '{"type":"subscribe","topic":"me","userId":"someone-else"}',
      '{"type":"ping","id":{"a":1}}',
    ];
    for (const text of bad) {
      const m = parseClientMessage(text);
      assert.ok('error' in m && m.error.length > 0, text);
    }
  });
});

describe('token as a subprotocol', () => {
  it('is found among the offered subprotocols, or is absent', () => {
    assert.equal(tokenFromProtocols(`seatstream.v1, bearer.${jwt}`), jwt);
    assert.equal(tokenFromProtocols('seatstream.v1'), null);
    assert.equal(tokenFromProtocols(undefined), null);
  });
});
