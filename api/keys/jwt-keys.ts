/**
 * The JWT signing key set and its rotation, as data.
 *
 * Several keys verify, one signs (`current`). Rotation happens in two moves so that verifiers that
 * cache `/.well-known/jwks.json` never see a token signed by a key they have not fetched yet:
 * `addKey` publishes a new key (it verifies, it does not sign), `promote` makes it the signing key
 * and stamps the previous one `retiredAt`; `prune` drops keys retired longer ago than the longest
 * access-token lifetime, since nothing they signed can still be valid. `rotate` = add + promote, for
 * a single instance.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const signingAlg = 'ES256';

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  alg: typeof signingAlg;
  /** Private JWK (EC P-256), including `d`. */
  privateJwk: JWK;
  createdAt: string;
  /** When this key stopped signing; absent for the current key and for keys not promoted yet. */
  retiredAt?: string;
}

/** The JSON form (env `SEATSTREAM_JWT_KEYS` or the file `SEATSTREAM_JWT_KEYS_FILE` names). */
export interface JwtKeySet {
  current: string;
  keys: SigningKey[];
}

export async function generateSigningKey(now: Date = new Date()): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(signingAlg, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  return { kid, alg: signingAlg, privateJwk: { ...privateJwk, kid, alg: signingAlg }, createdAt: now.toISOString() };
}

export const newKeySet = (key: SigningKey): JwtKeySet => ({ current: key.kid, keys: [key] });

/** Publishes a key for verification without signing with it yet. */
export function addKey(set: JwtKeySet, key: SigningKey): JwtKeySet {
  if (set.keys.some((k) => k.kid === key.kid)) throw new Error(`key ${key.kid} is already in the set`);
  return { ...set, keys: [...set.keys, key] };
}

/** Makes `kid` the signing key; the previous signing key keeps verifying and is stamped retired. */
export function promote(set: JwtKeySet, kid: string, now: Date = new Date()): JwtKeySet {
  if (!set.keys.some((k) => k.kid === kid)) throw new Error(`key ${kid} is not in the set`);
  if (set.current === kid) return set;
  const keys = set.keys.map((k): SigningKey => {
    if (k.kid === set.current) return { ...k, retiredAt: now.toISOString() };
    if (k.kid === kid) return { kid: k.kid, alg: k.alg, privateJwk: k.privateJwk, createdAt: k.createdAt };
    return k;
  });
  return { current: kid, keys };
}

export const rotate = (set: JwtKeySet, key: SigningKey, now: Date = new Date()): JwtKeySet =>
  promote(addKey(set, key), key.kid, now);

/** Drops keys retired more than `keepSec` ago (keep at least the access-token lifetime plus clock skew). */
export function prune(set: JwtKeySet, now: Date, keepSec: number): JwtKeySet {
  const cutoff = now.getTime() - keepSec * 1000;
  return {
    ...set,
    keys: set.keys.filter((k) => k.kid === set.current || !k.retiredAt || Date.parse(k.retiredAt) > cutoff),
  };
}

export function validateKeySet(set: JwtKeySet): JwtKeySet {
  if (!set || !Array.isArray(set.keys) || typeof set.current !== 'string')
    throw new Error('a JWT key set is {current, keys[]}');
  const kids = new Set<string>();
  for (const k of set.keys) {
    if (kids.has(k.kid)) throw new Error(`duplicate kid ${k.kid}`);
    kids.add(k.kid);
    if (k.alg !== signingAlg || k.privateJwk?.kty !== 'EC' || k.privateJwk.crv !== 'P-256' || !k.privateJwk.d) {
      throw new Error(`key ${k.kid} must be an ES256 (EC P-256) private JWK`);
    }
  }
  if (!kids.has(set.current)) throw new Error(`the current key ${set.current} is not in the set`);
  return set;
}

/** Only the public members of an EC JWK. */
export const publicPart = (jwk: JWK): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });

/** The JWKS document: every key that verifies, public parts only. */
export const publicJwks = (set: JwtKeySet): { keys: JWK[] } => ({
  keys: set.keys.map((k) => ({ ...publicPart(k.privateJwk), kid: k.kid, alg: k.alg, use: 'sig' })),
});
