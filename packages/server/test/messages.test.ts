import type { AuthSessionDto, MessageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: App;
let ana: AuthSessionDto;
let bob: AuthSessionDto;

async function groupRoom(owner: AuthSessionDto, memberIds: string[] = []): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { name: 'Team', memberIds } });
  expect(res.status).toBe(201);
  return res.body;
}

async function send(session: AuthSessionDto, roomId: string, text: string, clientId: string = crypto.randomUUID()) {
  return server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, { token: session.accessToken, body: { clientId, text } });
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
  ana = await server.member(tenant, 'ana');
  bob = await server.member(tenant, 'bob');
});

afterAll(() => server?.close());

describe('sending', () => {
  it('gives 20 concurrent sends to one room the seqs 1..20 exactly', async () => {
    const room = await groupRoom(ana, [bob.user.id]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 ? bob : ana, room.id, `message ${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const page = await server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${room.id}/messages?limit=100`, {
      token: ana.accessToken,
    });
    expect(page.body.items.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('returns the first message when a send is retried with the same clientId', async () => {
    const room = await groupRoom(ana);
    const first = await send(ana, room.id, 'hello', 'retry-1');
    const again = await send(ana, room.id, 'hello (retried)', 'retry-1');
    const concurrent = await Promise.all([
      send(ana, room.id, 'x', 'retry-2'),
      send(ana, room.id, 'x', 'retry-2'),
      send(ana, room.id, 'x', 'retry-2'),
    ]);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.text).toBe('hello');
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    const count = await server.db('messages').where({ roomId: room.id }).count('* as n').first();
    expect(Number(count!.n)).toBe(2);
  });
});

describe('history pages', () => {
  it('returns every message exactly once across backward and forward pages', async () => {
    const room = await groupRoom(ana);
    for (let i = 1; i <= 57; i++) expect((await send(ana, room.id, `m${i}`)).status).toBe(201);

    const backward: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await server.request<{ items: MessageDto[]; hasMore: boolean; nextCursor?: string }>(
        'GET',
        `/v1/rooms/${room.id}/messages?limit=10${cursor ? `&before=${cursor}` : ''}`,
        { token: ana.accessToken },
      );
      expect(res.status).toBe(200);
      const seqs = res.body.items.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      backward.unshift(...seqs);
      cursor = res.body.hasMore ? res.body.nextCursor : undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(backward).toEqual(Array.from({ length: 57 }, (_, i) => i + 1));

    const forward: number[] = [];
    let after = 0;
    for (;;) {
      const res = await server.request<{ items: MessageDto[]; hasMore: boolean; nextCursor?: string }>(
        'GET',
        `/v1/rooms/${room.id}/messages?limit=25&after=${after}`,
        { token: ana.accessToken },
      );
      forward.push(...res.body.items.map((m) => m.seq));
      if (!res.body.hasMore) break;
      after = Number(res.body.nextCursor);
    }
    expect(forward).toEqual(backward);
  });
});
