import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { envNamesIn, envReadBy, moduleClosure } from './env-scan.js';

describe('envNamesIn', () => {
  it('finds direct reads, literal indexes and helper calls that take env and a literal name', () => {
    const source = `
      const a = process.env.ALPHA;
      const b = env.BETA_TWO ?? 1;
      const c = env['GAMMA'];
      const d = int(env, 'DELTA_MS', 5);
      const notEnv = config.EPSILON;`;
    assert.deepEqual([...envNamesIn(source)].sort(), ['ALPHA', 'BETA_TWO', 'DELTA_MS', 'GAMMA']);
  });

  it('takes the UPPER_SNAKE literals of a module that indexes the environment with a computed key, error codes aside', () => {
    const source = `
      const names = { kafka: 'KAFKA_BROKERS', redis: 'REDIS_URL' };
      for (const k of keys) out[k] = process.env[names[k]];
      throw new ConfigError('SS_ERR_SINK_CONFIG', 'bad');`;
    assert.deepEqual([...envNamesIn(source)].sort(), ['KAFKA_BROKERS', 'REDIS_URL']);
  });

  it('adds NAME_FILE for every NAME of a module that reads env[`${name}_FILE`]', () => {
    const source = "const inline = env[name];\nconst file = env[`${name}_FILE`];\nload(env, 'SECRET_KEYS');";
    assert.deepEqual([...envNamesIn(source)].sort(), ['SECRET_KEYS', 'SECRET_KEYS_FILE']);
  });

  it('takes no literal of a module without computed reads', () => {
    assert.deepEqual([...envNamesIn(`const code = 'RSV_SEAT_UNAVAILABLE'; const x = env.ONLY_ME;`)], ['ONLY_ME']);
  });
});

describe('moduleClosure and envReadBy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-scan-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows relative static, re-export and dynamic imports (.js specifiers naming .ts files), not packages', () => {
    mkdirSync(join(dir, 'svc', 'lib'), { recursive: true });
    writeFileSync(
      join(dir, 'svc', 'main.ts'),
      `import { a } from './lib/a.js';\nimport pino from 'pino';\nconst m = await import('./lazy.js');\nconst p = process.env.MAIN_PORT;`,
    );
    writeFileSync(
      join(dir, 'svc', 'lib', 'a.ts'),
      `export * from '../shared.js';\nexport const a = process.env.A_FLAG;`,
    );
    writeFileSync(join(dir, 'svc', 'shared.ts'), `export const s = (env: NodeJS.ProcessEnv) => env.SHARED_URL;`);
    writeFileSync(join(dir, 'svc', 'lazy.ts'), `export const l = process.env.LAZY_MS;`);
    writeFileSync(join(dir, 'svc', 'unused.ts'), `export const u = process.env.NEVER_READ;`);
    assert.deepEqual(moduleClosure(dir, 'svc/main.ts'), [
      'svc/lazy.ts',
      'svc/lib/a.ts',
      'svc/main.ts',
      'svc/shared.ts',
    ]);
    const read = envReadBy(dir, 'svc/main.ts');
    assert.deepEqual([...read.keys()].sort(), ['A_FLAG', 'LAZY_MS', 'MAIN_PORT', 'SHARED_URL']);
    assert.deepEqual(read.get('SHARED_URL'), ['svc/shared.ts']);
  });
});
