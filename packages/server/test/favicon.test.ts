import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { CONFAB_DEMO: '1' } });
});
afterAll(() => server?.close());

describe('the favicon', () => {
  it('is an SVG at /favicon.svg, and at /favicon.ico for pages that link none (no 404 in any console)', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await fetch(server.url + path);
      const body = await res.text();
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 200, type: 'image/svg+xml' });
      expect(body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 32 32">/);
      // Ours, drawn, and inert: no script, nothing loaded from elsewhere.
      expect(body).not.toMatch(/<script|href=|url\(/i);
      expect(res.headers.get('cache-control')).toContain('max-age=');
    }
  });

  it('is linked from every page the server serves: the demo, the inbox and the docs', async () => {
    for (const path of ['/', '/inbox', '/docs', '/docs/rest', '/docs/realtime']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
      expect(html, path).not.toContain('favicon-32x32.png');
    }
  });
});
