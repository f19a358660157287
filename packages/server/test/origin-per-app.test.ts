import type { AttachmentDto, AuthSessionDto, UploadLinksDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { connect } from './helpers/sockets.js';

// App A allows only A_ORIGIN, app B only B_ORIGIN: A's page must never act in B.
const A_ORIGIN = 'https://a-shop.example';
const B_ORIGIN = 'https://b-shop.example';

let server: TestServer;
let appA: App;
let appB: App;
let guestA: AuthSessionDto;
let memberB: AuthSessionDto;

beforeAll(async () => {
  server = await startTestServer();
  appA = await server.createTenant([A_ORIGIN]);
  appB = await server.createTenant([B_ORIGIN]);
  guestA = await server.guest(appA, 'Guest of A');
  memberB = await server.member(appB, 'bea');
});

afterAll(() => server?.close());

const acao = (res: ApiResponse | Response) => res.headers.get('access-control-allow-origin');

function expectRefused(res: ApiResponse): void {
  expect({ status: res.status, code: replyError(res.body)?.code, cors: acao(res) }).toEqual({
    status: 403,
    code: 'origin_not_allowed',
    cors: null,
  });
}

async function usersOf(app: App): Promise<number> {
  const [row] = await server.db('users').where({ appId: app.id }).count({ count: '*' });
  return Number(row?.count);
}

/** A token that claims app A in its payload, signed with a made-up key (or not at all). */
function forgedTokenOf(app: App, alg: 'none' | 'HS256'): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg, typ: 'JWT' })}.${b64({ app: app.id, sub: 'x', sid: 'x' })}.${alg === 'none' ? '' : 'c2lnbmF0dXJl'}`;
}

async function uploadAs(session: AuthSessionDto): Promise<AttachmentDto> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('hello from B\n')], { type: 'text/plain' }), 'note.txt');
  const res = await fetch(`${server.url}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as AttachmentDto;
}

/** A signed link to `file` (`POST /v1/uploads/links`), as a path. */
async function linkTo(session: AuthSessionDto, file: AttachmentDto, origin: string): Promise<string> {
  const res = await server.request<UploadLinksDto>('POST', '/v1/uploads/links', {
    token: session.accessToken,
    body: { ids: [file.id] },
    headers: { origin },
  });
  expect({ status: res.status, cors: acao(res) }).toEqual({ status: 200, cors: origin });
  return res.body.items[0]!.url;
}

describe('the origin is checked against the app the request acts in', () => {
  it("refuses a guest of app B from app A's origin, whatever token claims app A, and creates nobody in B", async () => {
    const before = await usersOf(appB);
    for (const token of [undefined, forgedTokenOf(appA, 'none'), forgedTokenOf(appA, 'HS256'), guestA.accessToken]) {
      const res = await server.request('POST', '/v1/auth/guest', {
        app: appB.id,
        token,
        body: { name: 'Intruder' },
        headers: { origin: A_ORIGIN },
      });
      expectRefused(res);
    }
    expect(await usersOf(appB)).toBe(before);
  });

  it("refuses app B's upload to app A's origin, by a signed link with no app header, or by the token", async () => {
    const file = await uploadAs(memberB);
    const path = await linkTo(memberB, file, B_ORIGIN);
    const fromA = await fetch(server.url + path, { headers: { origin: A_ORIGIN } });
    expect({ status: fromA.status, cors: acao(fromA) }).toEqual({ status: 403, cors: null });
    expect(await fromA.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    const byHeader = await server.request('GET', `/v1/uploads/${file.id}`, { token: memberB.accessToken, headers: { origin: A_ORIGIN } });
    expectRefused(byHeader);
    // B's own page reads it, with B's CORS header.
    const fromB = await fetch(server.url + path, { headers: { origin: B_ORIGIN } });
    expect({ status: fromB.status, cors: acao(fromB), text: await fromB.text() }).toEqual({
      status: 200,
      cors: B_ORIGIN,
      text: 'hello from B\n',
    });
  });

  it("refuses to refresh app B's session from app A's origin and leaves the refresh token unrotated", async () => {
    const session = await server.member(appB, 'bo');
    const fromA = await server.request('POST', '/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
      headers: { origin: A_ORIGIN },
    });
    expectRefused(fromA);
    // Nothing was rotated: the same token still refreshes once, from B's page.
    const fromB = await server.request<AuthSessionDto>('POST', '/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
      headers: { origin: B_ORIGIN },
    });
    expect({ status: fromB.status, cors: acao(fromB) }).toEqual({ status: 200, cors: B_ORIGIN });
    expect(fromB.body.refreshToken).not.toBe(session.refreshToken);
    expect(fromB.body.user.id).toBe(session.user.id);
  });

  it("refuses any user route called with app B's token from app A's origin, even when the app header names A", async () => {
    for (const headers of [{}, { 'x-confab-app': appA.id }] as Record<string, string>[]) {
      expectRefused(await server.request('GET', '/v1/me', { token: memberB.accessToken, headers: { ...headers, origin: A_ORIGIN } }));
      expectRefused(await server.request('GET', '/v1/rooms', { token: memberB.accessToken, headers: { ...headers, origin: A_ORIGIN } }));
    }
  });

  it("signs a guest into app A from A's origin and ignores a token of app B sent along", async () => {
    const res = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', {
      app: appA.id,
      token: memberB.accessToken,
      body: { name: 'Ok' },
      headers: { origin: A_ORIGIN },
    });
    expect({ status: res.status, cors: acao(res) }).toEqual({ status: 201, cors: A_ORIGIN });
    expect(res.body.user.id).not.toBe(memberB.user.id);
  });
});

