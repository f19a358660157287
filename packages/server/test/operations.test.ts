import { randomBytes } from 'node:crypto';

import type { AuthSessionDto, HealthDto, MessageDto, RoomDto } from '@confab/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDb } from '../src/db/knex.js';
import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { type ApiResponse, startTestServer, type TestServer } from './helpers/server.js';

type LogLine = Record<string, unknown>;
/** What this file reads of the OpenAPI document (openapi.test.ts checks the rest). */
type OpenApiShape = { openapi?: unknown; info?: { title?: string }; paths?: Record<string, Record<string, { responses?: unknown }>> };

const lines: LogLine[] = [];
const rawLines: string[] = [];
const logger = pino(
  { level: 'info' },
  {
    write(line: string) {
      rawLines.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  },
);

let server: TestServer;
let tenant: App;

beforeAll(async () => {
  server = await startTestServer({ logger });
  tenant = await server.createTenant();
});

afterAll(() => server?.close());

describe('health', () => {
  it('answers GET /healthz with 200 {status: ok}', async () => {
    const res = await server.request<HealthDto>('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('answers GET /readyz with 200 and a passing database check (and Redis when configured)', async () => {
    const res = await server.request<HealthDto>('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks?.database?.ok).toBe(true);
    if (process.env.REDIS_URL) expect(res.body.checks?.redis?.ok).toBe(true);
    else expect(res.body.checks?.redis).toBeUndefined();
  });

  it('answers GET /readyz with 503 once the database is gone', async () => {
    const doomed = await startTestServer();
    const schema = (doomed.db.client.config.searchPath as string[] | undefined)?.[0];
    try {
      await doomed.db.destroy();
      const res = await doomed.request<HealthDto>('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.checks?.database?.ok).toBe(false);
      // Liveness does not depend on the database.
      expect((await doomed.request('GET', '/healthz')).status).toBe(200);
    } finally {
      await doomed.close().catch(() => undefined);
      await doomed.app.close().catch(() => undefined);
      doomed.redis?.disconnect();
      // close() could not drop the schema with a destroyed pool: drop it with a fresh one.
      if (doomed.config.databaseUrl && schema) {
        const db = createDb({ databaseUrl: doomed.config.databaseUrl, dataDir: null });
        try {
          await db.raw(`drop schema if exists "${schema}" cascade`);
        } finally {
          await db.destroy();
        }
      }
    }
  });
});

describe('metrics', () => {
  it('exposes Prometheus text with request durations labelled by route pattern, not raw ids', async () => {
    const ana = await server.member(tenant);
    const room = await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'Metered' } });
    expect(room.status).toBe(201);
    expect((await server.request('GET', `/v1/rooms/${room.body.id}`, { token: ana.accessToken })).status).toBe(200);
    expect((await server.request('GET', `/v1/rooms/${room.body.id}/messages`, { token: ana.accessToken })).status).toBe(200);

    const res = await server.request<string>('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE confab_http_request_duration_seconds histogram');
    const durations = text.split('\n').filter((line) => line.startsWith('confab_http_request_duration_seconds'));
    expect(
      durations.some((line) => line.includes('route="/v1/rooms/:id"') && line.includes('method="GET"') && line.includes('status="200"')),
    ).toBe(true);
    expect(durations.some((line) => line.includes('route="/v1/rooms/:id/messages"'))).toBe(true);
    expect(text).not.toContain(room.body.id);
  });

  it('labels unknown paths with one route label instead of the raw path', async () => {
    const probe = `/v1/no-such-thing-${randomBytes(4).toString('hex')}`;
    expect((await server.request('GET', probe)).status).toBe(404);
    const res = await server.request<string>('GET', '/metrics');
    expect(res.body).not.toContain(probe);
  });
});

describe('API documentation', () => {
  it('serves an OpenAPI 3 document with an operation for every mounted route', async () => {
    const res = await server.request<OpenApiShape>('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(String(res.body.openapi)).toMatch(/^3\.\d+\.\d+$/);
    expect(res.body.info?.title).toBeTruthy();
    const missing: string[] = [];
    expect(server.app.routes.length).toBeGreaterThan(10);
    for (const route of server.app.routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = res.body.paths?.[path]?.[route.method];
      if (!operation) missing.push(`${route.method.toUpperCase()} ${path}`);
      else expect(operation.responses, `${route.method} ${path}`).toBeTruthy();
    }
    expect(missing).toEqual([]);
  });

  it('serves /docs/rest as HTML that loads Swagger UI from /docs/swagger-ui-bundle.js, which is served too', async () => {
    const page = await server.request<string>('GET', '/docs/rest');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('/docs/swagger-ui-bundle.js');
    const asset = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(10_000);
    // Every script and stylesheet the page references is served.
    for (const [, src] of page.body.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
      expect((await fetch(server.url + src)).status, src).toBe(200);
    }
  });
});

describe('request logging', () => {
  it('writes one line per request with id, method, route, status, duration, app and user, and no secrets', async () => {
    const username = `logger${randomBytes(3).toString('hex')}`;
    const password = `Pw-${randomBytes(9).toString('base64url')}`;
    const messageText = `private words ${randomBytes(6).toString('hex')}`;
    const replies: { what: string; res: ApiResponse }[] = [];
    const call = async <T = unknown>(what: string, ...args: Parameters<TestServer['request']>) => {
      const res = await server.request<T>(...args);
      replies.push({ what, res });
      return res;
    };
    const before = lines.length;

    const registered = await call<AuthSessionDto>('register', 'POST', '/v1/auth/register', {
      app: tenant.id,
      body: { username, password, name: 'Log Tester' },
    });
    expect(registered.status).toBe(201);
    const login = await call<AuthSessionDto>('login', 'POST', '/v1/auth/login', { app: tenant.id, body: { username, password } });
    expect(login.status).toBe(200);
    const session = login.body;
    const room = await call<RoomDto>('room', 'POST', '/v1/rooms', { token: session.accessToken, body: { name: 'Logged' } });
    expect(room.status).toBe(201);
    const sent = await call<MessageDto>('send', 'POST', `/v1/rooms/${room.body.id}/messages`, {
      token: session.accessToken,
      body: { clientId: 'log-1', text: messageText },
    });
    expect(sent.status).toBe(201);
    const refreshed = await call<AuthSessionDto>('refresh', 'POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(200);
    const denied = await call('denied', 'GET', '/v1/me', { token: 'not-a-token' });
    expect(denied.status).toBe(401);

    const requestLines = lines.slice(before).filter((line) => line.reqId !== undefined);
    for (const { what, res } of replies) {
      const reqId = res.headers.get('x-request-id');
      expect(reqId, what).toBeTruthy();
      const mine = requestLines.filter((line) => line.reqId === reqId);
      expect(mine, what).toHaveLength(1);
      const line = itemAt(mine, 0);
      expect(line.status, what).toBe(res.status);
      expect(typeof line.ms, what).toBe('number');
      expect(line.ms as number, what).toBeGreaterThanOrEqual(0);
      expect(typeof line.method, what).toBe('string');
    }
    const lineOf = (what: string) =>
      requestLines.find((line) => line.reqId === replies.find((r) => r.what === what)!.res.headers.get('x-request-id'))!;

    expect(lineOf('register')).toMatchObject({ method: 'POST', route: '/v1/auth/register', status: 201, app: tenant.id });
    expect(lineOf('login')).toMatchObject({ method: 'POST', route: '/v1/auth/login', status: 200, app: tenant.id });
    expect(lineOf('room')).toMatchObject({ method: 'POST', route: '/v1/rooms', status: 201, app: tenant.id, user: session.user.id });
    expect(lineOf('send')).toMatchObject({
      method: 'POST',
      route: '/v1/rooms/:id/messages',
      status: 201,
      app: tenant.id,
      user: session.user.id,
    });
    expect(lineOf('denied')).toMatchObject({ method: 'GET', route: '/v1/me', status: 401, code: 'unauthorized' });

    const everything = rawLines.join('\n');
    const secrets = {
      password,
      messageText,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      registerAccessToken: registered.body.accessToken,
      registerRefreshToken: registered.body.refreshToken,
      refreshedAccessToken: refreshed.body.accessToken,
      refreshedRefreshToken: refreshed.body.refreshToken,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(everything.includes(secret), `${name} appears in the log`).toBe(false);
    }
  });

  it('returns an X-Request-Id on every reply and echoes a sane incoming one', async () => {
    const generated = await server.request('GET', '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[\w.-]{8,}$/);
    const other = await server.request('GET', '/healthz');
    expect(other.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));

    const echoed = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'edge-proxy.req_42-abc' } });
    expect(echoed.headers.get('x-request-id')).toBe('edge-proxy.req_42-abc');
    const onError = await server.request('GET', '/v1/nope', { headers: { 'x-request-id': 'missing-route-1' } });
    expect(onError.status).toBe(404);
    expect(onError.headers.get('x-request-id')).toBe('missing-route-1');

    for (const insane of ['has spaces in it', 'x'.repeat(500), '<script>', 'a\tb']) {
      const res = await server.request('GET', '/healthz', { headers: { 'x-request-id': insane } });
      const id = res.headers.get('x-request-id');
      expect(id).toBeTruthy();
      expect(id).not.toBe(insane);
      expect(id).toMatch(/^[\w.-]{8,64}$/);
    }
  });
});
