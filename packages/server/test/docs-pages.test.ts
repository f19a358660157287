import { request as httpRequest } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLIENT_EVENTS, SERVER_EVENTS } from '../src/http/asyncapi-events.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(() => server?.close());

async function page(path: string, base = server.url): Promise<{ status: number; type: string; csp: string; body: string }> {
  const res = await fetch(base + path);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    csp: res.headers.get('content-security-policy') ?? '',
    body: await res.text(),
  };
}

/** The text a browser shows for escaped HTML (numeric and the usual named entities). */
function decode(html: string): string {
  return html
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** A GET with a Host header of our choosing (fetch may not set one). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hrefs = (html: string) => [...html.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? '');

describe('/docs (getting started)', () => {
  it('is an HTML page under the strict policy that links both references and both documents', async () => {
    const res = await page('/docs');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.csp).toContain("default-src 'none'");
    expect(res.csp).toContain("script-src 'self'");
    const links = hrefs(res.body);
    for (const link of ['/docs/rest', '/docs/realtime', '/v1/openapi.json', '/v1/asyncapi.json', '/docs/docs.css'])
      expect(links).toContain(link);
    // Every page asset it references is served.
    for (const link of links.filter((l) => l.startsWith('/docs/') && /\.(css|js|png)$/.test(l))) {
      expect((await fetch(server.url + link)).status, link).toBe(200);
    }
  });

  it("shows the widget embed, a host-signed token and the SDK with this server's origin", async () => {
    const text = decode((await page('/docs?app=shop-1')).body);
    expect(text).toContain(`<script type="module" src="${server.url}/widget.js"></script>`);
    expect(text).toContain('<chat-widget app="shop-1"');
    expect(text).toContain("algorithm: 'HS256'");
    expect(text).toContain("audience: 'shop-1'");
    expect(text).toContain(`${server.url}/v1/auth/exchange`);
    expect(text).toContain(`createClient({ url: '${server.url}', app: 'shop-1' })`);
  });

  it('uses a placeholder app id without ?app=, and PUBLIC_URL when set', async () => {
    expect(decode((await page('/docs')).body)).toContain('<chat-widget app="APP_ID"');
    const pub = await startTestServer({ env: { PUBLIC_URL: 'https://chat.example.com' } });
    try {
      const text = decode((await page('/docs', pub.url)).body);
      expect(text).toContain('src="https://chat.example.com/widget.js"');
      expect(text).not.toContain(pub.url);
    } finally {
      await pub.close();
    }
  });

  it('escapes the app id from the query and the Host header', async () => {
    const evil = '"><script>alert(1)</script><b x="';
    const res = await page(`/docs?app=${encodeURIComponent(evil)}`);
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).not.toContain('"><b x');
    expect(decode(res.body)).toContain(`<chat-widget app="${evil}"`);

    const host = 'evil.example"><img src=x onerror=alert(1)>';
    for (const path of ['/docs', '/docs/realtime']) {
      const hosted = await getWithHost(path, host);
      expect(hosted.status, path).toBe(200);
      expect(hosted.body, path).not.toContain('<img src=x');
    }
    expect(decode((await getWithHost('/docs', host)).body)).toContain(`http://${host}/widget.js`);
  });

  it('carries old Swagger UI deep links (/docs#/…) on to /docs/rest', async () => {
    const script = await fetch(`${server.url}/docs/legacy-links.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain("'/docs/rest' + location.hash");
    expect(hrefs((await page('/docs')).body)).toContain('/docs/legacy-links.js');
  });
});

describe('/docs/rest', () => {
  it('is Swagger UI over /v1/openapi.json, with links back to the other pages', async () => {
    const res = await page('/docs/rest');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.csp).toContain("default-src 'none'");
    const links = hrefs(res.body);
    for (const link of ['/docs/swagger-ui-bundle.js', '/docs/init.js', '/docs', '/docs/realtime']) expect(links).toContain(link);
    expect(await (await fetch(`${server.url}/docs/init.js`)).text()).toContain('/v1/openapi.json');
  });
});

describe('/docs/realtime', () => {
  it('renders every event of the document with its direction, and every in-page link has its target', async () => {
    const res = await page('/docs/realtime');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.csp).toContain("default-src 'none'");
    expect(res.body).not.toMatch(/<script/);
    const links = hrefs(res.body);
    expect(links).toContain('/v1/asyncapi.json');
    for (const event of Object.keys(CLIENT_EVENTS)) {
      expect(res.body, event).toContain(`id="event-client-${event.replace(/[^a-z0-9]+/gi, '-')}"`);
    }
    for (const event of Object.keys(SERVER_EVENTS)) {
      expect(res.body, event).toContain(`id="event-server-${event.replace(/[^a-z0-9]+/gi, '-')}"`);
    }
    expect(res.body).toContain('client → server');
    expect(res.body).toContain('server → client');
    const ids = new Set([...res.body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const broken = links.filter((l) => l.startsWith('#') && !ids.has(l.slice(1)));
    expect(broken).toEqual([]);
  });

  it('shows the handshake, the delivery rules and the ack errors of an event', async () => {
    const text = decode((await page('/docs/realtime')).body.replace(/<[^>]+>/g, ''));
    expect(text).toContain(`ws://${new URL(server.url).host}/socket.io/`);
    expect(text).toContain('auth: { token }');
    expect(text).toContain('connect_error');
    expect(text).toContain('room:sync { roomId, lastSeq, version }');
    const join = text.slice(text.indexOf('room:join client → server'));
    expect(join).toMatch(/not_found/);
    expect(join).toMatch(/forbidden/);
  });
});
