/**
 * `npm start`'s stand-in for the deployment's NGINX gateway: one origin on 127.0.0.1, `/v1/stream/*` (HTTP and
 * WebSocket upgrades) to the streaming service, everything else to the API, so the live-stream pages (served by the
 * API, CSP `default-src 'self'`) reach the streaming service as they do behind the real gateway. Local only: no TLS,
 * no limits (deploy/nginx has those).
 *
 * Env: LOCAL_GATEWAY_PORT (8088), LOCAL_GATEWAY_API_URL (http://127.0.0.1:8080), LOCAL_GATEWAY_STREAMING_URL
 * (http://127.0.0.1:8095).
 */
import { startLoopbackGateway } from '../../api/streaming/loopback-gateway.js';
import { logger } from '../log.js';

const log = logger('local-gateway');
const port = Number(process.env.LOCAL_GATEWAY_PORT ?? 8088);
const api = process.env.LOCAL_GATEWAY_API_URL ?? 'http://127.0.0.1:8080';
const streaming = process.env.LOCAL_GATEWAY_STREAMING_URL ?? 'http://127.0.0.1:8095';

const gateway = await startLoopbackGateway({ api, streaming }, port);
log.info({ url: gateway.url, api, streaming }, 'local gateway listening');
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void gateway.close().then(() => process.exit(0)));
