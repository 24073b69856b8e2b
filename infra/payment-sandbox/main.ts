/**
 * The sandbox payment provider as a process (`npm run payment-sandbox`), on SEATSTREAM_HTTP_HOST (127.0.0.1 unless
 * set: ../http-host.ts):
 *
 *   PAYMENT_SANDBOX_PORT            port (default 0: any free port; the chosen one is printed)
 *   PAYMENT_SANDBOX_API_KEY         the API key callers must present (default: sk_sandbox_local)
 *   PAYMENT_SANDBOX_WEBHOOK_URL     where webhooks go (default: none are sent)
 *   PAYMENT_SANDBOX_WEBHOOK_SECRET  the webhook signing secret (default: whsec_sandbox_local)
 *   PAYMENT_SANDBOX_HANG_MS         how long tok_timeout requests are held (default 30000)
 *
 * Prints one JSON line `{"event":"listening","port":N}` once it listens; stops on SIGTERM/SIGINT.
 */
import { httpHost } from '../http-host.js';
import { PaymentSandbox } from './server.js';

const env = process.env;
const sandbox = new PaymentSandbox({
  apiKey: env.PAYMENT_SANDBOX_API_KEY || 'sk_sandbox_local',
  webhookSecret: env.PAYMENT_SANDBOX_WEBHOOK_SECRET || 'whsec_sandbox_local',
  ...(env.PAYMENT_SANDBOX_WEBHOOK_URL ? { webhookUrl: env.PAYMENT_SANDBOX_WEBHOOK_URL } : {}),
  hangMs: Number(env.PAYMENT_SANDBOX_HANG_MS || 30_000),
  log: (line) => process.stderr.write(`${line}\n`),
});
const port = await sandbox.listen(Number(env.PAYMENT_SANDBOX_PORT || 0), httpHost(env));
process.stdout.write(`${JSON.stringify({ event: 'listening', port, pid: process.pid })}\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
