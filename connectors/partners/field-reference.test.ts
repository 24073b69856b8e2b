import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readAvsc } from '../../schemas/avsc.js';
import { fieldReference, fieldReferenceFile } from './field-reference.js';

describe('partner field reference (docs/partners/fields.md)', () => {
  it('is what the schemas say (regenerate: npx tsx connectors/partners/field-reference.ts)', async () => {
    assert.equal(readFileSync(fieldReferenceFile, 'utf8'), await fieldReference());
  });

  it('documents every field of every partner schema', () => {
    const text = readFileSync(fieldReferenceFile, 'utf8');
    for (const file of [
      'partner-catalog-event.avsc',
      'partner-availability.avsc',
      'partner-sales.avsc',
      'partner-booking.avsc',
    ]) {
      const walk = (t: unknown, prefix: string): string[] => {
        if (Array.isArray(t)) return t.flatMap((b) => walk(b, prefix));
        const o = t as { type?: unknown; fields?: { name: string; type: unknown }[]; items?: unknown };
        if (typeof o !== 'object' || o === null) return [];
        if (o.type === 'record')
          return (o.fields ?? []).flatMap((f) => [`${prefix}${f.name}`, ...walk(f.type, `${prefix}${f.name}.`)]);
        if (o.type === 'array') return walk(o.items, `${prefix.slice(0, -1)}[].`);
        return typeof o.type === 'object' ? walk(o.type, prefix) : [];
      };
      for (const path of walk(readAvsc(file).json, '')) assert.ok(text.includes(`\`${path}\``), `${file}: ${path}`);
    }
  });
});
