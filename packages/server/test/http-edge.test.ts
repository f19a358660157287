import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import {
  type AppDto,
  type AuthSessionDto,
  type ErrorResponse,
  LIMITS,
  type MessageDto,
  type PageDto,
  type RoomDto,
  type UserDto,
  type WebhookWithSecretDto,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { connect, request as emit } from './helpers/sockets.js';

const SHOP = 'https://shop.example';
const ADMIN_TOKEN = 'admin-token-of-the-http-edge-test-0123';

let server: TestServer;
let shop: App;
let ana: AuthSessionDto;
let bob: AuthSessionDto;
let agent: AuthSessionDto;

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN } });
  shop = await server.createTenant([SHOP]);
  ana = await server.member(shop, 'ana', { name: 'Ana' });
  bob = await server.member(shop, 'bob', { name: 'Bob' });
  await server.member(shop, 'cy', { name: 'Cy' });
  agent = await server.member(shop, 'agent', { name: 'Agent', role: 'agent' });
});

afterAll(() => server?.close());

const STACK = /\bat\s+\S+\s+\(|node_modules|\.ts:\d/;

function expectError(res: ApiResponse, status: number, code: string): asserts res is ApiResponse<ErrorResponse> {
  expect({ status: res.status, code: replyError(res.body)?.code }).toEqual({ status, code });
  expect(typeof replyError(res.body)?.message).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(STACK);
}

/** One request over node:http, so any header (Content-Encoding) and any bytes can be sent. */
function rawRequest<T = unknown>(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<ApiResponse<T>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      server.url + path,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: the test asserts on it
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: new Headers(res.headers as Record<string, string>) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('malformed bearer tokens', () => {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
  const JWT_HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const SHAPES = [
    `${JWT_HEADER}.${b64('{not json')}.sig`,
    `${JWT_HEADER}.${b64('{not json')}.`,
    `${JWT_HEADER}.${b64(Buffer.from([0xff, 0xfe, 0x00, 0x7b]))}.c2ln`,
    `${JWT_HEADER}.${b64('{"app":')}.x`,
    `${b64('{not json')}.${b64('{"app":"x"}')}.sig`,
    `${JWT_HEADER}.${b64('null')}.sig`,
    `${JWT_HEADER}.${b64('{"app":{"id":1}}')}.sig`,
    'a.b.c',
    '...',
  ];

  it('answers a bearer token with a non-JSON segment on /healthz, user and app routes without a 500, with or without Origin', async () => {
    for (const token of SHAPES) {
      for (const headers of [{}, { origin: SHOP }] as Record<string, string>[]) {
        const where = `${token} ${JSON.stringify(headers)}`;
        const health = await server.request('GET', '/healthz', { token, headers });
        expect(health.status, where).toBe(200);
        const me = await server.request('GET', '/v1/me', { token, headers });
        expect(me.status, where).toBe(401);
        expectError(me, 401, 'unauthorized');
        const guest = await server.request('POST', '/v1/auth/guest', { token, app: shop.id, body: { name: 'Visitor' }, headers });
        expect(guest.status, where).toBe(201);
        if ('origin' in headers) expect(guest.headers.get('access-control-allow-origin'), where).toBe(SHOP);
      }
    }
  });

  it('refuses the same malformed tokens as a host token on /v1/auth/exchange and in a socket handshake with unauthorized', async () => {
    for (const token of SHAPES) {
      expectError(
        await server.request('POST', '/v1/auth/exchange', { app: shop.id, body: { token }, headers: { origin: SHOP } }),
        401,
        'unauthorized',
      );
      const refused = await connect(server, null, { token, app: shop.id, origin: SHOP }).then(
        (socket) => (socket.close(), 'accepted'),
        (err: Error & { data?: { code?: string } }) => err.data?.code,
      );
      expect({ token, refused }).toEqual({ token, refused: 'unauthorized' });
    }
  });

  it('still refuses a disallowed Origin carrying a malformed bearer token (403, no CORS header)', async () => {
    for (const token of SHAPES) {
      const res = await server.request('GET', '/v1/me', { token, headers: { origin: 'https://evil.example' } });
      expectError(res, 403, 'origin_not_allowed');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('Content-Encoding of JSON bodies', () => {
  const json = Buffer.from(JSON.stringify({ name: 'Zipped' }));
  const headers = (encoding: string) => ({ 'content-type': 'application/json', 'content-encoding': encoding, 'x-confab-app': shop.id });

  it('answers a body that claims gzip, deflate or br but is not compressed with 400 bad_request', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await rawRequest('POST', '/v1/auth/guest', headers(encoding), json);
      expectError(res, 400, 'bad_request');
    }
  });

  it('answers a truncated gzip body with 400 bad_request', async () => {
    const zipped = gzipSync(json);
    const res = await rawRequest('POST', '/v1/auth/guest', headers('gzip'), zipped.subarray(0, zipped.length - 6));
    expectError(res, 400, 'bad_request');
  });

  it('answers an unknown Content-Encoding with 415 unsupported_media_type', async () => {
    for (const encoding of ['compress', 'x-made-up', 'gzip, br']) {
      const res = await rawRequest('POST', '/v1/auth/guest', headers(encoding), json);
      expectError(res, 415, 'unsupported_media_type');
    }
  });

  it('accepts a JSON body that really is gzip, deflate or br compressed', async () => {
    const bodies: [string, Buffer][] = [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
    ];
    for (const [encoding, body] of bodies) {
      const res = await rawRequest<AuthSessionDto>('POST', '/v1/auth/guest', headers(encoding), body);
      expect({ encoding, status: res.status, name: res.body?.user?.name }).toEqual({ encoding, status: 201, name: 'Zipped' });
    }
  });

  it('refuses a compressed body that inflates past the JSON body limit with 413', async () => {
    const big = Buffer.from(JSON.stringify({ name: 'x', pad: ' '.repeat(LIMITS.jsonBodyBytesMax * 4) }));
    const res = await rawRequest('POST', '/v1/auth/guest', headers('gzip'), gzipSync(big));
    expectError(res, 413, 'payload_too_large');
  });
});

describe('paging cursors', () => {
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const uuid = randomUUID();
  const iso = '2020-01-01T00:00:00.000Z';
  /** Wrong for every cursor the API hands out. */
  const ALWAYS_BAD = [
    enc([1, 2]),
    enc([{ a: 1 }, uuid]),
    enc({ at: iso, id: uuid }),
    enc([[iso], [uuid]]),
    enc([1e308, uuid]),
    enc([Number('123456789012345678901234567890'), uuid]),
    enc([null, uuid]),
    enc([true, uuid]),
    enc([iso, 'not-a-uuid']),
    enc([iso, 42]),
    enc([iso, uuid, 'extra']),
    enc([iso]),
    enc('just a string'),
    '!!!not-base64!!!',
  ];
  /** Wrong where the first element is a time. */
  const BAD_TIMES = [
    enc(['garbage', uuid]),
    enc(['2020-13-45T00:00:00Z', uuid]),
    enc(['2020-13-45T00:00:00.000Z', uuid]),
    enc(['2020-02-30T00:00:00.000Z', uuid]),
    enc(['0000-01-01T00:00:00.000Z', uuid]),
    enc(['-000001-01-01T00:00:00.000Z', uuid]),
    enc(['275760-09-13T00:00:00.000Z', uuid]),
    enc(['2020-01-01', uuid]),
    enc(['2020-01-01T00:00:00.000+01:00', uuid]),
  ];

  async function expectCursorRefused(path: string, token: string, cursors: string[]): Promise<void> {
    for (const cursor of cursors) {
      const query = `${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
      const res = await server.request<ErrorResponse>('GET', `${path}${query}`, { token });
      const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
      expect({ path, decoded, status: res.status, code: replyError(res.body)?.code }).toEqual({
        path,
        decoded,
        status: 422,
        code: 'validation_failed',
      });
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    }
  }

  /** Follows `nextCursor` with limit=1 and returns every id seen. */
  async function pageAll(path: string, token: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const query = `${path.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await server.request<PageDto<{ id: string }>>('GET', `${path}${query}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ids.push(...res.body.items.map((item) => item.id));
      if (!res.body.hasMore) return ids;
      cursor = res.body.nextCursor;
    }
    throw new Error(`${path} did not end`);
  }

  it('refuses a malformed cursor on GET /v1/rooms with 422 and still pages with the cursors it hands out', async () => {
    for (const name of ['One', 'Two', 'Three']) {
      expect((await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name, kind: 'group' } })).status).toBe(
        201,
      );
    }
    await expectCursorRefused('/v1/rooms', ana.accessToken, [...ALWAYS_BAD, ...BAD_TIMES]);
    const ids = await pageAll('/v1/rooms', ana.accessToken);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a malformed cursor on GET /v1/support/conversations with 422 and still pages with the cursors it hands out', async () => {
    for (const name of ['Vi', 'Wu']) {
      const visitor = await server.guest(shop, name);
      const started = await server.request('POST', '/v1/support/conversations', {
        token: visitor.accessToken,
        body: { clientId: `c-${name}`, text: 'help' },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
    }
    await expectCursorRefused('/v1/support/conversations', agent.accessToken, [...ALWAYS_BAD, ...BAD_TIMES]);
    await expectCursorRefused('/v1/support/conversations?status=open', agent.accessToken, BAD_TIMES.slice(0, 2));
    const ids = await pageAll('/v1/support/conversations', agent.accessToken);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a malformed cursor on GET /v1/users with 422 and still pages with the cursors it hands out', async () => {
    await expectCursorRefused('/v1/users', ana.accessToken, [...ALWAYS_BAD, enc([1, uuid]), enc(['a\u0000b', uuid])]);
    const ids = await pageAll('/v1/users', ana.accessToken);
    expect(ids).toEqual(expect.arrayContaining([bob.user.id, agent.user.id]));
    expect(ids).not.toContain(ana.user.id);
  });

  it('refuses a malformed cursor on GET /v1/admin/apps/:id/webhooks/:webhookId/deliveries with 422', async () => {
    const hook = await server.request<WebhookWithSecretDto>('POST', `/v1/admin/apps/${shop.id}/webhooks`, {
      token: ADMIN_TOKEN,
      body: { url: 'http://127.0.0.1:9/hook', events: ['message.created'], active: false },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    await expectCursorRefused(`/v1/admin/apps/${shop.id}/webhooks/${hook.body.id}/deliveries`, ADMIN_TOKEN, [...ALWAYS_BAD, ...BAD_TIMES]);
  });

  it('refuses out-of-range message paging numbers with 422, not 500', async () => {
    const room = await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'Paging', kind: 'group' } });
    for (const query of ['before=99999999999999999999', 'after=1e400', 'before=-1', 'after=abc', 'before=1.5', 'limit=1e3']) {
      const res = await server.request('GET', `/v1/rooms/${room.body.id}/messages?${query}`, { token: ana.accessToken });
      expect({ query, status: res.status, code: replyError(res.body)?.code }).toEqual({ query, status: 422, code: 'validation_failed' });
    }
  });
});

describe('deeply nested JSON', () => {
  /** An object `{ a: [[[…]]] }` whose arrays nest `depth` levels, in few bytes. */
  const deepArrays = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  const deepObjects = (depth: number): Record<string, unknown> => {
    let value: Record<string, unknown> = {};
    for (let i = 1; i < depth; i++) value = { k: value };
    return value;
  };
  const send = (method: string, path: string, raw: string, options: { token?: string; app?: string } = {}) =>
    server.request(method, path, { ...options, raw, headers: { 'content-type': 'application/json' } });

  it('refuses metadata nested 2,000 levels deep (under the byte cap) on guest sign-in and PATCH /v1/me with 422', async () => {
    const metadata = deepArrays(2000);
    expect(Buffer.byteLength(metadata)).toBeLessThan(LIMITS.metadataBytesMax);
    const guest = await send('POST', '/v1/auth/guest', `{"name":"Deep","metadata":${metadata}}`, { app: shop.id });
    expectError(guest, 422, 'validation_failed');
    expect(guest.body.error.details).toEqual([expect.objectContaining({ path: 'body.metadata' })]);
    const visitor = await server.guest(shop, 'Shallow');
    const patched = await send('PATCH', '/v1/me', `{"metadata":${metadata}}`, { token: visitor.accessToken });
    expectError(patched, 422, 'validation_failed');
    expect(patched.body.error.details).toEqual([expect.objectContaining({ path: 'body.metadata' })]);
    expect((await server.request<UserDto>('GET', '/v1/me', { token: visitor.accessToken })).body.metadata).toEqual({});
  });

  it(`refuses metadata deeper than ${LIMITS.metadataDepthMax} levels with 422 naming metadata; stores it at the limit`, async () => {
    const over = await server.request('POST', '/v1/auth/guest', {
      app: shop.id,
      body: { metadata: deepObjects(LIMITS.metadataDepthMax + 1) },
    });
    expectError(over, 422, 'validation_failed');
    expect(over.body.error.details).toEqual([expect.objectContaining({ path: 'body.metadata' })]);
    expect(over.body.error.message).toMatch(/metadata/);
    const atLimit = deepObjects(LIMITS.metadataDepthMax);
    const ok = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: shop.id, body: { metadata: atLimit } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.user.metadata).toEqual(atLimit);
    const me = await server.request('PATCH', '/v1/me', {
      token: ok.body.accessToken,
      body: { metadata: deepObjects(LIMITS.metadataDepthMax + 1) },
    });
    expectError(me, 422, 'validation_failed');
  });

  it(`refuses JSON nested deeper than ${LIMITS.jsonDepthMax} levels before validation, also in fields the route ignores`, async () => {
    const depth = LIMITS.jsonDepthMax + 1;
    // deepArrays(n) as a field of the body nests n + 2 levels.
    const attempts: [string, string, string, { token?: string; app?: string }][] = [
      ['POST', '/v1/rooms', `{"name":"Deep","kind":"group","extra":${deepArrays(depth - 2)}}`, { token: ana.accessToken }],
      ['POST', '/v1/auth/guest', `{"name":"Deep","extra":${deepArrays(5000)}}`, { app: shop.id }],
      ['PATCH', '/v1/me', `{"name":"Deep",${JSON.stringify(deepObjects(depth)).slice(1)}`, { token: bob.accessToken }],
      ['POST', '/v1/auth/login', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, { app: shop.id }],
    ];
    for (const [method, path, raw, options] of attempts) {
      const res = await send(method, path, raw, options);
      expect({ path, status: res.status, code: replyError(res.body)?.code }).toEqual({ path, status: 422, code: 'validation_failed' });
      expect(replyError(res.body)?.message).toMatch(/nested/);
    }
    const flat = await send('POST', '/v1/rooms', `{"name":"Flat","kind":"group","extra":${deepArrays(LIMITS.jsonDepthMax - 2)}}`, {
      token: ana.accessToken,
    });
    expect(flat.status, JSON.stringify(flat.body)).toBe(201);
  });

  it('acks a deeply nested socket payload with validation_failed and keeps the socket serving', async () => {
    const socket = await connect(server, ana);
    try {
      const room = await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'Sock', kind: 'group' } });
      const deep = JSON.parse(deepArrays(3000)) as { a: unknown };
      for (const [event, payload] of [
        ['message:send', { roomId: room.body.id, clientId: 'deep-1', text: 'hi', extra: deep.a }],
        ['room:join', { roomId: room.body.id, extra: deepObjects(LIMITS.jsonDepthMax + 1) }],
        ['room:read', deep.a],
      ] as const) {
        const ack = await emit(socket, event, payload);
        expect({ event, code: ack.error?.code }).toEqual({ event, code: 'validation_failed' });
      }
      const ok = await emit(socket, 'message:send', { roomId: room.body.id, clientId: 'flat-1', text: 'still here' });
      expect(ok.error).toBeUndefined();
      const history = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${room.body.id}/messages`, { token: ana.accessToken });
      expect(history.body.items.map((m) => m.text)).toEqual(['still here']);
    } finally {
      socket.close();
    }
  });
});

describe('admin token', () => {
  it('refuses a wrong admin token of the same length and of another length with 401, and accepts the right one', async () => {
    const sameLength = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('3') ? '4' : '3');
    expect(sameLength).toHaveLength(ADMIN_TOKEN.length);
    for (const token of [sameLength, ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, 'x', ADMIN_TOKEN.toUpperCase()]) {
      expectError(await server.request('GET', '/v1/admin/apps', { token }), 401, 'unauthorized');
    }
    expectError(await server.request('GET', '/v1/admin/apps'), 401, 'unauthorized');
    const ok = await server.request<PageDto<AppDto>>('GET', '/v1/admin/apps', { token: ADMIN_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((a) => a.id)).toContain(shop.id);
  });
});

describe('/docs', () => {
  it('serves the docs page with a strict Content-Security-Policy that allows only its own scripts and styles', async () => {
    const page = await server.request('GET', '/docs');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src'] ?? directives['default-src']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|\*/);
    // Every script the page loads is one the policy allows: its own, none inline.
    expect(page.body).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\ssrc="\/docs\/)/);
    for (const asset of ['/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']) {
      expect((await server.request('GET', asset)).status, asset).toBe(200);
    }
  });
});
