import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the console's page and bundle (scripts/build-console.mjs); same from src/ and dist/. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/console/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Nothing but this origin's own files; no framing (functions' pages share the origin); no inline script. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

/**
 * Serves the console's page and bundle from memory (read once, gzipped once). Without a build, `/` says how to
 * make one instead of failing obscurely.
 */
export function registerConsoleAssets(app: FastifyInstance, dir = CONSOLE_ASSETS_DIR): void {
  const built = existsSync(`${dir}index.html`);
  const assets = new Map<string, Asset>();
  if (built) {
    for (const [path, { file, type }] of Object.entries(FILES)) {
      const body = readFileSync(`${dir}${file}`);
      assets.set(path, { type, body, gzip: gzipSync(body, { level: 9 }) });
    }
  }
  for (const path of Object.keys(FILES)) {
    app.get(path, async (request, reply) => {
      const asset = assets.get(path);
      if (asset === undefined) {
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The Kumo console is not built: run `npm run build` and restart `kumo serve`.\n');
      }
      return send(request, reply, asset);
    });
  }
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply
    .type(asset.type)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    // A window that a function's page (same origin, other policy) opens onto the console is cut off from it.
    .header('cross-origin-opener-policy', 'same-origin')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .header('vary', 'accept-encoding');
  const accepts = request.headers['accept-encoding'];
  if (typeof accepts === 'string' && /\bgzip\b/.test(accepts)) {
    return reply.header('content-encoding', 'gzip').send(asset.gzip);
  }
  return reply.send(asset.body);
}
