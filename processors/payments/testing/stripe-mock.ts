/**
 * Stripe's own API mock (stripe-mock, installed into .stack/bin by `npm run bootstrap`) as a child process on
 * 127.0.0.1 and a free port, for the Stripe adapter's test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stackDir } from '../../../infra/config.js';

export const stripeMockBinary = join(stackDir, 'bin', 'stripe-mock');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export class StripeMock {
  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<StripeMock> {
    if (!existsSync(stripeMockBinary)) throw new Error(`${stripeMockBinary} is missing: run npm run bootstrap`);
    const port = await freePort();
    const child = spawn(stripeMockBinary, ['-http-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const baseUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`${baseUrl}/v1/balance`, { headers: { authorization: 'Bearer sk_test_ready' } });
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (child.exitCode !== null) throw new Error(`stripe-mock exited with ${child.exitCode}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('stripe-mock did not start in 20 s');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return new StripeMock(child, baseUrl);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
