import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locales, render, type NotificationKind } from './templates.js';

const kinds: NotificationKind[] = [
  'BOOKING_CONFIRMED',
  'PAYMENT_FAILED',
  'HOLD_EXPIRING',
  'EVENT_CHANGED',
  'EVENT_CANCELLED',
  'BOOKING_REFUNDED',
];
const params = {
  eventName: 'Gnawa Night',
  bookingId: 'B-1',
  tickets: 2,
  amountMinor: 90_000,
  currency: 'MAD',
  minutes: 2,
  reason: 'PAY_DECLINED',
  startsAt: Date.UTC(2027, 5, 1, 20),
};

describe('notification templates', () => {
  it('has every kind in every language, naming the event', () => {
    for (const kind of kinds)
      for (const locale of locales) {
        const r = render(kind, locale, params);
        assert.equal(r.locale, locale);
        assert.ok(r.title.length > 0 && r.body.length > 0, `${kind}/${locale}`);
        if (kind !== 'BOOKING_REFUNDED') assert.ok(r.title.includes('Gnawa Night'), `${kind}/${locale}: ${r.title}`);
      }
  });
  it('writes Arabic right to left, in Arabic script, with the amount in the Arabic locale', () => {
    const ar = render('BOOKING_CONFIRMED', 'ar', params);
    assert.equal(ar.direction, 'rtl');
    assert.match(ar.title, /[\u0600-\u06FF]/);
    assert.equal(render('BOOKING_CONFIRMED', 'fr', params).direction, 'ltr');
  });
  it('formats amounts per language and falls back to English for an unknown locale', () => {
    assert.match(render('BOOKING_CONFIRMED', 'fr', params).body, /900,00/);
    assert.match(render('BOOKING_CONFIRMED', 'en', params).body, /900\.00/);
    assert.equal(render('PAYMENT_FAILED', 'de', params).locale, 'en');
    assert.match(render('PAYMENT_FAILED', 'fr', params).body, /carte a été refusée/);
  });
});
