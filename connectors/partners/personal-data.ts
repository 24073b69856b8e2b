/**
 * What "no personal data" means for partner topics, as checks a test (or an operator) can run: on schemas (no field
 * whose name says it holds personal data, every field documented) and on values (no e-mail address, phone number or
 * payment card number anywhere in a record). Pure.
 */
import type avro from 'avsc';

/**
 * Words (of camelCase or snake_case field names) that say a field holds personal or payment data. `buyerRef` passes:
 * it is a pseudonym by construction (pseudonyms.ts), which the tests check on values.
 */
export const personalWords: ReadonlySet<string> = new Set([
  'email',
  'mail',
  'phone',
  'mobile',
  'msisdn',
  'name',
  'firstname',
  'lastname',
  'surname',
  'fullname',
  'address',
  'street',
  'postcode',
  'zip',
  'birth',
  'birthday',
  'dob',
  'age',
  'gender',
  'passport',
  'national',
  'nationality',
  'identity',
  'ip',
  'card',
  'pan',
  'cvv',
  'cvc',
  'iban',
  'account',
  'payment',
  'billing',
  'user',
  'customer',
  'holder',
  'contact',
]);

const words = (field: string) =>
  field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);

export interface SchemaFinding {
  path: string;
  problem: string;
}

/** Walks a schema (records, arrays, maps, unions): fields named like personal data, fields without a doc. */
export function schemaFindings(schema: avro.Schema): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  const seen = new Set<string>();
  const walk = (s: unknown, path: string) => {
    if (Array.isArray(s)) return s.forEach((branch) => walk(branch, path));
    if (typeof s !== 'object' || s === null) return;
    const t = s as { type?: unknown; name?: string; fields?: unknown[]; items?: unknown; values?: unknown };
    if (t.type === 'record') {
      if (t.name) {
        if (seen.has(t.name)) return;
        seen.add(t.name);
      }
      for (const f of (t.fields ?? []) as { name: string; doc?: string; type: unknown }[]) {
        const p = path ? `${path}.${f.name}` : f.name;
        const hit = words(f.name).find((w) => personalWords.has(w));
        if (hit) out.push({ path: p, problem: `the field name says '${hit}'` });
        if (!f.doc?.trim()) out.push({ path: p, problem: 'no doc' });
        walk(f.type, p);
      }
      return;
    }
    if (t.type === 'array') return walk(t.items, `${path}[]`);
    if (t.type === 'map') return walk(t.values, `${path}{}`);
    if (typeof t.type === 'object') walk(t.type, path);
  };
  walk(schema, '');
  return out;
}

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
/**
 * A phone number: international (+ and 7 to 15 digits, maybe grouped by spaces, dots or dashes), or a local one of
 * the region written as one run (0 and 9 digits, e.g. 0501234567). Ids (UUIDs) never start a group with '+'.
 */
const phonePattern = /\+\d(?:[\s.-]?\d){6,14}\b|\b0\d{9}\b/;
/** Card numbers as people write them: 13 to 19 digits in one run, or groups of four separated by spaces. */
const digitRuns = /\b\d{13,19}\b|\b\d{4}(?: \d{4}){2,3}(?: \d{1,3})?\b/g;

/** Luhn check of a digit string (payment card numbers pass it). */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** What looks like personal data in one string value. */
export function personalDataIn(text: string): string[] {
  const found: string[] = [];
  if (emailPattern.test(text)) found.push('an e-mail address');
  if (phonePattern.test(text)) found.push('a phone number');
  for (const run of text.match(digitRuns) ?? []) {
    const digits = run.replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) found.push('a payment card number');
  }
  return found;
}

/** Every string leaf of a decoded value with its path (Buffers as latin1, so planted text in bytes shows too). */
export function stringLeaves(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Buffer.isBuffer(value)) return [{ path, text: value.toString('latin1') }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, path ? `${path}.${k}` : k));
  return [];
}

/** Findings in a decoded record: `path: what` for each string that looks like personal data. */
export function recordFindings(value: unknown): string[] {
  return stringLeaves(value).flatMap(({ path, text }) => personalDataIn(text).map((what) => `${path}: ${what}`));
}
