/**
 * What users are told, in Arabic (right to left), French and English: one template per kind and language, picked
 * from the user's locale (English when unknown). Pure; amounts are formatted with Intl in the user's language.
 */
export const locales = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof locales)[number];

export type NotificationKind =
  'BOOKING_CONFIRMED' | 'PAYMENT_FAILED' | 'HOLD_EXPIRING' | 'EVENT_CHANGED' | 'EVENT_CANCELLED' | 'BOOKING_REFUNDED';

export interface TemplateParams {
  eventName?: string;
  bookingId?: string;
  tickets?: number;
  amountMinor?: number;
  currency?: string;
  /** Minutes left (HOLD_EXPIRING). */
  minutes?: number;
  /** A stable failure code (PAYMENT_FAILED): PAY_DECLINED, PAY_PROVIDER_TIMEOUT, ... */
  reason?: string;
  /** ISO date-time of the event's new start (EVENT_CHANGED). */
  startsAt?: number | null;
}

export interface Rendered {
  locale: Locale;
  direction: 'ltr' | 'rtl';
  title: string;
  body: string;
}

export const localeOf = (value: string | null | undefined): Locale =>
  (locales as readonly string[]).includes(value ?? '') ? (value as Locale) : 'en';

const intlLocale: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR', ar: 'ar' };

const money = (l: Locale, p: TemplateParams): string =>
  p.amountMinor === undefined || !p.currency
    ? ''
    : new Intl.NumberFormat(intlLocale[l], { style: 'currency', currency: p.currency }).format(p.amountMinor / 100);

