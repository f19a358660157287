import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const DIST = join(dirname(createRequire(import.meta.url).resolve('@confab/widget/package.json')), 'dist');
const WIDGET = readFileSync(join(DIST, 'widget.js'));
const CHUNK_IMPORT = /import\(\s*["'`]\.\/(widget-chunks\/[^"'`]+\.js)["'`]\s*\)/g;
const CHUNKS = [...WIDGET.toString('utf8').matchAll(CHUNK_IMPORT)].flatMap(([, chunk]) => (chunk ? [chunk] : []));

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request with exactly these headers (fetch would add Accept-Encoding and decode), raw bytes back. */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // The path goes out exactly as given (no URL normalisation of ../ or %2e).
    const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const maxAge = (cacheControl: string | undefined) => Number(/(?:^|[,\s])max-age=(\d+)/.exec(cacheControl ?? '')?.[1] ?? NaN);

describe('widget assets', () => {
  let server: TestServer;
  let tenant: App;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://localhost:*']);
  });

  afterAll(() => server?.close());

  it('has a built widget that lazily imports at least one chunk (precondition)', () => {
    expect(WIDGET.length).toBeGreaterThan(0);
    expect(CHUNKS.length).toBeGreaterThan(0);
  });

  describe('GET /widget.js', () => {
    it('answers 200 with JavaScript, open CORS, a short cache and an ETag', async () => {
      const res = await raw(server.url, '/widget.js');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript\b/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      const cacheControl = res.headers['cache-control'];
      expect(cacheControl).toMatch(/\bpublic\b/);
      expect(maxAge(cacheControl)).toBeGreaterThan(0);
      // The entry is not content-hashed: upgrades must reach visitors, so it is never immutable or cached for long.
      expect(cacheControl).not.toMatch(/immutable/);
      expect(maxAge(cacheControl)).toBeLessThanOrEqual(3600);
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
    });

    it('sends the identity bytes of dist/widget.js when the client accepts no encoding', async () => {
      const res = await raw(server.url, '/widget.js');
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.equals(WIDGET)).toBe(true);
      expect(Number(res.headers['content-length'])).toBe(WIDGET.length);
    });

    it('sends identity bytes when the client asks for identity only', async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'identity' });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.equals(WIDGET)).toBe(true);
    });

    it('sends brotli for Accept-Encoding: br, decompressing to the built file', async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.body.length).toBeLessThan(WIDGET.length);
      expect(brotliDecompressSync(res.body).equals(WIDGET)).toBe(true);
    });

    it('sends gzip for Accept-Encoding: gzip, decompressing to the built file', async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.body.length).toBeLessThan(WIDGET.length);
      expect(gunzipSync(res.body).equals(WIDGET)).toBe(true);
    });

    it('sends gzip when the client refuses brotli (br;q=0)', async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'br;q=0, gzip' });
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(res.body).equals(WIDGET)).toBe(true);
    });

    it('sends brotli when the client rates it higher than gzip', async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'gzip;q=0.5, br;q=1' });
      expect(res.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(res.body).equals(WIDGET)).toBe(true);
    });

    it("prefers brotli when a browser accepts both equally (Chrome's `gzip, deflate, br, zstd`)", async () => {
      const res = await raw(server.url, '/widget.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
      expect(res.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(res.body).equals(WIDGET)).toBe(true);
    });

    it('gives the same ETag for every encoding of the same file', async () => {
      const [plain, br, gzip] = await Promise.all([
        raw(server.url, '/widget.js'),
        raw(server.url, '/widget.js', { 'accept-encoding': 'br' }),
        raw(server.url, '/widget.js', { 'accept-encoding': 'gzip' }),
      ]);
      expect(br.headers.etag).toBe(plain.headers.etag);
      expect(gzip.headers.etag).toBe(plain.headers.etag);
    });

    it('answers 304 with no body to If-None-Match with its ETag', async () => {
      const first = await raw(server.url, '/widget.js');
      const etag = first.headers.etag!;
      const res = await raw(server.url, '/widget.js', { 'if-none-match': etag, 'accept-encoding': 'br' });
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe(first.headers['cache-control']);
    });

    it('answers 200 with the file to If-None-Match with another ETag', async () => {
      const res = await raw(server.url, '/widget.js', { 'if-none-match': '"not-the-current-version"' });
      expect(res.status).toBe(200);
      expect(res.body.equals(WIDGET)).toBe(true);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await raw(server.url, '/widget.js', {}, 'HEAD');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript\b/);
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(res.body.length).toBe(0);
    });

    it('serves the source map as JSON', async () => {
      const res = await raw(server.url, '/widget.js.map');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json\b/);
      expect(JSON.parse(res.body.toString('utf8'))).toHaveProperty('mappings');
    });
  });

  describe('lazily loaded chunks', () => {
    it('serves a chunk imported by widget.js with a year-long immutable cache', async () => {
      const chunk = itemAt(CHUNKS, 0);
      const res = await raw(server.url, `/${chunk}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript\b/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toMatch(/\bimmutable\b/);
      expect(maxAge(res.headers['cache-control'])).toBeGreaterThanOrEqual(31_536_000);
      expect(res.body.equals(readFileSync(join(DIST, chunk)))).toBe(true);
    });

    it('serves every chunk imported by widget.js, brotli-compressed on request', async () => {
      for (const chunk of CHUNKS) {
        const res = await raw(server.url, `/${chunk}`, { 'accept-encoding': 'br' });
        expect(res.status, chunk).toBe(200);
        expect(res.headers['content-encoding'], chunk).toBe('br');
        expect(brotliDecompressSync(res.body).equals(readFileSync(join(DIST, chunk))), chunk).toBe(true);
      }
    });

    it('answers 404 for a chunk that does not exist', async () => {
      const res = await raw(server.url, '/widget-chunks/does-not-exist-123.js');
      expect(res.status).toBe(404);
    });

    it.each(['/widget-chunks/../package.json', '/widget-chunks/%2e%2e/package.json', '/widget-chunks/..%2fpackage.json'])(
      'does not serve files outside the widget build (%s)',
      async (path) => {
        const res = await raw(server.url, path);
        expect(res.status).toBe(404);
        expect(res.body.toString('utf8')).not.toContain('"@confab/widget"');
      },
    );
  });

  describe('a page on a foreign origin', () => {
    const EVIL = 'https://evil.example';

    it('still gets the script (site owners embed it anywhere)', async () => {
      const res = await raw(server.url, '/widget.js', { origin: EVIL, 'accept-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(gunzipSync(res.body).equals(WIDGET)).toBe(true);
    });

    it('still gets a chunk', async () => {
      const res = await raw(server.url, `/${CHUNKS[0]}`, { origin: EVIL });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('is still refused by the API with 403 origin_not_allowed', async () => {
      const res = await raw(server.url, '/v1/support/settings', { origin: EVIL, 'x-confab-app': tenant.id });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ error: { code: 'origin_not_allowed' } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('while an origin the app allows gets the same API answer', async () => {
      const res = await raw(server.url, '/v1/support/settings', { origin: 'http://localhost:3000', 'x-confab-app': tenant.id });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });
  });

  describe('without demo mode (CONFAB_DEMO=0)', () => {
    it('has no demo pages', async () => {
      expect(server.config.demo).toBe(false);
      expect((await raw(server.url, '/inbox')).status).toBe(404);
      expect((await raw(server.url, '/')).status).toBe(404);
    });

    it('still serves the widget', async () => {
      expect((await raw(server.url, '/widget.js')).status).toBe(200);
    });
  });
});

describe('demo pages (CONFAB_DEMO=1)', () => {
  let demo: TestServer;

  beforeAll(async () => {
    demo = await startTestServer({ env: { CONFAB_DEMO: '1' } });
  });

  afterAll(() => demo?.close());

  it('serves a host page at / with <chat-widget> loading /widget.js', async () => {
    const res = await raw(demo.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html\b/);
    const html = res.body.toString('utf8');
    expect(html).toContain('<chat-widget');
    expect(html).toMatch(/<script[^>]+src="\/widget\.js"/);
  });

  it('serves / under a strict Content-Security-Policy: scripts from self only, nothing inline', async () => {
    const res = await raw(demo.url, '/');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // No inline script in the page itself: every <script> has a src.
    const scripts = [...res.body.toString('utf8').matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\bsrc=/);
  });

  it('fills the page with its own origin instead of a {{placeholder}}', async () => {
    const html = (await raw(demo.url, '/')).body.toString('utf8');
    expect(html).not.toContain('{{origin}}');
    expect(html).toContain(`${demo.url}/v1/auth/guest`);
  });

  it('serves the agent inbox at /inbox with <chat-inbox> and the same CSP', async () => {
    const res = await raw(demo.url, '/inbox');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html\b/);
    const html = res.body.toString('utf8');
    expect(html).toContain('<chat-inbox');
    expect(html).toContain('/widget.js');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('serves the stylesheet the pages link to (no inline style under the CSP)', async () => {
    const res = await raw(demo.url, '/demo.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css\b/);
  });

  it('serves the widget the pages load', async () => {
    const res = await raw(demo.url, '/widget.js');
    expect(res.status).toBe(200);
    expect(res.body.equals(WIDGET)).toBe(true);
  });
});
