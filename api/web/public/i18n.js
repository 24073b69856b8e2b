/* global document -- a browser module */
// Strings per language (i18n/<lang>.json), the document's lang and direction, number and money formats.
export const languages = ['en', 'fr', 'ar'];
const rtl = new Set(['ar']);
let strings = {};
let fallback = {};
let current = 'en';

async function loadStrings(lang) {
  const res = await fetch(`/i18n/${lang}.json`);
  if (!res.ok) throw new Error(`strings of ${lang}: ${res.status}`);
  return res.json();
}

export async function setLanguage(lang) {
  if (!languages.includes(lang)) lang = 'en';
  if (!fallback['app.title']) fallback = await loadStrings('en');
  strings = lang === 'en' ? fallback : await loadStrings(lang);
  current = lang;
  document.documentElement.lang = lang;
  document.documentElement.dir = rtl.has(lang) ? 'rtl' : 'ltr';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

export const language = () => current;

/** The string of `key` with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  const s = strings[key] ?? fallback[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in params ? String(params[k]) : `{${k}}`));
}

export const has = (key) => key in strings || key in fallback;

export function money(minor, currency) {
  try {
    return new Intl.NumberFormat(current, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export const number = (n) => new Intl.NumberFormat(current).format(n);

export const dateTime = (iso) =>
  iso ? new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '';