const date = (l: Locale, at: number | null | undefined): string =>
  at
    ? new Intl.DateTimeFormat(intlLocale[l], { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(at)
    : '';

const reasons: Record<Locale, Record<string, string>> = {
  en: {
    PAY_DECLINED: 'your card was declined',
    PAY_PROVIDER_TIMEOUT: 'the payment service did not answer in time',
    PAY_PROVIDER_UNAVAILABLE: 'the payment service is unavailable',
    PAY_CIRCUIT_OPEN: 'the payment service is unavailable',
    PAY_HOLD_EXPIRED: 'your reservation expired before the payment went through',
    other: 'the payment could not be completed',
  },
  fr: {
    PAY_DECLINED: 'votre carte a été refusée',
    PAY_PROVIDER_TIMEOUT: 'le service de paiement n’a pas répondu à temps',
    PAY_PROVIDER_UNAVAILABLE: 'le service de paiement est indisponible',
    PAY_CIRCUIT_OPEN: 'le service de paiement est indisponible',
    PAY_HOLD_EXPIRED: 'votre réservation a expiré avant la fin du paiement',
    other: 'le paiement n’a pas pu aboutir',
  },
  ar: {
    PAY_DECLINED: 'تم رفض بطاقتك',
    PAY_PROVIDER_TIMEOUT: 'لم تستجب خدمة الدفع في الوقت المناسب',
    PAY_PROVIDER_UNAVAILABLE: 'خدمة الدفع غير متاحة',
    PAY_CIRCUIT_OPEN: 'خدمة الدفع غير متاحة',
    PAY_HOLD_EXPIRED: 'انتهت صلاحية حجزك قبل إتمام الدفع',
    other: 'تعذّر إتمام الدفع',
  },
};

type Template = (p: TemplateParams, l: Locale) => { title: string; body: string };

const templates: Record<NotificationKind, Record<Locale, Template>> = {
  BOOKING_CONFIRMED: {
    en: (p, l) => ({
      title: `Your booking for ${p.eventName} is confirmed`,
      body: `Booking ${p.bookingId}: ${p.tickets} ticket(s), ${money(l, p)} paid. Your tickets are in the app.`,
    }),
    fr: (p, l) => ({
      title: `Votre réservation pour ${p.eventName} est confirmée`,
      body: `Réservation ${p.bookingId} : ${p.tickets} billet(s), ${money(l, p)} payés. Vos billets sont dans l’application.`,
    }),
    ar: (p, l) => ({
      title: `تم تأكيد حجزك لـ ${p.eventName}`,
      body: `الحجز ${p.bookingId}: ${p.tickets} تذكرة، المبلغ المدفوع ${money(l, p)}. تذاكرك متاحة في التطبيق.`,
    }),
  },
  PAYMENT_FAILED: {
    en: (p) => ({
      title: `Payment failed for ${p.eventName}`,
      body: `We could not book your seats: ${reasons.en[p.reason ?? ''] ?? reasons.en.other}. You have not been charged.`,
    }),
    fr: (p) => ({
      title: `Échec du paiement pour ${p.eventName}`,
      body: `Nous n’avons pas pu réserver vos places : ${reasons.fr[p.reason ?? ''] ?? reasons.fr.other}. Vous n’avez pas été débité.`,
    }),
    ar: (p) => ({
      title: `فشل الدفع لـ ${p.eventName}`,
      body: `لم نتمكن من حجز مقاعدك: ${reasons.ar[p.reason ?? ''] ?? reasons.ar.other}. لم يتم خصم أي مبلغ.`,
    }),
  },
  HOLD_EXPIRING: {
    en: (p) => ({
      title: `Your seats for ${p.eventName} are held for ${p.minutes} more minute(s)`,
      body: 'Complete your payment before the hold expires, or the seats go back on sale.',
    }),
    fr: (p) => ({
      title: `Vos places pour ${p.eventName} sont réservées encore ${p.minutes} minute(s)`,
      body: 'Terminez votre paiement avant l’expiration, sinon les places seront remises en vente.',
    }),
    ar: (p) => ({
      title: `مقاعدك لـ ${p.eventName} محجوزة لمدة ${p.minutes} دقيقة أخرى`,
      body: 'أكمل الدفع قبل انتهاء الحجز، وإلا ستُعاد المقاعد إلى البيع.',
    }),
  },
  EVENT_CHANGED: {
    en: (p, l) => ({
      title: `${p.eventName} has changed`,
      body: `The event now starts ${date(l, p.startsAt)}. Your tickets remain valid.`,
    }),
    fr: (p, l) => ({
      title: `${p.eventName} a été modifié`,
      body: `L’événement commence désormais le ${date(l, p.startsAt)}. Vos billets restent valables.`,
    }),
    ar: (p, l) => ({
      title: `تم تغيير ${p.eventName}`,
      body: `يبدأ الحدث الآن في ${date(l, p.startsAt)}. تذاكرك لا تزال صالحة.`,
    }),
  },
  EVENT_CANCELLED: {
    en: (p) => ({
      title: `${p.eventName} is cancelled`,
      body: 'We are sorry: the event is cancelled. Your booking will be refunded.',
    }),
    fr: (p) => ({
      title: `${p.eventName} est annulé`,
      body: 'Nous sommes désolés : l’événement est annulé. Votre réservation sera remboursée.',
    }),
    ar: (p) => ({ title: `تم إلغاء ${p.eventName}`, body: 'نأسف: تم إلغاء الحدث. سيتم استرداد مبلغ حجزك.' }),
  },
  BOOKING_REFUNDED: {
    en: (p, l) => ({
      title: `Booking ${p.bookingId} refunded`,
      body: `${money(l, p)} is on its way back to your card.`,
    }),
    fr: (p, l) => ({
      title: `Réservation ${p.bookingId} remboursée`,
      body: `${money(l, p)} vous sont remboursés sur votre carte.`,
    }),
    ar: (p, l) => ({ title: `تم استرداد الحجز ${p.bookingId}`, body: `سيُعاد مبلغ ${money(l, p)} إلى بطاقتك.` }),
  },
};

export function render(kind: NotificationKind, locale: string | null | undefined, params: TemplateParams): Rendered {
  const l = localeOf(locale);
  const { title, body } = templates[kind][l]({ eventName: params.eventName || '—', ...params }, l);
  return { locale: l, direction: l === 'ar' ? 'rtl' : 'ltr', title, body };
}
