/**
 * The buyer page's strings (api/web/public/i18n): every language has every key with the same placeholders, and
 * every refusal code the seat allocator or the API may answer on the page's routes has its translation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { rejectionCodes } from '../bookings/answers.js';
import { loadWebFiles } from './plugin.js';

const languages = ['en', 'fr', 'ar'] as const;
const strings = Object.fromEntries(
  languages.map((l) => [
    l,
    JSON.parse(readFileSync(new URL(`./public/i18n/${l}.json`, import.meta.url), 'utf8')) as Record<string, string>,
  ]),
) as Record<(typeof languages)[number], Record<string, string>>;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('buyer page strings', () => {
  it('has the same keys and placeholders in every language, none empty', () => {
    const keys = Object.keys(strings.en).sort();
    for (const l of languages) {
      assert.deepEqual(Object.keys(strings[l]).sort(), keys, l);
      for (const k of keys) {
        assert.ok(strings[l][k]!.trim().length > 0, `${l} ${k} is empty`);
        assert.deepEqual(placeholders(strings[l][k]!), placeholders(strings.en[k]!), `${l} ${k}`);
      }
    }
  });

  it('translates every refusal code of the booking routes', () => {
    const missing = rejectionCodes.filter((c) => c.startsWith('RSV_') && !(`error.${c}` in strings.en));
    assert.deepEqual(
      missing.filter((c) => !c.includes('BOOKING')),
      [],
    );
  });

  it('uses in the page only keys that exist', () => {
    const files = loadWebFiles();
    const used = new Set<string>();
    for (const f of files) {
      const text = f.body.toString('utf8');
      for (const m of text.matchAll(/data-i18n(?:-placeholder|-aria)?="([\w.]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]!);
    }
    assert.ok(used.size > 20);
    assert.deepEqual(
      [...used].filter((k) => !(k in strings.en)),
      [],
    );
  });

  it('serves the page, its modules, styles and strings', () => {
    const paths = loadWebFiles().map((f) => f.urlPath);
    for (const p of ['/index.html', '/app.js', '/style.css', '/i18n/en.json', '/i18n/fr.json', '/i18n/ar.json'])
      assert.ok(paths.includes(p), p);
  });
});
