/**
 * The platform's own services as `npm start` runs them locally: one place that names them, their entry
 * points and how to tell they are ready. The deployment files describe the same services for real clusters.
 */
import { localPorts } from '../infra/config.js';

export interface PlatformService {
  name: string;
  /** TypeScript entry point, run with `node --import tsx`. */
  entry: string;
  env?: Record<string, string>;
  /** Polled until it answers 2xx; no URL means "started" is enough. */
  readyUrl?: string;
  /**
   * Set for a local stand-in that is not deployed, saying what takes its place in Docker Compose and Kubernetes
   * (test/deployment leaves such services out of its comparison with the deployment files).
   */
  localOnly?: string;
}

/** The sandbox payment provider, as the API and the payment saga reach it locally. */
const paymentSandboxUrl = `http://127.0.0.1:${localPorts.api + 14}`;
/** The local mail catcher's SMTP port, where notifications sends e-mail locally. */
const mailCatcherPort = localPorts.api + 16;
/** The streaming service (api/streaming) and the local gateway that puts it and the API under one origin. */
export const streamingPort = localPorts.api + 15;
export const localGatewayPort = localPorts.api + 8;

export const platformServices: PlatformService[] = [
  {
    name: 'seat-allocation',
    entry: 'processors/seat-allocation/main.ts',
    env: { SEAT_ALLOCATION_INSTANCE_ID: 'local-1', SEAT_ALLOCATION_HTTP_PORT: String(localPorts.api + 10) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 10}/health`,
  },
  {
    name: 'sink-postgres',
    entry: 'connectors/postgres/main.ts',
    env: { SINK_POSTGRES_HTTP_PORT: String(localPorts.api + 11) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 11}/health`,
  },
  {
    name: 'push-router',
    entry: 'connectors/push-router/main.ts',
    env: { PUSH_ROUTER_HTTP_PORT: String(localPorts.api + 12) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 12}/health`,
  },
  {
    name: 'sink-clickhouse',
    entry: 'connectors/clickhouse/main.ts',
    env: { SINK_METRICS_PORT: String(localPorts.api + 13) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 13}/metrics`,
  },
  {
    name: 'payment-sandbox',
    entry: 'infra/payment-sandbox/main.ts',
    env: {
      PAYMENT_SANDBOX_PORT: String(localPorts.api + 14),
      PAYMENT_SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${localPorts.api}/v1/payments/webhooks/sandbox`,
    },
    readyUrl: `${paymentSandboxUrl}/health`,
  },
  {
    name: 'payments',
    entry: 'processors/payments/main.ts',
    env: { PAYMENTS_INSTANCE_ID: 'local-1', PAYMENTS_SANDBOX_URL: paymentSandboxUrl },
  },
  {
    name: 'tickets',
    entry: 'processors/tickets/main.ts',
  },
  {
    name: 'partner-projector',
    entry: 'connectors/partners/main.ts',
    env: { PARTNER_PROJECTOR_INSTANCE_ID: 'local-1', PARTNER_PROJECTOR_HTTP_PORT: String(localPorts.api + 17) },
    readyUrl: `http://127.0.0.1:${localPorts.api + 17}/health`,
  },
  {
    name: 'mail-catcher',
    entry: 'infra/mail-catcher/main.ts',
    env: { MAIL_CATCHER_PORT: String(mailCatcherPort) },
    localOnly: 'Mailpit in Docker Compose; a real SMTP relay (SMTP_URL) in Kubernetes',
  },
  {
    name: 'notifications',
    entry: 'processors/notifications/main.ts',
    env: { NOTIFICATIONS_INSTANCE_ID: 'local-1', SMTP_URL: `smtp://127.0.0.1:${mailCatcherPort}` },
  },
  {
    name: 'streaming',
    entry: 'api/streaming/main.ts',
    env: { STREAMING_PORT: String(streamingPort) },
    readyUrl: `http://127.0.0.1:${streamingPort}/ready`,
  },
  {
    name: 'api',
    entry: 'api/main.ts',
    env: { PAYMENTS_SANDBOX_URL: paymentSandboxUrl },
    readyUrl: `http://127.0.0.1:${localPorts.api}/ready`,
  },
  {
    name: 'local-gateway',
    entry: 'infra/local-gateway/main.ts',
    env: {
      LOCAL_GATEWAY_PORT: String(localGatewayPort),
      LOCAL_GATEWAY_API_URL: `http://127.0.0.1:${localPorts.api}`,
      LOCAL_GATEWAY_STREAMING_URL: `http://127.0.0.1:${streamingPort}`,
    },
    localOnly: 'the NGINX gateway (deploy/nginx) in Docker Compose, an Ingress in Kubernetes',
  },
];
