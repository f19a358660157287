import { createHmac } from 'node:crypto';

import type { AuthSessionDto, ErrorDetail, ErrorResponse, MessageDto, RoomDto } from '@confab/protocol';
import type Joi from 'joi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import type { RouteDef } from '../src/http/route.js';
import { itemAt } from './helpers/items.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';

const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';
const EVIL = 'https://evil.example';
const ADMIN_TOKEN = 'admin-token-for-the-errors-test';

let server: TestServer;
let shop: App;
let other: App;
let ana: AuthSessionDto;
let bob: AuthSessionDto;
let room: RoomDto;
let message: MessageDto;

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN } });
  shop = await server.createTenant([SHOP]);
  other = await server.createTenant([OTHER]);
  ana = await server.member(shop, 'ana');
  bob = await server.member(shop, 'bob');
  const created = await server.request<RoomDto>('POST', '/v1/rooms', {
    token: ana.accessToken,
    body: { name: 'Team', memberIds: [bob.user.id] },
  });
  expect(created.status).toBe(201);
  room = created.body;
  const sent = await server.request<MessageDto>('POST', `/v1/rooms/${room.id}/messages`, {
    token: ana.accessToken,
    body: { clientId: 'seed-1', text: 'hello' },
  });
  expect(sent.status).toBe(201);
  message = sent.body;
});

afterAll(() => server?.close());

function expectError(res: ApiResponse, status: number, code: string): asserts res is ApiResponse<ErrorResponse> {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code } } });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const { error } = res.body as ErrorResponse;
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
}

const sendPath = () => `/v1/rooms/${room.id}/messages`;

describe('request bodies', () => {
  it('answers a JSON body over 64 KiB with 413 payload_too_large', async () => {
    const body = JSON.stringify({ clientId: 'big', text: 'x'.repeat(70 * 1024) });
    const res = await server.request('POST', sendPath(), {
      token: ana.accessToken,
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 413, 'payload_too_large');
  });

  it('parses a JSON body of exactly 64 KiB and refuses one byte more', async () => {
    const envelope = JSON.stringify({ clientId: 'edge', text: '' });
    const exact = JSON.stringify({ clientId: 'edge', text: 'y'.repeat(64 * 1024 - envelope.length) });
    expect(Buffer.byteLength(exact)).toBe(64 * 1024);
    const atLimit = await server.request('POST', sendPath(), {
      token: ana.accessToken,
      raw: exact,
      headers: { 'content-type': 'application/json' },
    });
    // Parsed, then refused by validation (text is far over the message limit): not 413.
    expectError(atLimit, 422, 'validation_failed');
    const over = JSON.stringify({ clientId: 'edge', text: 'y'.repeat(64 * 1024 - envelope.length + 1) });
    const overLimit = await server.request('POST', sendPath(), {
      token: ana.accessToken,
      raw: over,
      headers: { 'content-type': 'application/json' },
    });
    expectError(overLimit, 413, 'payload_too_large');
  });

  it('answers malformed JSON with 400 bad_request', async () => {
    for (const raw of ['{"clientId": "a", "text": ', '{clientId: "a"}', "{'text': 'a'}", '{"text": "a",}', 'not json at all']) {
      const res = await server.request('POST', sendPath(), {
        token: ana.accessToken,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 400, 'bad_request');
    }
  });

  it('answers a text/plain body on a JSON route with 415 unsupported_media_type', async () => {
    const res = await server.request('POST', sendPath(), {
      token: ana.accessToken,
      raw: JSON.stringify({ clientId: 'plain', text: 'hi' }),
      headers: { 'content-type': 'text/plain' },
    });
    expectError(res, 415, 'unsupported_media_type');
    const form = await server.request('POST', '/v1/auth/guest', {
      app: shop.id,
      raw: 'name=Ana',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 415, 'unsupported_media_type');
  });

  it('answers invalid fields with 422 validation_failed and one detail (path and message) per field', async () => {
    const res = await server.request('POST', '/v1/auth/register', { app: shop.id, body: { username: '!', password: 'short', name: '' } });
    expectError(res, 422, 'validation_failed');
    const details = res.body.error.details as ErrorDetail[];
    expect(Array.isArray(details)).toBe(true);
    for (const detail of details) {
      expect(typeof detail.path).toBe('string');
      expect(typeof detail.message).toBe('string');
      expect(detail.message.length).toBeGreaterThan(0);
    }
    expect(details.map((d) => d.path).sort()).toEqual(expect.arrayContaining(['body.name', 'body.password', 'body.username']));

    const send = await server.request('POST', sendPath(), { token: ana.accessToken, body: { text: 5 } });
    expectError(send, 422, 'validation_failed');
    expect((send.body.error.details as ErrorDetail[]).map((d) => d.path)).toEqual(expect.arrayContaining(['body.clientId', 'body.text']));
  });

  it('refuses or stores a NUL character in text fields, never answers 500', async () => {
    const attempts: [string, string, Parameters<TestServer['request']>[2]][] = [
      ['POST', sendPath(), { token: ana.accessToken, body: { clientId: 'nul-text', text: 'a\u0000b' } }],
      ['PATCH', `/v1/messages/${message.id}`, { token: ana.accessToken, body: { text: 'edited \u0000' } }],
      ['PATCH', '/v1/me', { token: ana.accessToken, body: { name: 'Ana\u0000' } }],
      ['POST', '/v1/auth/guest', { app: shop.id, body: { metadata: { page: '\u0000' } } }],
      ['POST', '/v1/auth/login', { app: shop.id, body: { username: 'a\u0000', password: 'whatever1' } }],
    ];
    const replies: { route: string; status: number; code?: string }[] = [];
    for (const [method, path, options] of attempts) {
      const res = await server.request(method, path, options);
      replies.push({ route: `${method} ${path}`, status: res.status, code: replyError(res.body)?.code });
    }
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    for (const reply of replies.filter((r) => r.status >= 400)) {
      expect(['validation_failed', 'bad_request', 'unauthorized']).toContain(reply.code);
    }
  });
});

describe('routes and ids', () => {
  it('answers an unknown route with a JSON 404 not_found', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['POST', '/v1/nope/deeper'],
      ['GET', '/nothing-here'],
    ] as const) {
      const res = await server.request(method, path, { token: ana.accessToken });
      expectError(res, 404, 'not_found');
    }
  });

  it('answers a malformed uuid in a path with 404, like an unknown one', async () => {
    expectError(await server.request('GET', '/v1/rooms/not-a-uuid', { token: ana.accessToken }), 404, 'not_found');
    expectError(await server.request('GET', '/v1/rooms/1234/messages', { token: ana.accessToken }), 404, 'not_found');
    expectError(await server.request('PATCH', '/v1/messages/%27%3B--', { token: ana.accessToken, body: { text: 'x' } }), 404, 'not_found');
    expectError(await server.request('GET', `/v1/rooms/${crypto.randomUUID()}`, { token: ana.accessToken }), 404, 'not_found');
  });
});

