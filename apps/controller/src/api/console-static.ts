import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';

/** apps/console/dist beside this module's app (the same from src/ under tsx and from dist/). */
export const defaultConsoleDir = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** The console's only sources are its own files and its own origin's API: no inline script or style. */
export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A name Vite wrote into assets/: letters, digits, dots, dashes and underscores only. */
const assetName = /^[A-Za-z0-9_.-]{1,200}$/;

type Encoding = 'br' | 'gzip' | 'identity';

/** Picks the precompressed variant the client accepts (`br` before `gzip`). */
export function pickEncoding(acceptEncoding: string | undefined, has: (e: Encoding) => boolean): Encoding {
  const accepted = new Set(
    String(acceptEncoding ?? '')
      .split(',')
      .map((p) => p.trim().split(';'))
      .filter((p) => !/^\s*q=0(\.0*)?\s*$/.test(p[1] ?? ''))
      .map((p) => p[0]!.trim().toLowerCase()),
  );
  if (accepted.has('br') && has('br')) return 'br';
  if (accepted.has('gzip') && has('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Serves the built console at /console: fingerprinted assets cached for a year, index.html for every
 * other path under /console (the app routes in the browser) with no-cache, each precompressed
 * (brotli or gzip, as the client accepts), under a strict Content-Security-Policy.
 */
export function consoleStatic(dir: string = defaultConsoleDir): RequestHandler {
  const cache = new Map<string, Buffer | null>();
  const load = async (path: string): Promise<Buffer | null> => {
    if (cache.has(path)) return cache.get(path)!;
    const bytes = await readFile(path).catch(() => null);
    // Only what exists is kept: a console built after the controller started is found on the next request.
    if (bytes) cache.set(path, bytes);
    return bytes;
  };
  return (req, res, next) => {
    const path = req.path;
    if (path !== '/console' && !path.startsWith('/console/')) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const rest = path.slice('/console/'.length);
    const isAsset = rest.startsWith('assets/');
    const name = isAsset ? rest.slice('assets/'.length) : 'index.html';
    const file = isAsset ? join(dir, 'assets', name) : join(dir, 'index.html');
    (async () => {
      if (isAsset && !assetName.test(name)) return notFound();
      const variants = {
        br: await load(`${file}.br`),
        gzip: await load(`${file}.gz`),
        identity: await load(file),
      };
      if (!variants.identity) {
        if (isAsset) return notFound();
        res.status(503).type('text/plain').send('The web console is not built: run npm run build.\n');
        return;
      }
      const encoding = pickEncoding(req.headers['accept-encoding'], (e) => variants[e] !== null);
      const body = variants[encoding]!;
      res.status(200);
      res.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Vary', 'Accept-Encoding');
      if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
      res.setHeader('Cache-Control', isAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('Content-Security-Policy', consoleCsp);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Content-Length', String(body.length));
      if (req.method === 'HEAD') res.end();
      else res.end(body);
    })().catch(next);
    function notFound(): void {
      res.status(404).type('text/plain').send('Not found\n');
    }
  };
}
