import {
  AUTH_ERRORS,
  ERROR_STATUS,
  REST_ROUTES,
  ROUTE_KEYS,
  routeErrors,
  type RouteKey,
  routePath,
  type RouteSpec,
} from '@confab/protocol';
import Joi from 'joi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { route } from '../src/http/route.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(() => server?.close());

const spec = (key: RouteKey): RouteSpec => REST_ROUTES[key];

describe('the REST route table', () => {
  it('is exactly what the server mounts: every table entry once, nothing else', () => {
    const mounted = server.app.routes.map((def) => `${def.method.toUpperCase()} ${def.path}`);
    expect(new Set(mounted).size).toBe(mounted.length);
    expect([...mounted].sort()).toEqual([...ROUTE_KEYS].sort());
    expect(ROUTE_KEYS.length).toBe(110);
  });

  it('gives every mounted route its auth, status and inputs from the table', () => {
    for (const def of server.app.routes) {
      const entry = spec(def.key);
      expect(`${def.method.toUpperCase()} ${def.path}`).toBe(def.key);
      expect(def.auth, def.key).toBe(entry.auth);
      expect(def.status, def.key).toBe(entry.status ?? 200);
      // A schema exactly where the table has an input (uploads are read by their handler).
      expect(Boolean(def.params), `${def.key} params`).toBe(def.path.includes('/:'));
      expect(Boolean(def.query), `${def.key} query`).toBe(Boolean(entry.query));
      expect(Boolean(def.body), `${def.key} body`).toBe(entry.body?.kind === 'json');
      expect(def.multipart, `${def.key} multipart`).toBe(entry.body?.kind === 'multipart');
      expect(def.binary, `${def.key} binary`).toBe(entry.response === 'binary');
      // Each path param of the key is a key of the route's params schema.
      const names = [...def.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const keys = Object.keys((def.params?.describe() as { keys?: object } | undefined)?.keys ?? {});
      expect(keys.sort(), def.key).toEqual(names.sort());
    }
  });

  it("lists each operation's error codes: its own, its auth's, its input's, and the common ones", () => {
    expect(routeErrors('GET /healthz')).toEqual(['internal', 'unavailable']);
    expect(routeErrors('POST /v1/rooms/:id/messages')).toEqual(
      expect.arrayContaining(['unauthorized', 'token_expired', 'forbidden', 'not_found', 'conflict', 'validation_failed', 'rate_limited']),
    );
    expect(routeErrors('GET /v1/admin/apps')).toEqual(['unauthorized', 'forbidden', 'internal', 'unavailable']);
    for (const key of ROUTE_KEYS) {
      const codes = routeErrors(key);
      expect(codes, key).toEqual(expect.arrayContaining([...AUTH_ERRORS[spec(key).auth], ...(spec(key).errors ?? [])]));
      const statuses = codes.map((code) => ERROR_STATUS[code]);
      expect(statuses, `${key}: in status order`).toEqual([...statuses].sort((a, b) => a - b));
    }
  });

  it('fills path params into a key, URI-encoded', () => {
    expect(routePath('PUT /v1/messages/:id/reactions/:emoji', { id: 'm1', emoji: '👍' })).toBe('/v1/messages/m1/reactions/%F0%9F%91%8D');
    expect(routePath('GET /v1/me')).toBe('/v1/me');
  });

  it('answers each mounted route as the table says: a few real calls', async () => {
    const tenant = await server.createTenant();
    const ana = await server.member(tenant, 'ana');
    const created = await server.request('POST', routePath('POST /v1/rooms'), { token: ana.accessToken, body: { name: 'Tabled' } });
    expect(created.status).toBe(spec('POST /v1/rooms').status);
    const id = (created.body as { id: string }).id;
    const left = await server.request('DELETE', routePath('DELETE /v1/rooms/:id/members/:userId', { id, userId: ana.user.id }), {
      token: ana.accessToken,
    });
    expect(left.status).toBe(204);
  });
});

// Compile-time checks (`npm run typecheck`): a route outside the table, or answering another shape, does not compile.
export function routesThatMustNotCompile(): unknown[] {
  const doc = { tag: 't', summary: 's', description: 'd' };
  return [
    // @ts-expect-error the key is not in the table
    route('GET /v1/nowhere', { ...doc, handler: async () => undefined }),
    // @ts-expect-error GET /v1/me answers a UserDto
    route('GET /v1/me', { ...doc, handler: async () => ({ id: 1 }) }),
    // @ts-expect-error the table has a body here, so the route needs its schema
    route('POST /v1/rooms/direct', { ...doc, handler: async ({ services, actor }) => services.rooms.get(actor, 'r') }),
    route('PUT /v1/support/availability', {
      ...doc,
      // @ts-expect-error a schema typed with another shape than the table's body
      body: Joi.object<{ availability: number }>({}),
      handler: async ({ services, app }) => services.availability.settings(app.id),
    }),
    // @ts-expect-error no query in the table, so no query schema
    route('GET /v1/me', { ...doc, query: Joi.object<{ q: string }>({}), handler: async ({ services, actor }) => services.users.me(actor) }),
  ];
}