describe('what still works from an allowed origin', () => {
  it("lets B's page start a guest, refresh it and download its upload, each with B's CORS header", async () => {
    const guest = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', {
      app: appB.id,
      body: { name: 'Visitor' },
      headers: { origin: B_ORIGIN },
    });
    expect({ status: guest.status, cors: acao(guest) }).toEqual({ status: 201, cors: B_ORIGIN });
    const refreshed = await server.request<AuthSessionDto>('POST', '/v1/auth/refresh', {
      body: { refreshToken: guest.body.refreshToken },
      headers: { origin: B_ORIGIN },
    });
    expect({ status: refreshed.status, cors: acao(refreshed) }).toEqual({ status: 200, cors: B_ORIGIN });
    const file = await uploadAs(refreshed.body);
    const download = await fetch(server.url + (await linkTo(refreshed.body, file, B_ORIGIN)), { headers: { origin: B_ORIGIN } });
    expect({ status: download.status, cors: acao(download) }).toEqual({ status: 200, cors: B_ORIGIN });
  });

  it("answers preflights from A's and B's origins with 204 and the CORS headers, and refuses one no app allows", async () => {
    for (const origin of [A_ORIGIN, B_ORIGIN]) {
      for (const path of ['/v1/auth/guest', '/v1/auth/refresh', '/v1/uploads/00000000-0000-4000-8000-000000000000']) {
        const res = await server.request('OPTIONS', path, {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type, x-confab-app',
          },
        });
        expect({ origin, path, status: res.status, cors: acao(res) }).toEqual({ origin, path, status: 204, cors: origin });
      }
    }
    const evil = await server.request('OPTIONS', '/v1/auth/guest', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect({ status: evil.status, cors: acao(evil) }).toEqual({ status: 403, cors: null });
  });

  it('lets an allowed origin read errors from before the app is known (bad token, refresh token, JSON): no tenant data', async () => {
    const attempts = [
      await server.request('GET', '/v1/me', { token: 'garbage', headers: { origin: A_ORIGIN } }),
      await server.request('POST', '/v1/auth/refresh', { body: { refreshToken: 'rt_unknown' }, headers: { origin: A_ORIGIN } }),
      await server.request('POST', '/v1/auth/guest', {
        app: appA.id,
        raw: '{"name":',
        headers: { origin: A_ORIGIN, 'content-type': 'application/json' },
      }),
      await server.request('POST', '/v1/auth/guest', { body: {}, headers: { origin: A_ORIGIN } }),
    ];
    expect(attempts.map((res) => [res.status, replyError(res.body)?.code, acao(res)])).toEqual([
      [401, 'unauthorized', A_ORIGIN],
      [401, 'unauthorized', A_ORIGIN],
      [400, 'bad_request', A_ORIGIN],
      [400, 'bad_request', A_ORIGIN],
    ]);
  });

  it('keeps routes that act in no app readable from any allowed origin and closed to others', async () => {
    for (const path of ['/healthz', '/readyz', '/v1/openapi.json']) {
      const ok = await server.request('GET', path, { headers: { origin: A_ORIGIN } });
      expect({ path, status: ok.status, cors: acao(ok) }).toEqual({ path, status: 200, cors: A_ORIGIN });
      const evil = await server.request('GET', path, { headers: { origin: 'https://evil.example' } });
      expect({ path, status: evil.status, cors: acao(evil) }).toEqual({ path, status: 403, cors: null });
    }
  });
});

describe('socket handshakes across apps', () => {
  const attempt = async (session: AuthSessionDto, options: { origin: string; app: string }) => {
    try {
      (await connect(server, session, options)).close();
      return 'accepted';
    } catch (err) {
      return (err as Error & { data?: { code?: string } }).data?.code ?? (err as Error).message;
    }
  };

  it("refuses a socket from A's origin naming app B, or naming A with a token of B, and accepts B's own page", async () => {
    expect(await attempt(memberB, { origin: A_ORIGIN, app: appB.id })).not.toBe('accepted');
    expect(await attempt(memberB, { origin: A_ORIGIN, app: appA.id })).toBe('forbidden');
    expect(await attempt(guestA, { origin: A_ORIGIN, app: appB.id })).not.toBe('accepted');
    expect(await attempt(memberB, { origin: B_ORIGIN, app: appB.id })).toBe('accepted');
    expect(await attempt(guestA, { origin: A_ORIGIN, app: appA.id })).toBe('accepted');
  });
});
