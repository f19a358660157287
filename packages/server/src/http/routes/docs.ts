import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type Router from '@koa/router';
import type Koa from 'koa';

import { type AsyncApiDocument, buildAsyncApi, withServer } from '../asyncapi.js';
import { DOCS_CSS, startPage } from '../docs-pages.js';
import { FAVICON_LINK } from '../favicon.js';
import { requestOrigin } from '../middleware/origin.js';
import { realtimePage } from '../realtime-page.js';

// Swagger UI from the swagger-ui-dist package, with no inline script so a strict CSP holds.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const REST_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Confab: REST reference</title>
  ${FAVICON_LINK}
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/rest.css">
</head>
<body>
  <nav class="docs-bar" aria-label="Documentation">
    <strong>Confab</strong> <a href="/docs">Getting started</a> <a href="/docs/rest" aria-current="page">REST reference</a>
    <a href="/docs/realtime">Realtime reference</a>
  </nav>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// Swagger UI's own page stays light; only the bar that links the other pages is ours.
const REST_CSS = `body { margin: 0; }
.docs-bar { display: flex; gap: 1.25rem; align-items: baseline; padding: 0.75rem 1.25rem; font: 15px system-ui, sans-serif;
  background: #f6f8fa; border-bottom: 1px solid #d1d9e0; }
.docs-bar a { color: #0969da; }
.docs-bar a[aria-current] { color: #1f2328; font-weight: 600; }
`;

// What Swagger UI needs, checked in Chromium with no violation: its own script and stylesheet,
// data: images (the stylesheet's icons) and fetches to this server ("Try it out"). Our pages need less.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#docs', deepLinking: true });\n`;

// Swagger UI used to live at /docs: its deep links (/docs#/tag/operation) carry on at /docs/rest.
const LEGACY_LINKS = `if (/^#\\/./.test(location.hash)) location.replace('/docs/rest' + location.hash);\n`;

export interface DocsOptions {
  version: string;
  /** PUBLIC_URL: the origin the snippets and the AsyncAPI server name; the request's own when null. */
  publicUrl: string | null;
  /** Demo mode: the start page links the demo pages. */
  demo?: boolean;
}

/** The origin clients reach this server at: PUBLIC_URL, or the one the request came to. */
function ownOrigin(ctx: Koa.Context, publicUrl: string | null): string {
  return publicUrl ? new URL(publicUrl).origin : requestOrigin(ctx);
}

/** `withServer` needs a URL; a Host header that is none still gets a document (naming localhost). */
function serverOrigin(origin: string): string {
  return URL.canParse(origin) ? origin : 'http://localhost';
}

function html(ctx: Koa.Context, body: string): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', CSP);
  ctx.body = body;
}

function text(ctx: Koa.Context, type: string, body: string): void {
  ctx.type = type;
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.body = body;
}

/**
 * `/v1/openapi.json`, `/v1/asyncapi.json` and the pages that render them: `/docs` (getting started),
 * `/docs/rest` (Swagger UI) and `/docs/realtime`.
 */
export function mountDocs(router: Router, openApi: () => Record<string, unknown>, options: DocsOptions): void {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  let document: Record<string, unknown> | null = null;
  let asyncApi: AsyncApiDocument | null = null;
  const realtime = (ctx: Koa.Context) =>
    withServer((asyncApi ??= buildAsyncApi(options.version)), serverOrigin(ownOrigin(ctx, options.publicUrl)));

  router.get('/v1/openapi.json', (ctx) => {
    document ??= openApi();
    ctx.body = document;
  });
  router.get('/v1/asyncapi.json', (ctx) => {
    ctx.body = realtime(ctx);
  });
  router.get('/docs', (ctx) => {
    const app = typeof ctx.query.app === 'string' && ctx.query.app && ctx.query.app.length <= 100 ? ctx.query.app : 'APP_ID';
    const page = startPage({ origin: ownOrigin(ctx, options.publicUrl), app, version: options.version, demo: options.demo ?? false });
    html(ctx, page);
  });
  router.get('/docs/rest', (ctx) => html(ctx, REST_PAGE));
  router.get('/docs/realtime', (ctx) => html(ctx, realtimePage(realtime(ctx))));
  router.get('/docs/docs.css', (ctx) => text(ctx, 'text/css; charset=utf-8', DOCS_CSS));
  router.get('/docs/rest.css', (ctx) => text(ctx, 'text/css; charset=utf-8', REST_CSS));
  router.get('/docs/legacy-links.js', (ctx) => text(ctx, 'application/javascript; charset=utf-8', LEGACY_LINKS));
  router.get('/docs/init.js', (ctx) => text(ctx, 'application/javascript; charset=utf-8', INIT));
  router.get('/docs/:asset', async (ctx, next) => {
    const { asset } = ctx.params;
    const type = asset === undefined ? undefined : ASSETS[asset];
    if (asset === undefined || !type) return next();
    let body = cache.get(asset);
    if (!body) {
      body = await readFile(join(dir, asset));
      cache.set(asset, body);
    }
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = body;
  });
}