describe('origins and CORS', () => {
  const vary = (res: ApiResponse) => (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

  it('refuses an Origin the app does not allow, named by X-Confab-App', async () => {
    const res = await server.request('POST', '/v1/auth/guest', { app: shop.id, body: { name: 'Eve' }, headers: { origin: EVIL } });
    expectError(res, 403, 'origin_not_allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("refuses an Origin the app does not allow, named by the bearer token's app", async () => {
    const res = await server.request('GET', '/v1/me', { token: ana.accessToken, headers: { origin: EVIL } });
    expectError(res, 403, 'origin_not_allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an Origin that only another app allows', async () => {
    const byHeader = await server.request('POST', '/v1/auth/guest', { app: shop.id, body: {}, headers: { origin: OTHER } });
    expectError(byHeader, 403, 'origin_not_allowed');
    const byToken = await server.request('GET', '/v1/me', { token: ana.accessToken, app: other.id, headers: { origin: OTHER } });
    expectError(byToken, 403, 'origin_not_allowed');
    expect(byToken.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses Origin null', async () => {
    const byHeader = await server.request('POST', '/v1/auth/guest', { app: shop.id, body: {}, headers: { origin: 'null' } });
    expectError(byHeader, 403, 'origin_not_allowed');
    const byToken = await server.request('GET', '/v1/me', { token: ana.accessToken, headers: { origin: 'null' } });
    expectError(byToken, 403, 'origin_not_allowed');
    expect(byToken.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reflects an allowed Origin in Access-Control-Allow-Origin and varies on Origin', async () => {
    const guest = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', {
      app: shop.id,
      body: { name: 'Ana' },
      headers: { origin: SHOP },
    });
    expect(guest.status).toBe(201);
    expect(guest.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(vary(guest)).toContain('origin');
    const me = await server.request('GET', '/v1/me', { token: guest.body.accessToken, headers: { origin: SHOP } });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(vary(me)).toContain('origin');
  });

  it('never sends Access-Control-Allow-Origin to a disallowed Origin, whatever the route', async () => {
    const attempts: [string, string, Parameters<TestServer['request']>[2]][] = [
      ['GET', '/healthz', {}],
      ['GET', '/v1/nope', {}],
      ['GET', '/v1/me', { token: ana.accessToken }],
      ['GET', `/v1/rooms/${room.id}/messages`, { token: ana.accessToken }],
      ['POST', '/v1/auth/login', { app: shop.id, body: { username: 'ana', password: 'whatever1' } }],
      ['POST', '/v1/auth/guest', { app: 'no-such-app', body: {} }],
    ];
    for (const [method, path, options] of attempts) {
      for (const origin of [EVIL, 'null', `${SHOP}.evil.example`, `${SHOP}:8443`, 'http://shop.example']) {
        const res = await server.request(method, path, { ...options, headers: { origin } });
        expect(res.headers.get('access-control-allow-origin'), `${method} ${path} from ${origin}`).toBeNull();
        expect(res.status, `${method} ${path} from ${origin}`).toBeLessThan(500);
      }
    }
  });

  it('answers a CORS preflight from an allowed Origin with 204 and the allowed headers', async () => {
    const res = await server.request('OPTIONS', sendPath(), {
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-confab-app',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    const allowHeaders = (res.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(',')
      .map((h) => h.trim());
    expect(allowHeaders).toEqual(expect.arrayContaining(['x-confab-app', 'authorization', 'content-type']));
    const allowMethods = (res.headers.get('access-control-allow-methods') ?? '').toUpperCase();
    expect(allowMethods).toContain('POST');
    expect(allowMethods).toContain('PATCH');
  });

  it('refuses a CORS preflight from an Origin no app allows', async () => {
    const res = await server.request('OPTIONS', sendPath(), {
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('lets a request without Origin through (server to server)', async () => {
    const guest = await server.request('POST', '/v1/auth/guest', { app: shop.id, body: { name: 'Backend' } });
    expect(guest.status).toBe(201);
    expect(guest.headers.get('access-control-allow-origin')).toBeNull();
    const me = await server.request('GET', '/v1/me', { token: ana.accessToken });
    expect(me.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz: random and malformed bodies on every write route. Deterministic (seeded).

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface JoiDescription {
  type: string;
  keys?: Record<string, JoiDescription>;
  items?: JoiDescription[];
  rules?: { name: string }[];
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const POLLUTION_VALUES = ['{"isAdmin":true}', '{"role":"admin"}', 'null', '1', '"x"', '{"prototype":{"polluted":true}}'];
const COMMON_KEYS = [
  'text',
  'clientId',
  'name',
  'username',
  'password',
  'email',
  'kind',
  'slug',
  'memberIds',
  'userId',
  'userIds',
  'seq',
  'token',
  'refreshToken',
  'lastName',
  'avatarUrl',
  'metadata',
  'attachments',
  'replyTo',
  'origins',
  'id',
  'role',
  'appId',
];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '<script>alert(1)</script>',
  "'; drop table messages; --",
  '" OR 1=1 --',
  '../../../../etc/passwd',
  '%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '\ud800',
  '\udfff',
  '\ud83d',
  '👍🏽',
  '🏳️‍🌈',
  'ñoño',
  'Ωmega',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  'é'.normalize('NFD'),
  'ﬀ',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'https://example.com',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
  'http://localhost:*',
  'a@b',
  'user@example.com',
];
const CHAR_POOLS = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_',
  '\u0000\u0001\u0008\t\n\r\u001f\u007f"\\/\'`<>&%{}[]',
  'çãõéñßøæœ¿¡«»€£¥©®™°±µ¶§',
  'Ωπ∑∫√∞≠≈漢字かなカナ한국어עבריתالعربية',
];
const ASTRAL = ['😀', '👍', '🏳️‍🌈', '𝕏', '🀄', '\ud800', '\udc00'];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/json',
  'application/xml',
];

function createFuzzer(seed: number) {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => itemAt(list, int(list.length));
  const chance = (p: number) => rand() < p;

  function randomString(): string {
    const r = rand();
    if (r < 0.3) return pick(NASTY_STRINGS);
    if (r < 0.35) return pick(NASTY_STRINGS).repeat(1 + int(3000));
    if (r < 0.4) return 'x'.repeat(pick([32, 33, 64, 65, 80, 81, 100, 101, 200, 254, 255, 256, 257, 2048, 4000, 4001, 8192, 20_000]));
    const length = chance(0.85) ? int(40) : int(6000);
    let out = '';
    for (let i = 0; i < length; i++) out += chance(0.05) ? pick(ASTRAL) : pick(pick(CHAR_POOLS).split(''));
    return out;
  }

  function randomNumber(): string {
    return pick([
      '0',
      '-0',
      '1',
      '-1',
      '2',
      '1.5',
      '-2.5',
      '1e308',
      '-1e308',
      '1e999',
      '-1e999',
      '5e-324',
      '9007199254740993',
      '123456789012345678901234567890',
      '4294967296',
      '2147483648',
      String(int(1000)),
      String(-int(1e9)),
      String(rand() * 1e6),
    ]);
  }

  function randomKey(): string {
    const r = rand();
    if (r < 0.3) return pick(POLLUTION_KEYS);
    if (r < 0.75) return pick(COMMON_KEYS);
    return randomString().slice(0, 40);
  }

  /** JSON text of a random value (text, so that keys like "__proto__" survive as own keys). */
  function randomJson(depth = 0): string {
    const r = rand();
    if (r < 0.1) return pick(['null', 'true', 'false']);
    if (r < 0.25) return randomNumber();
    if (r < 0.55 || depth > 4) return JSON.stringify(randomString());
    if (r < 0.7) return `[${Array.from({ length: int(6) }, () => randomJson(depth + 1)).join(',')}]`;
    return `{${Array.from({ length: int(7) }, () => `${JSON.stringify(randomKey())}:${randomJson(depth + 1)}`).join(',')}}`;
  }

  /** A value of roughly the type the schema wants, often with a hostile twist. */
  function typedJson(d: JoiDescription | undefined, ctx: FuzzContext, depth = 0): string {
    if (!d || chance(0.15)) return randomJson(depth + 1);
    switch (d.type) {
      case 'string':
        if (d.rules?.some((rule) => rule.name === 'guid') && chance(0.6)) {
          return JSON.stringify(pick([ctx.roomId, ctx.messageId, ctx.userId, ctx.selfId, crypto.randomUUID(), randomString()]));
        }
        return JSON.stringify(randomString());
      case 'number':
        return randomNumber();
      case 'boolean':
        return pick(['true', 'false', '"true"', '1', 'null']);
      case 'array':
        return `[${Array.from({ length: pick([0, 1, 2, 5, 101]) }, () => typedJson(d.items?.[0], ctx, depth + 1)).join(',')}]`;
      case 'object':
        if (d.keys) return objectJson(d, ctx, depth + 1);
        return randomJson(depth + 1);
      default:
        return randomJson(depth + 1);
    }
  }

  function objectJson(d: JoiDescription, ctx: FuzzContext, depth = 0): string {
    const entries = Object.entries(d.keys ?? {})
      .filter(() => chance(0.85))
      .map(([key, sub]) => `${JSON.stringify(key)}:${typedJson(sub, ctx, depth)}`);
    if (chance(0.3)) entries.push(`${JSON.stringify(pick(POLLUTION_KEYS))}:${pick(POLLUTION_VALUES)}`);
    if (chance(0.15)) entries.push(`${JSON.stringify(randomKey())}:${randomJson(depth + 1)}`);
    return `{${entries.sort(() => rand() - 0.5).join(',')}}`;
  }

  /** A host token signed with the app secret (by hand, so the claims may hold any JSON at all). */
  function hostToken(ctx: FuzzContext): string {
    const claims = objectJson(
      {
        type: 'object',
        keys: {
          name: { type: 'string' },
          lastName: { type: 'string' },
          email: { type: 'string' },
          avatarUrl: { type: 'string' },
          role: { type: 'string' },
        },
      },
      ctx,
    );
    const subject = chance(0.8) ? randomString().slice(0, 300) || 'x' : 'ext-fuzz';
    const now = Math.floor(Date.now() / 1000);
    const sub = chance(0.9) ? JSON.stringify(subject) : randomJson();
    const payload = `{"sub":${sub},"aud":${JSON.stringify(ctx.appId)},"iat":${now},"exp":${now + 600},${claims.slice(1)}`;
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const unsigned = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(payload.replace(/,}$/, '}'))}`;
    return `${unsigned}.${createHmac('sha256', ctx.appSecret).update(unsigned).digest('base64url')}`;
  }

  function mangle(text: string): string {
    switch (int(7)) {
      case 0:
        return text.slice(0, int(text.length + 1));
      case 1:
        return `${text}}`;
      case 2:
        return `\ufeff${text}`;
      case 3:
        return text.replace(/[:,]/, '');
      case 4:
        return pick([
          '',
          'undefined',
          'NaN',
          '{',
          '[',
          '}',
          '{"a":1}{"b":2}',
          "{'a':1}",
          '{"a":01}',
          '{"a":"\\x41"}',
          '{"a" 1}',
          '{"a":"\\ud800"}',
        ]);
      case 5:
        return `${'['.repeat(2000)}${']'.repeat(2000)}`;
      default:
        return text.replace(/"/g, "'");
    }
  }

  return {
    int,
    pick,
    chance,
    /** A request body for `def`: JSON text (mostly), sometimes malformed, sometimes not JSON. */
    body(def: RouteDef, ctx: FuzzContext): { contentType: string | null; payload: string | Uint8Array<ArrayBuffer> } {
      const description = def.body ? ((def.body as Joi.Schema).describe() as JoiDescription) : undefined;
      let text: string;
      const r = rand();
      if (def.path === '/v1/auth/exchange' && r < 0.4) text = JSON.stringify({ token: hostToken(ctx) });
      else if (r < 0.35) text = randomJson();
      else if (r < 0.85 && description?.keys) text = objectJson(description, ctx);
      else text = `{${Array.from({ length: int(5) }, () => `${JSON.stringify(randomKey())}:${randomJson(1)}`).join(',')}}`;
      if (chance(0.12)) text = mangle(text);
      if (chance(0.03))
        return {
          contentType: 'application/json',
          payload: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]),
        };
      if (chance(0.02)) return { contentType: null, payload: new TextEncoder().encode(text) };
      return { contentType: chance(0.08) ? pick(CONTENT_TYPES) : 'application/json', payload: text };
    },
  };
}

interface FuzzContext {
  roomId: string;
  messageId: string;
  userId: string;
  selfId: string;
  appId: string;
  appSecret: string;
}

/** Hostile bodies every write route gets, on top of the random ones. */
const FIXED_BODIES: string[] = [
  '{}',
  '[]',
  'null',
  '"text"',
  '0',
  'true',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[{"__proto__":{"x":1}}]',
  '{"text":"\\u0000","clientId":"nul-1"}',
  '{"name":"\\u0000","username":"n\\u0000l","password":"passw\\u0000rd"}',
  '{"text":"\\ud800","clientId":"surrogate-1"}',
  '{"metadata":{"a":"\\u0000"}}',
  `{"metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
  `{"text":${JSON.stringify('💥'.repeat(3000))},"clientId":"emoji-flood"}`,
  `{"name":${JSON.stringify('x'.repeat(60_000))}}`,
  '{"seq":1e999}',
  '{"seq":-1}',
  '{"seq":"1"}',
  '{"seq":9007199254740993}',
  '{"userIds":[null]}',
  '{"memberIds":"abc"}',
  '{"origins":["*"]}',
  '{"origins":["null"]}',
  '{"slug":null,"name":null}',
  '{"refreshToken":{"$ne":null}}',
  '{"token":["a"]}',
];

const STACK_TRACE = /\bat [\w$.<>[\] ]+ \(|\bat (?:file|node):|\n\s+at \S/;

describe('fuzzing the write routes', () => {
  it('answers ~600 random and malformed bodies on every POST/PATCH/PUT route with < 500 and a clean JSON error', async () => {
    const started = Date.now();
    const tenant = await server.createTenant(['https://fuzz.example']);
    const scratchApp = await server.createTenant(['https://scratch.example']);
    const me = await server.member(tenant, 'fuzzer');
    const peer = await server.member(tenant, 'peer');
    let logoutSession = await server.member(tenant, 'leaver');
    const created = await server.request<RoomDto>('POST', '/v1/rooms', {
      token: me.accessToken,
      body: { name: 'Fuzz', memberIds: [peer.user.id] },
    });
    expect(created.status).toBe(201);
    const sent = await server.request<MessageDto>('POST', `/v1/rooms/${created.body.id}/messages`, {
      token: me.accessToken,
      body: { clientId: 'fuzz-seed', text: 'seed' },
    });
    expect(sent.status).toBe(201);
    const ctx: FuzzContext = {
      roomId: created.body.id,
      messageId: sent.body.id,
      userId: peer.user.id,
      selfId: me.user.id,
      appId: tenant.id,
      appSecret: tenant.secret,
    };

    const routes = server.app.routes.filter((r) => ['post', 'patch', 'put'].includes(r.method) && r.path.startsWith('/v1/'));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const fill = (path: string) =>
      path.replace(/([\w-]+)\/:(\w+)/g, (_, segment: string, param: string) => {
        const value =
          segment === 'rooms'
            ? ctx.roomId
            : segment === 'messages'
              ? ctx.messageId
              : segment === 'apps'
                ? scratchApp.id
                : segment === 'members'
                  ? ctx.userId
                  : segment === 'reactions'
                    ? encodeURIComponent('👍')
                    : param === 'id'
                      ? crypto.randomUUID()
                      : crypto.randomUUID();
        return `${segment}/${value}`;
      });

    const fuzz = createFuzzer(0xc0fab);
    const jobs: { def: RouteDef; contentType: string | null; payload: string | Uint8Array<ArrayBuffer> }[] = [];
    const RANDOM_BODIES = 600;
    for (let i = 0; i < RANDOM_BODIES; i++) {
      const def = itemAt(routes, i % routes.length);
      jobs.push({ def, ...fuzz.body(def, ctx) });
    }
    for (const def of routes) for (const payload of FIXED_BODIES) jobs.push({ def, contentType: 'application/json', payload });

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const run = async (job: (typeof jobs)[number]) => {
      const { def, contentType, payload } = job;
      const headers: Record<string, string> = { 'x-confab-app': tenant.id };
      const token = def.auth === 'admin' ? ADMIN_TOKEN : def.path === '/v1/auth/logout' ? logoutSession.accessToken : me.accessToken;
      headers.authorization = `Bearer ${token}`;
      if (contentType) headers['content-type'] = contentType;
      const path = fill(def.path);
      const res = await fetch(server.url + path, { method: def.method.toUpperCase(), headers, body: payload });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (def.path === '/v1/auth/logout' && res.status < 300) logoutSession = await server.member(tenant, 'leaver');
      const sample = typeof payload === 'string' ? payload.slice(0, 160) : `<${payload.length} bytes>`;
      const request = `${def.method.toUpperCase()} ${def.path} [${contentType}] ${JSON.stringify(sample)}`;
      const where = `${request} → ${res.status} ${text.slice(0, 300)}`;
      if (res.status >= 500) failures.push(`5xx: ${where}`);
      if (STACK_TRACE.test(text) || text.includes('node_modules') || /\.ts:\d/.test(text) || text.includes('.ts:'))
        failures.push(`leak: ${where}`);
      if (res.status >= 400) {
        let body: { error?: { code?: unknown; message?: unknown } } | undefined;
        try {
          body = JSON.parse(text);
        } catch {
          failures.push(`not JSON: ${where}`);
          return;
        }
        if (!(res.headers.get('content-type') ?? '').includes('application/json'))
          failures.push(`content-type ${res.headers.get('content-type')}: ${where}`);
        if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') failures.push(`shape: ${where}`);
      }
    };

    // A few requests in flight at once, in a fixed order per lane so the run stays reproducible enough.
    const LANES = 4;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let i = lane; i < jobs.length; i += LANES) await run(itemAt(jobs, i));
      }),
    );

    const seconds = (Date.now() - started) / 1000;
    console.info(
      `fuzz: ${jobs.length} requests on ${routes.length} routes in ${seconds.toFixed(1)} s;`,
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect({ count: failures.length, first: failures.slice(0, 25) }).toEqual({ count: 0, first: [] });
    // Still standing, and the caller's session still works.
    expect((await server.request('GET', '/healthz')).status).toBe(200);
    expect((await server.request('GET', '/v1/me', { token: me.accessToken })).status).toBe(200);
  }, 60_000);
});
