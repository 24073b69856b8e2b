import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { newPassword, saltedPassword, scramUpsertion } from './scram.js';

describe('SCRAM credentials', () => {
  it('salts passwords as RFC 7677 does: the proof of its SCRAM-SHA-256 example comes out of our Hi()', () => {
    // RFC 7677 section 3: user "user", password "pencil"
    const salted = saltedPassword('SCRAM-SHA-256', 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const authMessage = [
      'n=user,r=rOprNGfwEbeRWgbNEkqO',
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    ].join(',');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    assert.equal(proof.toString('base64'), 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  });

  it("makes SHA-512 credentials of 64 bytes with a fresh 32-byte salt each time, within Kafka's iteration bounds", () => {
    const a = scramUpsertion('partner.acme', 'pw');
    const b = scramUpsertion('partner.acme', 'pw');
    assert.equal(a.mechanism, 'SCRAM-SHA-512');
    assert.equal(a.saltedPassword.length, 64);
    assert.equal(a.salt.length, 32);
    assert.ok(!a.salt.equals(b.salt) && !a.saltedPassword.equals(b.saltedPassword));
    assert.throws(() => saltedPassword('SCRAM-SHA-512', 'pw', a.salt, 4095), /4096 to 16384/);
    assert.throws(() => saltedPassword('SCRAM-SHA-512', 'pw', a.salt, 16385), /4096 to 16384/);
  });

  it('makes passwords of 256 random bits that need no escaping', () => {
    const p = newPassword();
    assert.match(p, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(p, newPassword());
  });
});
