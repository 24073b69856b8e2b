/**
 * The API's secrets: the JWT signing key set and the personal-data key ring.
 *
 * Each comes from, in order: an environment variable holding the JSON (`SEATSTREAM_JWT_KEYS`,
 * `SEATSTREAM_PII_KEYS`), or one naming a file that holds it (`SEATSTREAM_JWT_KEYS_FILE`,
 * `SEATSTREAM_PII_KEYS_FILE`, e.g. a mounted secret); otherwise, outside production, a local file
 * under `.stack/secrets/` that is generated on first use (mode 0600). In production
 * (`NODE_ENV=production`) a missing secret is an error: a key generated on the fly would make every
 * replica sign with its own key and lose the personal data on restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDir } from '../infra/config.js';
import { generatePiiKeyFile, piiKeyRingFrom, type PiiKeyFile, type PiiKeyRing } from './accounts/pii.js';
import { generateSigningKey, newKeySet, validateKeySet, type JwtKeySet } from './keys/jwt-keys.js';

export interface ApiSecrets {
  jwtKeys: JwtKeySet;
  pii: PiiKeyRing;
}

export const localSecretsDir = (): string => join(stackDir, 'secrets');
export const localJwtKeysFile = (): string => join(localSecretsDir(), 'jwt-keys.json');
export const localPiiKeysFile = (): string => join(localSecretsDir(), 'pii-keys.json');

export async function loadSecrets(env: NodeJS.ProcessEnv = process.env): Promise<ApiSecrets> {
  const production = env.NODE_ENV === 'production';
  const jwtKeys = await loadJwtKeySet(env);
  const pii = piiKeyRingFrom(
    await secretJson<PiiKeyFile>(env, 'SEATSTREAM_PII_KEYS', production, localPiiKeysFile(), async () =>
      generatePiiKeyFile(),
    ),
  );
  return { jwtKeys, pii };
}

/** The JWT key set alone (the streaming service verifies tokens and needs no personal-data keys). */
export async function loadJwtKeySet(env: NodeJS.ProcessEnv = process.env): Promise<JwtKeySet> {
  const production = env.NODE_ENV === 'production';
  return validateKeySet(
    await secretJson<JwtKeySet>(env, 'SEATSTREAM_JWT_KEYS', production, localJwtKeysFile(), async () =>
      newKeySet(await generateSigningKey()),
    ),
  );
}

async function secretJson<T>(
  env: NodeJS.ProcessEnv,
  name: string,
  production: boolean,
  localFile: string,
  generate: () => Promise<T>,
): Promise<T> {
  const inline = env[name];
  if (inline) return parse<T>(inline, name);
  const file = env[`${name}_FILE`];
  if (file) return parse<T>(readFileSync(file, 'utf8'), `${name}_FILE (${file})`);
  if (production) throw new Error(`${name} or ${name}_FILE must be set in production`);
  return readOrCreate(localFile, generate);
}

function parse<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${where} is not valid JSON`);
  }
}

/** Reads the local secret file, or creates it atomically (hard link of a complete temp file), so concurrent first starts agree. */
export async function readOrCreate<T>(file: string, generate: () => Promise<T>): Promise<T> {
  if (!existsSync(file)) {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(await generate(), null, 2)}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return parse<T>(readFileSync(file, 'utf8'), file);
}

/** Writes a local secret file in place (used by the key-rotation command). */
export function writeLocalSecret(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file); // atomic: a reader sees the old or the new set, never half of one
}
