/** `npm run api` as a real process: it listens on loopback, answers, and on SIGTERM finishes in-flight requests and exits 0. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '../infra/config.js';
import { createRedis } from './redis.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('api/main.ts process', () => {
  let child: ChildProcess | null = null;
  // A Redis key prefix of its own, so the rate-limit keys the process writes can be found and removed.
  const prefix = `ss:test:${randomUUID()}:`;
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const redis = createRedis();
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
  });

  it('serves on 127.0.0.1:API_PORT and shuts down gracefully on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        API_REDIS_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('API listening')) {
      if (proc.exitCode !== null) assert.fail(`the API exited: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/ready`)).status, 200);

    // A login (an argon2 verification) in flight when SIGTERM arrives still gets its answer.
    const inFlight = fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody-${randomUUID()}@example.com`, password: 'whatever123' }),
    });
    // SIGTERM once the server has the request (its "incoming request" log line), before it answers.
    while (!out.includes('"url":"/v1/auth/login"')) await new Promise((r) => setTimeout(r, 5));
    proc.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'SS_ERR_AUTH_INVALID_CREDENTIALS');
    const [code] = (await once(proc, 'exit')) as [number | null];
    assert.equal(code, 0, out.split('\n').slice(-6).join(' | '));
    assert.match(out, /"signal":"SIGTERM","msg":"shutting down"/);
    await fetch(`${base}/health`).then(
      () => assert.fail('still listening after exit'),
      () => undefined,
    );
  });
});
