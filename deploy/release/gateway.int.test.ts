/**
 * The canary's gateway for real: two API instances (startHarness: the real app on the stack's PostgreSQL and
 * Redis) listening on 127.0.0.1 behind a local NGINX started by this test, whose upstream is the text
 * deploy/release/upstream.ts renders. Shifting the canary's weight and reloading NGINX moves requests between them,
 * and a roll back leaves the canary none — counted from each instance's own /metrics with the parser the canary
 * script uses. Needs Debian's nginx (`apt-get install nginx-light`); skipped, saying so, without it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stackDir } from '../../infra/config.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { parseRequestCounts } from './api-metrics.js';
import { renderApiUpstream, type ApiUpstream } from './upstream.js';

const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** One request on a fresh connection; resolves to the config generation NGINX answered with. */
const get = (port: number, path: string) =>
  new Promise<{ status: number; generation: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, generation: String(res.headers['x-gateway-generation'] ?? '') }),
      );
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end();
  });

async function eventually(what: string, check: () => Promise<boolean>, deadlineMs = 30_000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`not within ${deadlineMs / 1000} s: ${what}`);
}

describe(
  'the canary gateway (local NGINX, two real API instances)',
  { skip: nginxBin ? false : 'nginx is not installed (apt-get install nginx-light)' },
  () => {
    const dir = join(stackDir, `test-nginx-${randomUUID()}`);
    const conf = join(dir, 'nginx.conf');
    let stable: Harness;
    let canary: Harness;
    let stableAddress: string;
    let canaryAddress: string;
    let gatewayPort: number;
    let nginx: ChildProcess | undefined;
    let generation = 0;
    const route = `/it-gateway-${randomUUID()}`; // an unmatched route: counted by the metrics, cheap to answer

    const writeConfig = (u: ApiUpstream) => {
      generation += 1;
      writeFileSync(join(dir, 'api.conf'), renderApiUpstream(u));
      writeFileSync(
        conf,
        [
          'worker_processes 1;',
          `pid ${join(dir, 'nginx.pid')};`,
          `error_log ${join(dir, 'error.log')} warn;`,
          'events { worker_connections 256; }',
          'http {',
          '  access_log off;',
          ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`),
          `  include ${join(dir, 'api.conf')};`,
          '  server {',
          `    listen 127.0.0.1:${gatewayPort};`,
          `    add_header X-Gateway-Generation ${generation} always;`,
          '    location / { proxy_pass http://seatstream_api; proxy_http_version 1.1; proxy_set_header Connection ""; }',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const t = spawnSync(nginxBin!, ['-t', '-q', '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      assert.equal(t.status, 0, t.stderr);
    };

    /** Applies an upstream and waits until NGINX answers with it. */
    const apply = async (u: ApiUpstream) => {
      writeConfig(u);
      const r = spawnSync(nginxBin!, ['-s', 'reload', '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      // the new worker answering, then the old one gone (it stops once its connections close): only then count
      await eventually(
        `NGINX serves generation ${generation} alone`,
        async () => (await get(gatewayPort, route)).generation === String(generation) && workers() === 1,
      );
    };

    /** NGINX worker processes now (the master's children, from /proc). */
    const workers = () =>
      readFileSync(`/proc/${nginx!.pid}/task/${nginx!.pid}/children`, 'utf8').split(/\s+/).filter(Boolean).length;

    const requestsSeen = async (h: Harness) => {
      const text = (await h.inject({ url: '/metrics' })).body;
      return parseRequestCounts(text).requests;
    };

    /** Sends n requests through the gateway; answers how many reached each instance. */
    const send = async (n: number) => {
      const before = [await requestsSeen(stable), await requestsSeen(canary)];
      for (let i = 0; i < n; i++) {
        const res = await get(gatewayPort, route);
        assert.equal(res.status, 404);
        assert.equal(res.generation, String(generation));
      }
      // the metrics hook runs on response: wait until every request is counted on one side or the other
      let counts = [0, 0];
      await eventually('every request counted', async () => {
        counts = [(await requestsSeen(stable)) - before[0]!, (await requestsSeen(canary)) - before[1]!];
        return counts[0]! + counts[1]! >= n;
      });
      return { stable: counts[0]!, canary: counts[1]! };
    };

    before(async () => {
      mkdirSync(dir, { recursive: true });
      stable = await startHarness();
      canary = await startHarness();
      const listen = async (h: Harness) => {
        await h.app.listen({ host: '127.0.0.1', port: 0 });
        return `127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
      };
      stableAddress = await listen(stable);
      canaryAddress = await listen(canary);
      gatewayPort = await freePort();
      writeConfig({ stable: [{ address: stableAddress }] });
      nginx = spawn(nginxBin!, ['-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
      await eventually('NGINX answers', async () => (await get(gatewayPort, route)).generation === String(generation));
    });

    after(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((r) => nginx!.once('exit', r));
        nginx.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (nginx.exitCode === null) nginx.kill('SIGKILL');
      }
      await stable?.close();
      await canary?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sends the stable instance everything, then shares with the canary by weight, then nothing to it after a roll back', async (t) => {
      const atRest = await send(20);
      assert.deepEqual(atRest, { stable: 20, canary: 0 });

      await apply({ stable: [{ address: stableAddress }], canary: { address: canaryAddress, percent: 50 } });
      const half = await send(40);
      t.diagnostic(`50 %: ${JSON.stringify(half)}`);
      assert.ok(half.canary >= 10 && half.stable >= 10, JSON.stringify(half));

      await apply({ stable: [{ address: stableAddress }], canary: { address: canaryAddress, percent: 10 } });
      const tenth = await send(50);
      t.diagnostic(`10 %: ${JSON.stringify(tenth)}`);
      assert.ok(tenth.canary >= 1 && tenth.canary < tenth.stable, JSON.stringify(tenth));

      // promote step: the stable replica drained (down), the canary takes everything
      await apply({
        stable: [{ address: stableAddress, down: true }],
        canary: { address: canaryAddress, percent: 10 },
      });
      assert.deepEqual(await send(10), { stable: 0, canary: 10 });

      // roll back: the resting upstream again
      await apply({ stable: [{ address: stableAddress }] });
      assert.deepEqual(await send(20), { stable: 20, canary: 0 });
    });
  },
);
