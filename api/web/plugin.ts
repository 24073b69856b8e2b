/**
 * The buyer's page (api/web/public): plain HTML, CSS and ES modules without a build step, served at `/` from the
 * API's own origin, so helmet's CSP (`default-src 'self'`, no inline scripts) lets the page call the REST routes and
 * open GET /v1/ws. The files are read once at registration and served from memory with an ETag; `index.html` is
 * revalidated on every load, the rest may be cached for a short while.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface WebFile {
  urlPath: string;
  body: Buffer;
  contentType: string;
  etag: string;
}

/** Every servable file under `dir`, by URL path (`index.html` also at `/`). */
export function loadWebFiles(dir = publicDir): WebFile[] {
  const out: WebFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const contentType = contentTypes[extname(name)];
        if (!contentType) continue;
        const body = readFileSync(p);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        out.push({ urlPath: `/${relative(dir, p).split(sep).join('/')}`, body, contentType, etag });
      }
    }
  };
  walk(dir);
  return out;
}

export async function webPlugin(app: FastifyInstance, opts: { dir?: string } = {}) {
  for (const file of loadWebFiles(opts.dir)) {
    const urls = file.urlPath === '/index.html' ? ['/', '/index.html'] : [file.urlPath];
    const isPage = file.contentType.startsWith('text/html');
    const cacheControl = isPage ? 'no-cache' : 'public, max-age=300';
    // A page takes `?lang=en|fr|ar` and ignores other parameters (links from elsewhere carry their own); the
    // scripts, styles and strings take none, as API routes (app.ts refuses undeclared query parameters).
    const querystring = isPage
      ? {
          type: 'object',
          additionalProperties: true,
          properties: { lang: { type: 'string', enum: ['en', 'fr', 'ar'] } },
        }
      : undefined;
    for (const url of urls)
      app.get(url, { schema: { hide: true, ...(querystring ? { querystring } : {}) } }, async (req, reply) => {
        reply.header('cache-control', cacheControl).header('etag', file.etag).type(file.contentType);
        if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
        return reply.send(file.body);
      });
  }
}
