import type Router from '@koa/router';
import type Koa from 'koa';

import { DEMO_PASSWORD_FILE } from '../../services/apps/demo.js';
import { escapeHtml } from '../docs-pages.js';
import { FAVICON_LINK } from '../favicon.js';

/** The policy the widget is built to work under: no inline script or style, same-origin only. */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self'",
  "style-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEAD = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  ${FAVICON_LINK}
  <link rel="stylesheet" href="/demo.css">
  <script type="module" src="/widget.js"></script>
</head>`;

const HOME = `${HEAD('Confab demo')}
<body>
  <main>
    <h1>Confab is running</h1>
    <p>This page is a host site with <code>&lt;chat-widget app="demo"&gt;</code> in it: open the bubble at the
    bottom right and write as a visitor. Answer as the support agent in the <a href="/inbox">inbox</a>
    (user <code>agent</code>; its password was printed when the server first started and is kept in
    <code>${DEMO_PASSWORD_FILE}</code> in the server's <code>DATA_DIR</code>), in another browser or a private window.</p>
    <p>Demo mode: app <code>demo</code> accepts pages from <code>http://localhost:*</code> and
    <code>http://127.0.0.1:*</code>. This page is served under a strict Content-Security-Policy
    (no inline script or style), as a site owner's page may be.</p>
    <ul>
      <li><a href="/inbox">Agent inbox</a></li>
      <li><a href="/docs?app=demo">Getting started</a>: embedding the widget, signing your users in, the SDK</li>
      <li><a href="/docs/rest">REST reference</a> (<a href="/v1/openapi.json">openapi.json</a>) ·
      <a href="/docs/realtime">realtime reference</a> (<a href="/v1/asyncapi.json">asyncapi.json</a>)</li>
      <li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></li>
    </ul>
    <p>Try the API:
    <code>curl -X POST -H 'X-Confab-App: demo' -H 'Content-Type: application/json' -d '{"name":"Ana"}' {{origin}}/v1/auth/guest</code></p>
  </main>
  <chat-widget app="demo" title="Confab demo" require-name></chat-widget>
</body>
</html>
`;

const INBOX = `${HEAD('Confab inbox')}
<body class="inbox">
  <chat-inbox app="demo"></chat-inbox>
</body>
</html>
`;

const CSS = `body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
code { background: #f3f4f6; padding: 0.1rem 0.3rem; border-radius: 4px; }
li { margin: 0.3rem 0; }
body.inbox { max-width: none; margin: 0; padding: 0; }
body.inbox chat-inbox { height: 100vh; }
`;

function page(body: string): Koa.Middleware {
  return (ctx) => {
    ctx.set('Content-Security-Policy', DEMO_CSP);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = body.replace('{{origin}}', escapeHtml(`${ctx.protocol}://${ctx.host}`));
  };
}

/** Demo mode: a host page with the widget at `/`, the agent inbox at `/inbox`. */
export function mountDemo(router: Router): void {
  router.get('/', page(HOME));
  router.get('/inbox', page(INBOX));
  router.get('/demo.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = CSS;
  });
}
