import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

import type Koa from 'koa';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  type: string;
  immutable: boolean;
}

/** Where `@confab/widget`'s build lives, or null when it is not installed or not built. */
export function findWidgetDist(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@confab/widget/package.json');
    const dist = join(dirname(pkg), 'dist');
    return existsSync(join(dist, 'widget.js')) ? dist : null;
  } catch {
    return null;
  }
}

/** Reads and compresses every file once (they never change while the process runs). */
function loadAssets(dist: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (path: string, file: string, immutable: boolean) => {
    const body = readFileSync(file);
    assets.set(path, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      type: file.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8',
      immutable,
    });
  };
  add('/widget.js', join(dist, 'widget.js'), false);
  if (existsSync(join(dist, 'widget.js.map'))) add('/widget.js.map', join(dist, 'widget.js.map'), false);
  const chunks = join(dist, 'widget-chunks');
  if (existsSync(chunks)) {
    for (const name of readdirSync(chunks)) add(`/widget-chunks/${name}`, join(chunks, name), true);
  }
  return assets;
}

/**
 * Serves `/widget.js` and its lazily loaded `/widget-chunks/*` to any origin (site owners embed
 * it anywhere): brotli or gzip as the browser accepts, ETag revalidation, a short cache for the
 * entry (so upgrades reach visitors within minutes) and a year for content-hashed chunks.
 */
export function widgetAssets(dist: string | null = findWidgetDist()): Koa.Middleware {
  let assets: Map<string, Asset> | null = null;
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !(ctx.path === '/widget.js' || ctx.path.startsWith('/widget')) || !dist)
      return next();
    assets ??= loadAssets(dist);
    const asset = assets.get(ctx.path);
    if (!asset) return next();
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.set('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300, stale-while-revalidate=86400');
    ctx.set('ETag', asset.etag);
    ctx.vary('Accept-Encoding');
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    const accepts = pickEncoding(ctx.get('accept-encoding'));
    if (accepts) {
      ctx.set('Content-Encoding', accepts);
      ctx.body = accepts === 'br' ? asset.br : asset.gzip;
    } else {
      ctx.body = asset.body;
    }
  };
}

/**
 * brotli when the client takes it at least as gladly as gzip (browsers list gzip first, so
 * header-order tie-breaking would never pick brotli), gzip next, else none.
 */
export function pickEncoding(header: string): 'br' | 'gzip' | null {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name, weight === undefined ? 1 : Number(weight));
  }
  const of = (name: string) => q.get(name) ?? q.get('*') ?? 0;
  const br = of('br');
  const gzip = of('gzip');
  if (br > 0 && br >= gzip) return 'br';
  return gzip > 0 ? 'gzip' : null;
}
