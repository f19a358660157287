import type Koa from 'koa';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Confab</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
    code { background: #f3f4f6; padding: 0.1rem 0.3rem; border-radius: 4px; }
    li { margin: 0.3rem 0; }
  </style>
</head>
<body>
  <h1>Confab is running</h1>
  <p>Demo mode: app <code>demo</code> accepts pages from <code>http://localhost:*</code>, and the support agent
  <code>agent</code> (password <code>agent</code>) exists.</p>
  <ul>
    <li><a href="/docs">API reference</a> (<a href="/v1/openapi.json">openapi.json</a>)</li>
    <li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></li>
  </ul>
  <p>Try it: <code>curl -X POST -H 'X-Confab-App: demo' -H 'Content-Type: application/json' -d '{"name":"Ana"}' {{origin}}/v1/auth/guest</code></p>
</body>
</html>
`;

/** The landing page of demo mode. */
export function demoPage(ctx: Koa.Context): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = PAGE.replace('{{origin}}', ctx.origin);
}
