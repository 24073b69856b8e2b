/**
 * Rotates the JWT signing key set kept in a file: `SEATSTREAM_JWT_KEYS_FILE` when set, otherwise the
 * local `.stack/secrets/jwt-keys.json`.
 *
 *   npx tsx api/keys/rotate.ts            add a new key, sign with it, prune keys retired long ago
 *   npx tsx api/keys/rotate.ts stage      add a new key that only verifies (publish it first when
 *                                         verifiers cache the JWKS), print its kid
 *   npx tsx api/keys/rotate.ts promote K  make staged key K the signing key
 *
 * Running API instances read the key set at start: restart them (one at a time) after a change.
 */
import { loadApiConfig } from '../config.js';
import { localJwtKeysFile, readOrCreate, writeLocalSecret } from '../secrets.js';
import {
  addKey,
  generateSigningKey,
  newKeySet,
  promote,
  prune,
  rotate,
  validateKeySet,
  type JwtKeySet,
} from './jwt-keys.js';

const file = process.env.SEATSTREAM_JWT_KEYS_FILE || localJwtKeysFile();
const [command = 'rotate', arg] = process.argv.slice(2);
const config = loadApiConfig();
const keepSec = config.jwt.accessTtlSec + config.jwt.clockToleranceSec;
const now = new Date();

const set = validateKeySet(await readOrCreate<JwtKeySet>(file, async () => newKeySet(await generateSigningKey(now))));
let next: JwtKeySet;
switch (command) {
  case 'rotate':
    next = prune(rotate(set, await generateSigningKey(now), now), now, keepSec);
    break;
  case 'stage': {
    const key = await generateSigningKey(now);
    next = addKey(set, key);
    console.log(`staged ${key.kid}`);
    break;
  }
  case 'promote':
    if (!arg) throw new Error('promote needs the kid of a staged key');
    next = prune(promote(set, arg, now), now, keepSec);
    break;
  default:
    console.error('usage: npx tsx api/keys/rotate.ts [rotate | stage | promote <kid>]');
    process.exit(2);
}
writeLocalSecret(file, validateKeySet(next));
console.log(`${file}: signing with ${next.current}; ${next.keys.length} key(s) verify`);
