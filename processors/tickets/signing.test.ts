import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueTickets } from './issue.js';
import { generateTicketKeyPem, keysFromPem, signTicket, verifyTicket } from './signing.js';

const keys = keysFromPem(generateTicketKeyPem());
const other = keysFromPem(generateTicketKeyPem());
const claims = { t: 'T-1', e: 'E-1', b: 'B-1', s: 'ST1 A 7' };

describe('ticket QR signatures (Ed25519)', () => {
  it('verifies a genuine payload with the public key alone', () => {
    assert.deepEqual(verifyTicket(keys.publicKey, signTicket(keys.privateKey, claims)), claims);
  });
  it('refuses another signer, altered claims, a swapped signature and garbage', () => {
    const qr = signTicket(keys.privateKey, claims);
    assert.equal(verifyTicket(keys.publicKey, signTicket(other.privateKey, claims)), null);
    const [p, , sig] = qr.split('.');
    const altered = Buffer.from(JSON.stringify({ ...claims, t: 'T-2' })).toString('base64url');
    assert.equal(verifyTicket(keys.publicKey, `${p}.${altered}.${sig}`), null);
    const otherSig = signTicket(keys.privateKey, { ...claims, t: 'T-2' }).split('.')[2];
    assert.equal(verifyTicket(keys.publicKey, `${qr.split('.').slice(0, 2).join('.')}.${otherSig}`), null);
    for (const junk of ['', 'SS1', 'SS1..', 'XX1.a.b', `${qr}.extra`, qr.replace('SS1', 'SS2')])
      assert.equal(verifyTicket(keys.publicKey, junk), null);
  });
  it('issues one ticket per seat and per standing place, the same ones every time', () => {
    const booking = {
      bookingId: 'B-1',
      holdId: 'H-1',
      eventId: 'E-1',
      buyerId: 'u',
      currency: 'MAD',
      seats: [
        { seatId: 'ST1-A-1', sectionId: 'ST1', rowLabel: 'A', seatLabel: '1', priceCategoryId: 'C', priceMinor: 100 },
        { seatId: 'ST1-A-2', sectionId: 'ST1', rowLabel: 'A', seatLabel: '2', priceCategoryId: 'C', priceMinor: 100 },
      ],
      generalAdmission: { sectionId: 'PIT', quantity: 3, priceCategoryId: 'S', unitPriceMinor: 50 },
    };
    const a = issueTickets(keys.privateKey, booking);
    assert.equal(a.length, 5);
    assert.equal(new Set(a.map((t) => t.ticketId)).size, 5);
    assert.deepEqual(issueTickets(keys.privateKey, booking), a, 'deterministic ids and signatures');
    for (const t of a) assert.equal(verifyTicket(keys.publicKey, t.qr)?.t, t.ticketId);
  });
});
