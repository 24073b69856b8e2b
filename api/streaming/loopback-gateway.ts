/**
 * A loopback stand-in for the deployment's gateway (deploy/nginx): one origin, `/v1/stream/*` (HTTP and WebSocket
 * upgrades) to the streaming service, everything else to the API. The pages are served by the API and reach the
 * streaming service under their own origin, as behind the real gateway, which their CSP (`default-src 'self'`)
 * requires. Used by the browser test and by `npm start` (infra/local-gateway): no TLS, no limits.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LoopbackGateway {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

export async function startLoopbackGateway(
  targets: { api: string; streaming: string },
  port = 0,
): Promise<LoopbackGateway> {
  const targetOf = (url: string | undefined) =>
    new URL((url ?? '/').startsWith('/v1/stream/') ? targets.streaming : targets.api);
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = targetOf(req.url);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, client: net.Socket, head: Buffer) => {
    const target = targetOf(req.url);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
