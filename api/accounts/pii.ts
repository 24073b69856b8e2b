/**
 * Personal data at rest: AES-256-GCM field encryption and a keyed HMAC blind index.
 *
 * A sealed field is `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts), so the encryption key can
 * rotate: new writes use the current key, old fields stay readable while their key is in the ring.
 * The additional authenticated data binds a ciphertext to its row and column (`users.email:<id>`),
 * so a sealed value copied into another row does not decrypt.
 *
 * The blind index is HMAC-SHA256 over the normalised value under a separate key: equality lookups
 * (login by e-mail, uniqueness) without storing the value. That key cannot rotate without
 * recomputing every index, so it is kept apart from the encryption keys.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export interface PiiKeyRing {
  /** Id of the key new fields are sealed with. */
  current: string;
  /** Every key that may still open a field, by id; each 32 bytes. */
  encryption: ReadonlyMap<string, Buffer>;
  /** 32 bytes. */
  blindIndexKey: Buffer;
}

/** The JSON form of a key ring (env `SEATSTREAM_PII_KEYS` or the file it names). */
export interface PiiKeyFile {
  encryption: { current: string; keys: Record<string, string> };
  blindIndexKey: string;
}

const keyIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function piiKeyRingFrom(file: PiiKeyFile): PiiKeyRing {
  const encryption = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(file.encryption.keys)) {
    if (!keyIdPattern.test(id)) throw new Error(`PII key id ${JSON.stringify(id)} must match ${keyIdPattern}`);
    encryption.set(id, key32(b64, `PII key ${id}`));
  }
  if (!encryption.has(file.encryption.current))
    throw new Error(`the current PII key ${file.encryption.current} is not in the ring`);
  return { current: file.encryption.current, encryption, blindIndexKey: key32(file.blindIndexKey, 'blind-index key') };
}

export function generatePiiKeyFile(keyId = 'pii-1'): PiiKeyFile {
  return {
    encryption: { current: keyId, keys: { [keyId]: randomBytes(32).toString('base64') } },
    blindIndexKey: randomBytes(32).toString('base64'),
  };
}

function key32(b64: string, what: string): Buffer {
  const k = Buffer.from(b64, 'base64');
  if (k.length !== 32) throw new Error(`${what} must be 32 bytes (base64), got ${k.length}`);
  return k;
}

const b64u = (b: Buffer) => b.toString('base64url');

export function seal(ring: PiiKeyRing, plaintext: string, aad: string): string {
  const key = ring.encryption.get(ring.current)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ring.current, b64u(iv), b64u(ct), b64u(cipher.getAuthTag())].join('.');
}

/** Opens a sealed field; throws when the key is unknown, the AAD differs or the value was tampered with. */
export function open(ring: PiiKeyRing, sealed: string, aad: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new Error('not a sealed v1 field');
  const [, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
  const key = ring.encryption.get(keyId);
  if (!key) throw new Error(`PII key ${keyId} is not in the ring`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** E-mail addresses compare case-insensitively after Unicode normalisation. */
export const normalizeEmail = (email: string): string => email.normalize('NFKC').trim().toLowerCase();

export const blindIndex = (ring: PiiKeyRing, purpose: string, value: string): Buffer =>
  createHmac('sha256', ring.blindIndexKey).update(`${purpose}\0${value}`, 'utf8').digest();

export const emailIndex = (ring: PiiKeyRing, email: string): Buffer => blindIndex(ring, 'email', normalizeEmail(email));
