import { describe, expect, it } from 'vitest';

import { ChatError } from '../errors.js';
import { HttpTransport, type TokenSource } from './http.js';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records each request and answers from a script (one reply per call, the last one repeated). */
function server(...replies: { status: number; body?: unknown }[]) {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = async (input, init = {}) => {
    sent.push({
      method: init.method ?? 'GET',
      url: String(input),
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    });
    const reply = replies[Math.min(sent.length, replies.length) - 1] ?? { status: 200, body: {} };
    return new Response(reply.status === 204 ? null : JSON.stringify(reply.body ?? {}), { status: reply.status });
  };
  return { sent, http: new HttpTransport('https://chat.test', 'app1', fetchImpl) };
}

function tokens(current = 'access-1', fresh = 'access-2'): TokenSource & { refreshed: number } {
  const source = {
    refreshed: 0,
    accessToken: async () => (source.refreshed ? fresh : current),
    refresh: async () => {
      source.refreshed += 1;
      return fresh;
    },
  };
  return source;
}

describe('HttpTransport.call', () => {
  it('fills path params URI-encoded, appends the query without empty values, and sends the body as JSON', async () => {
    const { sent, http } = server({ status: 200, body: { roomId: 'r', messageId: 'm', version: 2, reactions: [] } });
    http.tokens = tokens();
    await http.call('PUT /v1/messages/:id/reactions/:emoji', { params: { id: 'm/1', emoji: '🎉' } });
    await http.call('GET /v1/rooms/:id/messages', { params: { id: 'r1' }, query: { after: 4, limit: 100, before: undefined } });
    await http.call('POST /v1/rooms/:id/read', { params: { id: 'r1' }, body: { seq: 9 } });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'PUT https://chat.test/v1/messages/m%2F1/reactions/%F0%9F%8E%89',
      'GET https://chat.test/v1/rooms/r1/messages?after=4&limit=100',
      'POST https://chat.test/v1/rooms/r1/read',
    ]);
    expect(sent[2]?.body).toEqual({ seq: 9 });
    expect(sent[2]?.headers['content-type']).toBe('application/json');
    expect(sent[0]?.headers['x-confab-app']).toBe('app1');
  });

  it("sends the session's token to user operations, a given bearer instead of it, and none to the others", async () => {
    const { sent, http } = server({ status: 200, body: { id: 'u1' } });
    http.tokens = tokens('session-token');
    await http.call('GET /v1/me');
    await http.call('POST /v1/auth/logout', { bearer: 'old-session', body: {} });
    await http.call('POST /v1/auth/refresh', { body: { refreshToken: 'rt' } });
    await http.call('POST /v1/auth/guest', { body: {} });
    await http.call('POST /v1/auth/login', { body: { username: 'ana', password: 'pw' }, bearer: 'guest-token' });
    expect(sent.map((s) => s.headers.authorization)).toEqual([
      'Bearer session-token',
      'Bearer old-session',
      undefined,
      undefined,
      'Bearer guest-token',
    ]);
  });

  it('refreshes once and retries when the server says the token expired', async () => {
    const expired = { status: 401, body: { error: { code: 'token_expired', message: 'expired' } } };
    const { sent, http } = server(expired, { status: 200, body: { id: 'u1' } });
    const source = tokens('stale', 'fresh');
    http.tokens = source;
    await expect(http.call('GET /v1/me')).resolves.toEqual({ id: 'u1' });
    expect(source.refreshed).toBe(1);
    expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('does not refresh a bearer it was handed, and refuses a user operation before signing in', async () => {
    const { sent, http } = server({ status: 401, body: { error: { code: 'token_expired', message: 'expired' } } });
    const source = tokens();
    http.tokens = source;
    await expect(http.call('POST /v1/auth/logout', { bearer: 'old', body: {} })).rejects.toMatchObject({ code: 'token_expired' });
    expect(source.refreshed).toBe(0);
    http.tokens = null;
    await expect(http.call('GET /v1/me')).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(sent).toHaveLength(1);
  });

  it('resolves a 204 with nothing and rejects a refusal or an unreachable server with a ChatError', async () => {
    const { http } = server({ status: 204 }, { status: 403, body: { error: { code: 'forbidden', message: 'Not yours' } } });
    http.tokens = tokens();
    await expect(http.call('DELETE /v1/canned-responses/:id', { params: { id: 'c1' } })).resolves.toBeUndefined();
    await expect(http.call('GET /v1/rooms/:id', { params: { id: 'r1' } })).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    const offline = new HttpTransport('https://chat.test', 'app1', () => Promise.reject(new TypeError('fetch failed')));
    const error: unknown = await offline.call('GET /v1/support/settings').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
  });
});

describe('HttpTransport.url', () => {
  it('builds the absolute URL of a GET operation with its params and query', () => {
    const { http } = server();
    expect(http.url('GET /v1/uploads/:id', { params: { id: 'a b' }, query: { exp: 1741944667, sig: 'a+b' } })).toBe(
      'https://chat.test/v1/uploads/a%20b?exp=1741944667&sig=a%2Bb',
    );
  });

  it('makes a path the server answered absolute under the same base, and leaves an absolute URL alone', () => {
    const { http } = server();
    expect(http.absolute('/v1/uploads/f1?exp=1&sig=s')).toBe('https://chat.test/v1/uploads/f1?exp=1&sig=s');
    expect(http.absolute('https://cdn.test/f1')).toBe('https://cdn.test/f1');
  });
});
