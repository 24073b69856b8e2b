/**
 * The browser's mediasoup-client, bundled once when the service starts (esbuild, a production dependency: the image
 * installs production dependencies only) and served by the service at GET /v1/stream/mediasoup-client.js, so the pages
 * load it from SeatStream's own origin (no CDN) and always get the client release package-lock.json pins.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Resolution starts beside this module (node_modules is found upwards), whatever the working directory. */
const here = fileURLToPath(new URL('.', import.meta.url));

export const CLIENT_BUNDLE_PATH = '/v1/stream/mediasoup-client.js';

export interface ClientBundle {
  body: string;
  etag: string;
}

export async function bundleMediasoupClient(): Promise<ClientBundle> {
  const out = await build({
    stdin: {
      contents: "export { Device, version, detectDeviceAsync } from 'mediasoup-client';",
      resolveDir: here,
      loader: 'js',
    },
    absWorkingDir: here,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const body = out.outputFiles[0]!.text;
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
