import type { AuthSessionDto, MessageDto, PageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, connect } from './helpers/sockets.js';

const USERS = 40;
const SOCKETS_PER_USER = 5;

interface Joined {
  messages: MessageDto[];
  hasMore: boolean;
}

describe('a reconnect storm of catch-up joins', () => {
  let server: TestServer;
  let tenant: App;
  let users: AuthSessionDto[];
  const sockets: ClientSocket[] = [];

  const send = (roomId: string, who: AuthSessionDto, text: string, clientId: string) =>
    server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, { token: who.accessToken, body: { clientId, text } });

  /** A room of every user with `count` messages, some of the older ones edited, reacted to or deleted afterwards. */
  async function seededRoom(name: string, count: number): Promise<string> {
    const [owner, ...others] = users;
    const room = (
      await server.request<RoomDto>('POST', '/v1/rooms', {
        token: owner!.accessToken,
        body: { name, memberIds: others.map((u) => u.user.id) },
      })
    ).body;
    const sent: MessageDto[] = [];
    for (let i = 1; i <= count; i++) sent.push((await send(room.id, owner!, `${name} ${i}`, `${name}-${i}`)).body);
    const token = owner!.accessToken;
    for (const seq of [3, 10, Math.floor(count / 2)]) {
      await server.request('PATCH', `/v1/messages/${sent[seq - 1]!.id}`, { token, body: { text: `edited ${seq}` } });
    }
    await server.request('PUT', `/v1/messages/${sent[4]!.id}/reactions/${encodeURIComponent('👍')}`, { token });
    await server.request('DELETE', `/v1/messages/${sent[6]!.id}`, { token });
    return room.id;
  }

  /** What one client holding everything up to `since` must get: the rows of the catch-up rule, as a fresh fetch shows them. */
  async function expected(roomId: string, since: number): Promise<Joined> {
    const base = server
      .db('messages')
      .select('created_version')
      .where({ roomId })
      .where('seq', '<=', since)
      .orderBy('seq', 'desc')
      .limit(1);
    const ids: string[] = await server
      .db('messages')
      .where({ roomId })
      .where((q) => void q.where('seq', '>', since).orWhere('version', '>', base))
      .orderBy('seq')
      .limit(201)
      .pluck('id');
    const fresh: MessageDto[] = [];
    for (let after = 0; ;) {
      const page = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${roomId}/messages?after=${after}&limit=100`, {
        token: users[0]!.accessToken,
      });
      fresh.push(...page.body.items);
      if (!page.body.hasMore) break;
      after = page.body.items.at(-1)!.seq;
    }
    const byId = new Map(fresh.map((m) => [m.id, m]));
    return { messages: ids.slice(0, 200).map((id) => byId.get(id)!), hasMore: ids.length > 200 };
  }

  async function storm(roomId: string, sinceOf: (i: number) => number): Promise<{ answers: Joined[]; queries: number }> {
    await server.app.services.receipts.flush();
    let queries = 0;
    const count = () => void queries++;
    server.db.on('query', count);
    try {
      const answers = await Promise.all(sockets.map((s, i) => call<Joined>(s, 'room:join', { roomId, since: sinceOf(i) })));
      return { answers, queries };
    } finally {
      server.db.off('query', count);
    }
  }

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    users = [];
    for (let i = 0; i < USERS; i++) users.push(await server.member(tenant, `storm-${i}`));
    for (const user of users) for (let j = 0; j < SOCKETS_PER_USER; j++) sockets.push(await connect(server, user));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server?.close();
  });

  it('answers 200 concurrent catch-up joins of one room exactly as fresh fetches, in far fewer queries than joins', async () => {
    const roomId = await seededRoom('small', 30);
    const sinceOf = (i: number) => (i * 7) % 31;
    // Each join used to cost at least eight queries of its own (membership, room, counts, catch-up, senders, reactions, files).
    const { answers, queries } = await storm(roomId, sinceOf);
    expect(queries).toBeLessThan(sockets.length / 4);
    const truths = new Map<number, Joined>();
    for (const [i, answer] of answers.entries()) {
      const since = sinceOf(i);
      if (!truths.has(since)) truths.set(since, await expected(roomId, since));
      expect({ since, messages: answer.messages, hasMore: answer.hasMore }).toEqual({ since, ...truths.get(since)! });
    }
  });

  it('gives each join of a room with more changes than one catch-up carries its own exact answer', async () => {
    const roomId = await seededRoom('large', 260);
    const sinceOf = (i: number) => [0, 0, 5, 40, 59, 60, 61, 150, 259, 260, 300][i % 11]!;
    const { answers, queries } = await storm(roomId, sinceOf);
    // A read per distinct `since` at most (four statements each), whatever the number of joins.
    expect(queries).toBeLessThan(11 * 4 + 12);
    const truths = new Map<number, Joined>();
    for (const [i, answer] of answers.entries()) {
      const since = sinceOf(i);
      if (!truths.has(since)) truths.set(since, await expected(roomId, since));
      expect({ since, ids: answer.messages.map((m) => m.id), hasMore: answer.hasMore }).toEqual({
        since,
        ids: truths.get(since)!.messages.map((m) => m.id),
        hasMore: truths.get(since)!.hasMore,
      });
    }
  });
});
