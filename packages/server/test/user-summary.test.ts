import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  MemberDto,
  MessageDto,
  PageDto,
  RoomDto,
  RoomJoinResult,
  StartConversationResult,
  SupportAvailabilityDto,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportSettingsDto,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { messageCacheKeys } from '../src/redis/message-cache.js';
import { type ApiResponse, startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, connect, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

let server: TestServer;
const sockets: ClientSocket[] = [];

async function ok<T>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<T> {
  const res: ApiResponse<T> = await server.request<T>(method, path, { token: session.accessToken, body });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

async function socketOf(session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(server, session);
  sockets.push(socket);
  return socket;
}

const history = async (session: AuthSessionDto, roomId: string) =>
  (await ok<PageDto<MessageDto>>(session, 'GET', `/v1/rooms/${roomId}/messages`)).items;

const lastNames = (messages: MessageDto[]) => messages.map((m) => [m.text, m.sender?.lastName]);

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close();
});

describe('user summaries', () => {
  let tenant: App;
  let alice: AuthSessionDto;
  let visitor: AuthSessionDto;

  beforeAll(async () => {
    tenant = await server.createTenant();
    alice = await server.member(tenant, 'alice', { role: 'agent', name: 'Alice', lastName: 'Liddell' });
    visitor = await server.member(tenant, 'hatter', { name: 'Mad', lastName: 'Hatter' });
  });

  it('carry the last name of agents and visitors over REST history, the socket and support availability', async () => {
    const guest = await server.guest(tenant, 'Vera');
    const guestSocket = await socketOf(guest);
    const heardAlice = waitFor<SupportAvailabilityDto>(guestSocket, 'support:availability', (a) => a.online === 1);
    const aliceSocket = await socketOf(alice);

    const aliceOnline = { id: alice.user.id, name: 'Alice', lastName: 'Liddell', avatarUrl: null, status: 'online' };
    expect((await heardAlice).agents).toEqual([aliceOnline]);
    const settings = await server.request<SupportSettingsDto>('GET', '/v1/support/settings', { app: tenant.id });
    expect(settings.body.agents.map((a) => [a.name, a.lastName])).toEqual([['Alice', 'Liddell']]);

    // The send path builds its sender in SQL; the visitor's first message carries it.
    const started = await ok<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', {
      text: 'Why is a raven like a writing desk?',
      clientId: randomUUID(),
    });
    expect(started.message?.sender).toEqual({
      id: visitor.user.id,
      kind: 'member',
      role: 'user',
      name: 'Mad',
      lastName: 'Hatter',
      username: null,
      avatarUrl: null,
    });
    expect(started.visitor).toMatchObject({ name: 'Mad', lastName: 'Hatter' });

    const visitorSocket = await socketOf(visitor);
    await call<RoomJoinResult>(visitorSocket, 'room:join', { roomId: started.id });
    const heard = waitFor<MessageDto>(visitorSocket, 'message:created', (m) => m.senderId === alice.user.id);
    const sent = await call<{ message: MessageDto }>(aliceSocket, 'message:send', {
      roomId: started.id,
      clientId: randomUUID(),
      text: 'I have not the slightest idea.',
    });
    expect(sent.message.sender).toMatchObject({ name: 'Alice', lastName: 'Liddell', role: 'agent' });
    expect((await heard).sender).toMatchObject({ id: alice.user.id, name: 'Alice', lastName: 'Liddell' });

    const expected = [
      ['Why is a raven like a writing desk?', 'Hatter'],
      ['I have not the slightest idea.', 'Liddell'],
    ];
    expect(lastNames(await history(visitor, started.id))).toEqual(expected);
    // Again, now served from the message cache; and an older page, from the database.
    expect(lastNames(await history(alice, started.id))).toEqual(expected);
    const older = await ok<PageDto<MessageDto>>(alice, 'GET', `/v1/rooms/${started.id}/messages?before=2`);
    expect(lastNames(older.items)).toEqual([expected[0]]);

    const members = await ok<PageDto<MemberDto>>(alice, 'GET', `/v1/rooms/${started.id}/members`);
    expect(members.items.map((m) => [m.user.name, m.user.lastName]).sort()).toEqual([
      ['Alice', 'Liddell'],
      ['Mad', 'Hatter'],
    ]);

    await ok(alice, 'POST', `/v1/support/conversations/${started.id}/assign`, {});
    const conversation = await ok<SupportConversationDto>(alice, 'GET', `/v1/support/conversations/${started.id}`);
    expect(conversation.assignee).toMatchObject({ name: 'Alice', lastName: 'Liddell' });
    const inbox = await ok<PageDto<SupportInboxItemDto>>(alice, 'GET', '/v1/support/conversations');
    const item = inbox.items.find((c) => c.id === started.id);
    expect(item?.assignee?.lastName).toBe('Liddell');
    expect(item?.visitor?.lastName).toBe('Hatter');
  });

  it('carries the last name of the peer of a direct room, and null for people without one', async () => {
    const direct = await ok<RoomDto>(visitor, 'POST', '/v1/rooms/direct', { userId: alice.user.id });
    expect(direct.peer).toMatchObject({ id: alice.user.id, name: 'Alice', lastName: 'Liddell' });
    const rooms = await ok<PageDto<RoomDto>>(alice, 'GET', '/v1/rooms');
    expect(rooms.items.find((r) => r.id === direct.id)?.peer).toMatchObject({ name: 'Mad', lastName: 'Hatter' });

    const guest = await server.guest(tenant, 'Vera');
    const started = await ok<StartConversationResult>(guest, 'POST', '/v1/support/conversations', {
      text: 'hello',
      clientId: randomUUID(),
    });
    expect(started.message?.sender).toHaveProperty('lastName', null);
    expect((await history(guest, started.id))[0]?.sender).toHaveProperty('lastName', null);
  });

  it('reads messages cached before senders had a last name as having none', async () => {
    const started = await ok<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', {
      text: 'cached long ago',
      clientId: randomUUID(),
    });
    expect(lastNames(await history(visitor, started.id))).toEqual([['cached long ago', 'Hatter']]);
    const redis = server.redis;
    if (!redis) return; // The in-process cache holds only what this process wrote.
    const [zset] = messageCacheKeys(server.redisPrefix, started.id);
    const rows = await until('the page to be cached', async () => {
      const found = await redis.zrange(zset, '0', '-1', 'WITHSCORES');
      return found.length ? found : null;
    });
    // Rewrite each cached message as a server from before this field wrote it.
    for (let i = 0; i < rows.length; i += 2) {
      const message = JSON.parse(rows[i]!) as MessageDto;
      delete (message.sender as Partial<NonNullable<MessageDto['sender']>>).lastName;
      await redis.zremrangebyscore(zset, rows[i + 1]!, rows[i + 1]!);
      await redis.zadd(zset, rows[i + 1]!, JSON.stringify(message));
    }
    await server.restart(); // forgets the pages this node keeps parsed
    const [message] = await history(visitor, started.id);
    expect(message?.text).toBe('cached long ago');
    expect(message?.sender).toHaveProperty('lastName', null);
    expect(message?.sender).toMatchObject({ id: visitor.user.id, name: 'Mad' });
  });
});
