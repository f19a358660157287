import {
  type AuthSessionDto,
  type ChatClient,
  ChatError,
  type ChatMessage,
  type ConnectionStatus,
  createClient,
  type MessageDto,
  type RoomDto,
  type SupportConversationDto,
} from '@confab/sdk';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, until } from './helpers/wait.js';

let server: TestServer;
let tenant: App;
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.logout().catch(() => undefined)));
});
afterAll(() => server?.close());

/** A client of the shared test server (or `on`), logged out after the test. */
function open(on: TestServer = server, app: App = tenant, fetchImpl?: typeof fetch): ChatClient {
  const client = createClient({ url: on.url, app: app.id, transports: ['websocket'], fetch: fetchImpl });
  clients.push(client);
  return client;
}

async function signedIn(
  name: string,
  on: TestServer = server,
  app: App = tenant,
): Promise<{ client: ChatClient; session: AuthSessionDto }> {
  const session = await on.member(app, `${name}-${Math.random().toString(36).slice(2, 8)}`, { name });
  const client = open(on, app);
  await client.connectSession(session);
  return { client, session };
}

/** The fields a reader sees; compared between the SDK's state and a fresh fetch. */
const shape = (m: MessageDto) => ({
  id: m.id,
  seq: m.seq,
  senderId: m.senderId,
  text: m.text,
  editedAt: m.editedAt,
  deletedAt: m.deletedAt,
  reactions: m.reactions,
});

const stored = (messages: readonly ChatMessage[]) => messages.filter((m) => m.seq > 0);

/** A copy of a real access token of `session`, with the same claims, that expired a minute ago. */
function expiredAccessToken(session: AuthSessionDto): string {
  const { sub, app, role, kind, sid } = jwt.decode(session.accessToken) as jwt.JwtPayload;
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ app, role, kind, sid, iat: now - 16 * 60, exp: now - 60 }, server.config.jwtSecret, {
    algorithm: 'HS256',
    subject: sub,
    issuer: 'confab',
    audience: 'confab-api',
  });
}

async function fetchMessages(roomId: string, token: string): Promise<MessageDto[]> {
  const res = await server.request<{ items: MessageDto[]; hasMore: boolean }>('GET', `/v1/rooms/${roomId}/messages?limit=100`, { token });
  expect(res.status).toBe(200);
  expect(res.body.hasMore).toBe(false);
  return res.body.items;
}

async function groupOf(owner: ChatClient, ...others: AuthSessionDto[]): Promise<string> {
  const room = await owner.rooms.create({ name: 'SDK room', memberIds: others.map((s) => s.user.id) });
  return room.id;
}

describe('@confab/sdk against a real server', () => {
  it('lets two clients chat both ways, each seeing every message once in seq order, own ones going sent → delivered → read', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { client: bob, session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    const roomA = await ana.room(roomId).watch();
    const roomB = await bob.room(roomId).watch();

    // Every status a message of `clientId` shows in `room`'s state, in order, without repeats.
    const statusTrail = (room: typeof roomA, clientId: () => string | null) => {
      const trail: string[] = [];
      room.state.subscribe((s) => {
        const m = s.messages.find((x) => x.clientId !== null && x.clientId === clientId());
        if (m && trail[trail.length - 1] !== m.status) trail.push(m.status);
      });
      return trail;
    };

    let a1ClientId: string | null = null;
    const a1Trail = statusTrail(roomA, () => a1ClientId);
    const a1Promise = roomA.send('hello from ana');
    a1ClientId = roomA.state.get().messages.at(-1)!.clientId;
    expect(roomA.state.get().messages.at(-1)).toMatchObject({ text: 'hello from ana', status: 'pending', seq: 0 });
    a1Trail.push('pending');
    const a1 = await a1Promise;
    expect(a1).toMatchObject({ text: 'hello from ana', seq: 1, senderId: anaS.user.id, clientId: a1ClientId });

    await until('bob to receive a1', () => roomB.state.get().messages.some((m) => m.id === a1.id));
    await until('a1 delivered to bob', () => roomA.state.get().messages.find((m) => m.id === a1.id)?.status === 'delivered');
    await roomB.markRead();
    await until('a1 read by bob', () => roomA.state.get().messages.find((m) => m.id === a1.id)?.status === 'read');
    expect(a1Trail).toEqual(['pending', 'sent', 'delivered', 'read']);

    let b1ClientId: string | null = null;
    const b1Trail = statusTrail(roomB, () => b1ClientId);
    const b1Promise = roomB.send('hi ana, bob here');
    b1ClientId = roomB.state.get().messages.at(-1)!.clientId;
    b1Trail.push('pending');
    const b1 = await b1Promise;
    expect(b1.seq).toBe(2);
    await until('ana to receive b1', () => roomA.state.get().messages.some((m) => m.id === b1.id));
    await until('b1 delivered to ana', () => roomB.state.get().messages.find((m) => m.id === b1.id)?.status === 'delivered');
    await roomA.markRead();
    await until('b1 read by ana', () => roomB.state.get().messages.find((m) => m.id === b1.id)?.status === 'read');
    expect(b1Trail).toEqual(['pending', 'sent', 'delivered', 'read']);

    for (const room of [roomA, roomB]) {
      const messages = room.state.get().messages;
      expect(messages.map((m) => [m.seq, m.text])).toEqual([
        [1, 'hello from ana'],
        [2, 'hi ana, bob here'],
      ]);
      expect(new Set(messages.map((m) => m.id)).size).toBe(2);
      expect(room.unreadCount).toBe(0);
    }
    expect(roomA.state.get().messages.map((m) => m.status)).toEqual(['read', 'sent']);
    expect(roomB.state.get().messages.map((m) => m.status)).toEqual(['sent', 'read']);
  });

  it('loads the latest 50 of 120 messages on watch() and the rest with loadOlder(), in order and without duplicates', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { client: bob, session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    for (let i = 1; i <= 120; i++) {
      const res = await server.request('POST', `/v1/rooms/${roomId}/messages`, {
        token: anaS.accessToken,
        body: { clientId: `h-${i}`, text: `m${i}` },
      });
      expect(res.status).toBe(201);
    }
    const room = await bob.room(roomId).watch();
    const seqs = () => room.state.get().messages.map((m) => m.seq);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    expect(seqs()).toEqual(range(71, 120));
    expect(room.state.get().hasOlder).toBe(true);

    expect(await room.loadOlder()).toBe(50);
    expect(seqs()).toEqual(range(21, 120));
    expect(room.state.get().hasOlder).toBe(true);

    expect(await room.loadOlder()).toBe(20);
    expect(seqs()).toEqual(range(1, 120));
    expect(room.state.get().messages.map((m) => m.text)).toEqual(range(1, 120).map((i) => `m${i}`));
    expect(new Set(room.state.get().messages.map((m) => m.id)).size).toBe(120);
    expect(room.state.get().hasOlder).toBe(false);
  });

  it('catches a cut client up after it reconnects by itself: its state equals a fresh fetch, with no duplicates and no gaps', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { client: bob, session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    const roomA = await ana.room(roomId).watch();
    const roomB = await bob.room(roomId).watch();
    const before = [];
    for (const text of ['one', 'two', 'three']) before.push(await roomA.send(text));
    await until('bob to hold the first three', () => stored(roomB.state.get().messages).length === 3);

    const statuses: ConnectionStatus[] = [];
    bob.on('connection:changed', (s) => statuses.push(s));
    // Reconnection stays automatic; a fixed delay only makes sure the writes below land while bob is away.
    bob.rawSocket!.io.reconnectionDelay(1_000).reconnectionDelayMax(1_000).randomizationFactor(0);
    bob.rawSocket!.io.engine.close();
    await until('bob to notice the cut', () => statuses.includes('offline'), 1_000);

    const sentWhileCut = [];
    for (const text of ['four', 'five', 'six']) sentWhileCut.push(await roomA.send(text));
    await roomA.edit(itemAt(before, 0).id, 'one (edited)');
    await roomA.edit(itemAt(sentWhileCut, 0).id, 'four (edited)');
    await roomA.react(itemAt(before, 1).id, '🎉');
    await roomA.react(itemAt(sentWhileCut, 1).id, '👍');
    await roomA.delete(itemAt(before, 2).id);
    expect(bob.status).toBe('offline'); // all of the above happened while bob was cut

    await until('bob back online', () => statuses.lastIndexOf('online') > statuses.indexOf('offline'), 5_000);
    const expected = (await fetchMessages(roomId, anaS.accessToken)).map(shape);
    expect(expected.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await until(
      'bob to converge on the server state',
      () => JSON.stringify(roomB.state.get().messages.map(shape)) === JSON.stringify(expected),
      5_000,
    ).catch(() => undefined);

    const messages = roomB.state.get().messages;
    expect(messages.map(shape)).toEqual(expected);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.every((m) => m.status !== 'pending' && m.status !== 'failed')).toBe(true);
    expect(messages.find((m) => m.seq === 1)?.editedAt).not.toBeNull();
    expect(messages.find((m) => m.seq === 2)?.reactions).toEqual([{ emoji: '🎉', count: 1, userIds: [anaS.user.id] }]);
    expect(messages.find((m) => m.seq === 3)?.deletedAt).not.toBeNull();
    expect(bob.status).toBe('online');
  });

  it('shows a message sent while offline as pending at once, then sends it after reconnect and stores it exactly once', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { client: bob, session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    const roomA = await ana.room(roomId).watch();
    const roomB = await bob.room(roomId).watch();

    ana.disconnect();
    expect(ana.rawSocket).toBeNull();
    let settled = false;
    const sending = roomA.send('written offline');
    void sending.then(
      () => (settled = true),
      () => (settled = true),
    );
    const pending = roomA.state.get().messages.at(-1)!;
    expect(pending).toMatchObject({ text: 'written offline', status: 'pending', seq: 0, senderId: anaS.user.id });
    const clientId = pending.clientId!;
    await sleep(300);
    expect(settled).toBe(false);
    expect(roomA.state.get().messages.map((m) => [m.clientId, m.status])).toEqual([[clientId, 'pending']]);

    ana.reconnect();
    const message = await sending;
    expect(message).toMatchObject({ text: 'written offline', clientId, senderId: anaS.user.id, seq: 1 });
    await until('ana to list it as sent', () => roomA.state.get().messages.every((m) => m.seq > 0));
    const mine = roomA.state.get().messages.filter((m) => m.clientId === clientId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: message.id, seq: 1, status: expect.stringMatching(/^(sent|delivered|read)$/) });

    const rows = await server.db('messages').where({ roomId, clientId });
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(message.id);
    await until('bob to receive it', () => roomB.state.get().messages.some((m) => m.id === message.id));
    expect(roomB.state.get().messages.map((m) => m.id)).toEqual([message.id]);
  });

  it('refreshes an expired access token without the caller noticing (REST and socket) and announces the new session', async () => {
    const session = await server.member(tenant, 'eve', { name: 'Eve' });
    const expired = expiredAccessToken(session);
    const replies: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body =
        res.status >= 400
          ? ((await res
              .clone()
              .json()
              .catch(() => null)) as { error?: { code?: string } } | null)
          : null;
      replies.push(
        `${init?.method ?? 'GET'} ${new URL(String(input)).pathname} ${res.status}${body?.error?.code ? ` ${body.error.code}` : ''}`,
      );
      return res;
    };
    const client = open(server, tenant, recording);
    const sessions: (AuthSessionDto | null)[] = [];
    client.on('session:changed', (s) => sessions.push(s));
    const roomId = (await server.request<RoomDto>('POST', '/v1/rooms', { token: session.accessToken, body: { name: 'Eve room' } })).body.id;

    // The SDK believes the token is good for 10 more minutes (no early refresh): only the server knows better.
    await client.connectSession({ ...session, accessToken: expired, expiresAt: new Date(Date.now() + 10 * 60_000).toISOString() });
    const list = await client.rooms.list();
    expect(list.items.map((r) => r.id)).toContain(roomId);
    const room = await client.room(roomId).watch();
    expect(room.state.get().room?.id).toBe(roomId);
    expect(client.status).toBe('online');

    expect(replies).toContain('GET /v1/rooms 401 token_expired');
    expect(replies).toContain('POST /v1/auth/refresh 200');
    expect(replies.filter((r) => r.startsWith('GET /v1/rooms ')).at(-1)).toBe('GET /v1/rooms 200');
    const renewed = sessions.filter((s): s is AuthSessionDto => !!s && s.refreshToken !== session.refreshToken);
    expect(renewed.length).toBeGreaterThanOrEqual(1);
    expect(itemAt(renewed, 0).accessToken).not.toBe(expired);
    expect(itemAt(renewed, 0).user.id).toBe(session.user.id);
    expect(Date.parse(itemAt(renewed, 0).expiresAt)).toBeGreaterThan(Date.now());
    expect(client.user?.id).toBe(session.user.id);
  });

  it('surfaces a revoked refresh token as ChatError unauthorized and connection:changed unauthorized', async () => {
    const session = await server.member(tenant, 'rev', { name: 'Revoked' });
    const logout = await server.request('POST', '/v1/auth/logout', { token: session.accessToken, body: {} });
    expect(logout.status).toBe(204);

    const client = open();
    const statuses: ConnectionStatus[] = [];
    const sessions: (AuthSessionDto | null)[] = [];
    client.on('connection:changed', (s) => statuses.push(s));
    client.on('session:changed', (s) => sessions.push(s));
    await client.connectSession({
      ...session,
      accessToken: expiredAccessToken(session),
      expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
    });

    const error = await client.rooms.list().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    await until('connection:changed unauthorized', () => statuses.includes('unauthorized'), 3_000);
    expect(client.status).toBe('unauthorized');
    expect(client.user).toBeNull();
    expect(sessions.at(-1)).toBeNull();
  });

  it('surfaces unauthorized when the server ends the session of a connected client', async () => {
    const { client, session } = await signedIn('cut');
    await until('online', () => client.status === 'online');
    const statuses: ConnectionStatus[] = [];
    client.on('connection:changed', (s) => statuses.push(s));

    expect((await server.request('POST', '/v1/auth/logout', { token: session.accessToken, body: {} })).status).toBe(204);
    await until('connection:changed unauthorized', () => statuses.includes('unauthorized'), 3_000);
    await expect(client.rooms.list()).rejects.toMatchObject({ code: 'unauthorized' });
    await sleep(200);
    expect(client.status).toBe('unauthorized');
  });

  it('stops delivery after on() unsubscribes, keeps two clients apart and returns one room object per id', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { client: bob, session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    expect(ana.room(roomId)).toBe(ana.room(roomId));
    const roomA = await ana.room(roomId).watch();
    expect(roomA).toBe(ana.room(roomId));
    const roomB = await bob.room(roomId).watch();
    expect(roomB).toBe(bob.room(roomId));
    expect(roomB).not.toBe(roomA);
    expect(roomB.state).not.toBe(roomA.state);

    const seen = { client: 0, room: 0, state: 0, select: 0 };
    const control: string[] = [];
    const offs = [
      bob.on('message:created', () => seen.client++),
      roomB.on('message:created', () => seen.room++),
      roomB.state.subscribe(() => seen.state++),
      roomB.state.select(
        (s) => s.messages.length,
        () => seen.select++,
      ),
    ];
    roomB.on('message:created', (m) => control.push(m.text));

    await roomA.send('first');
    await until('bob to hear first', () => control.includes('first'));
    expect(seen.client).toBe(1);
    expect(seen.room).toBe(1);
    expect(seen.state).toBeGreaterThan(0);
    expect(seen.select).toBe(1);
    const counted = { ...seen };

    offs.forEach((off) => off());
    offs.forEach((off) => off()); // unsubscribing twice is harmless
    await roomA.send('second');
    await until('bob to hear second', () => control.includes('second'));
    await sleep(200);
    expect(seen).toEqual(counted);
    expect(roomB.state.get().messages.map((m) => m.text)).toEqual(['first', 'second']);

    // Two clients, two users, two states: what one holds locally the other never sees.
    expect(ana.user!.id).toBe(anaS.user.id);
    expect(bob.user!.id).toBe(bobS.user.id);
    ana.disconnect();
    void roomA.send('only in ana').catch(() => undefined);
    expect(roomA.state.get().messages.map((m) => m.text)).toEqual(['first', 'second', 'only in ana']);
    expect(roomB.state.get().messages.map((m) => m.text)).toEqual(['first', 'second']);
    expect(bob.status).toBe('online');

    // One client's logout leaves the other signed in and working.
    await ana.logout();
    expect(ana.user).toBeNull();
    expect(ana.room(roomId)).not.toBe(roomA);
    expect(bob.user!.id).toBe(bobS.user.id);
    expect(bob.status).toBe('online');
    const reply = await roomB.send('still here');
    expect(reply.senderId).toBe(bobS.user.id);
    expect((await bob.rooms.list()).items.map((r) => r.id)).toContain(roomId);
  });

  it('keeps a refused send as failed with its ChatError and a retry(); rate-limited sends stay pending in the queue', async () => {
    const { client: ana, session: anaS } = await signedIn('ana');
    const { session: bobS } = await signedIn('bob');
    const roomId = await groupOf(ana, bobS);
    const room = await ana.room(roomId).watch();

    const error = await room.send('x'.repeat(5_000)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'validation_failed', status: 422, retryable: false });
    const failed = room.state.get().messages;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'failed', seq: 0, error: { code: 'validation_failed' } });
    expect(itemAt(failed, 0).error).toBeInstanceOf(ChatError);
    expect(typeof itemAt(failed, 0).retry).toBe('function');
    await expect(itemAt(failed, 0).retry!()).rejects.toMatchObject({ code: 'validation_failed', status: 422, retryable: false });
    expect(room.state.get().messages.map((m) => [m.clientId, m.status])).toEqual([[itemAt(failed, 0).clientId, 'failed']]);
    expect(await server.db('messages').where({ roomId })).toHaveLength(0);

    // On its own server: 3 messages a minute.
    const limited = await startTestServer({ env: { MESSAGE_RATE: '3/minute' } });
    try {
      const app = await limited.createTenant();
      const throttled: string[] = [];
      limited.app.services.events.on('message.throttled', ({ userId }) => throttled.push(userId));
      const { client, session } = await signedIn('fast', limited, app);
      const created = await client.rooms.create({ name: 'Rate' });
      const fast = await client.room(created.id).watch();
      const attempts: string[] = [];
      client.rawSocket!.onAnyOutgoing((event) => {
        if (event === 'message:send') attempts.push(event);
      });

      const outcomes: string[] = [];
      const sends = [1, 2, 3, 4, 5].map((i) => {
        const p = fast.send(`burst ${i}`);
        p.then(
          () => outcomes.push(`ok ${i}`),
          (e: ChatError) => outcomes.push(`failed ${i} ${e.code}`),
        );
        return p;
      });
      const first = await Promise.all(sends.slice(0, 3));
      expect(first.map((m) => [m.seq, m.text])).toEqual([
        [1, 'burst 1'],
        [2, 'burst 2'],
        [3, 'burst 3'],
      ]);
      await until('the fourth send to be throttled', () => throttled.length > 0);
      await sleep(500);
      expect(throttled).toEqual([session.user.id]); // the send queue waits instead of hammering
      expect(attempts).toHaveLength(4);
      expect(outcomes.sort()).toEqual(['ok 1', 'ok 2', 'ok 3']);

      const messages = fast.state.get().messages;
      expect(messages.map((m) => [m.text, m.status])).toEqual([
        ['burst 1', expect.stringMatching(/^(sent|delivered|read)$/)],
        ['burst 2', expect.stringMatching(/^(sent|delivered|read)$/)],
        ['burst 3', expect.stringMatching(/^(sent|delivered|read)$/)],
        ['burst 4', 'pending'],
        ['burst 5', 'pending'],
      ]);
      expect(new Set(messages.map((m) => m.clientId)).size).toBe(5);
      const rows = await limited.db('messages').where({ roomId: created.id }).orderBy('seq');
      expect(rows.map((r: { text: string }) => r.text)).toEqual(['burst 1', 'burst 2', 'burst 3']);
      expect(anaS.user.id).not.toBe(session.user.id);
      await client.logout();
    } finally {
      await limited.close();
    }
  });

  it("turns a guest into a member on the same client: the guest's message becomes theirs, every action reaches the peer", async () => {
    const { client: ana, session: anaS } = await signedIn('host');
    const publicRoom = await ana.rooms.create({ name: 'Lobby', kind: 'public' });
    const roomA = await ana.room(publicRoom.id).watch();
    const welcome = await roomA.send('welcome, visitors');

    const visitor = open();
    const guest = await visitor.connectGuest({ name: 'Visitor' });
    expect(guest.kind).toBe('guest');
    const roomV = await (await visitor.rooms.join(publicRoom.id)).watch();
    // The visitor reads the welcome before writing: ana sees it delivered to them.
    await until('ana to see the welcome delivered to the guest', () => roomA.state.get().receipts[guest.id]?.deliveredSeq === welcome.seq);
    const fromGuest = await roomV.send('hello as a guest');
    expect(fromGuest.senderId).toBe(guest.id);
    await until('ana to see the guest message', () => roomA.state.get().messages.some((m) => m.id === fromGuest.id));

    const hostToken = jwt.sign({ name: 'Xavier' }, tenant.secret, {
      algorithm: 'HS256',
      audience: tenant.id,
      subject: 'x',
      expiresIn: '1h',
    });
    const member = await visitor.connectUser(hostToken);
    expect(member.kind).toBe('member');
    expect(member.id).not.toBe(guest.id);
    expect(visitor.user?.id).toBe(member.id);
    expect(visitor.room(publicRoom.id)).toBe(roomV);
    await until('the member online', () => visitor.status === 'online');
    await roomV.watch(); // rejoined as the member

    // The guest's message is the member's now: on the server and in this client's state.
    const fresh = await fetchMessages(publicRoom.id, anaS.accessToken);
    expect(fresh.find((m) => m.id === fromGuest.id)?.senderId).toBe(member.id);
    await until(
      'the guest message to show as the member’s',
      () => roomV.state.get().messages.find((m) => m.id === fromGuest.id)?.senderId === member.id,
      2_000,
    ).catch(() => undefined);
    expect
      .soft(roomV.state.get().messages.find((m) => m.id === fromGuest.id))
      .toMatchObject({ senderId: member.id, status: expect.stringMatching(/^(sent|delivered|read)$/) });

    roomV.typing();
    await until('ana to see the member typing', () => roomA.state.get().typing.includes(member.id));

    const question = await roomA.send('can I help?');
    await until('the member to receive the question', () => roomV.state.get().messages.some((m) => m.id === question.id));
    await roomV.markRead();
    await until('ana to see the member’s read receipt', () => (roomA.state.get().receipts[member.id]?.readSeq ?? 0) >= question.seq);
    expect(roomV.unreadCount).toBe(0);
    await until(
      'ana’s question to show as read',
      () => roomA.state.get().messages.find((m) => m.id === question.id)?.status === 'read',
      2_000,
    ).catch(() => undefined);
    expect.soft(roomA.state.get().messages.find((m) => m.id === question.id)?.status).toBe('read');

    await roomV.react(welcome.id, '👍');
    await until('ana to see the reaction', () =>
      roomA.state
        .get()
        .messages.find((m) => m.id === welcome.id)
        ?.reactions.some((r) => r.emoji === '👍' && r.userIds.includes(member.id)),
    );
    await roomV.unreact(welcome.id, '👍');
    await until('ana to see the reaction go', () => roomA.state.get().messages.find((m) => m.id === welcome.id)?.reactions.length === 0);

    await roomV.edit(fromGuest.id, 'hello as a member');
    await until('ana to see the edit', () => roomA.state.get().messages.find((m) => m.id === fromGuest.id)?.text === 'hello as a member');
    expect(roomA.state.get().messages.find((m) => m.id === fromGuest.id)).toMatchObject({
      senderId: member.id,
      editedAt: expect.any(String),
    });

    await roomV.delete(fromGuest.id);
    await until('ana to see the delete', () => roomA.state.get().messages.find((m) => m.id === fromGuest.id)?.deletedAt);
    expect(roomA.state.get().messages.find((m) => m.id === fromGuest.id)?.text).toBe('');
    expect(roomV.state.get().messages.find((m) => m.id === fromGuest.id)?.deletedAt).not.toBeNull();

    // Both clients end with the server's view of the room.
    const final = (await fetchMessages(publicRoom.id, anaS.accessToken)).map(shape);
    expect(roomA.state.get().messages.map(shape)).toEqual(final);
    expect(roomV.state.get().messages.map(shape)).toEqual(final);
  });
});

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function agent(name: string): Promise<ChatClient> {
  const client = open();
  await client.connectSession(await server.member(tenant, `${name}-${Math.random().toString(36).slice(2, 8)}`, { name, role: 'agent' }));
  return client;
}

describe('SDK support and uploads', () => {
  it('lets a visitor start a conversation with a file that an agent sees live, claims, downloads and resolves', async () => {
    const ana = await agent('Ana');
    const heard: SupportConversationDto[] = [];
    ana.on('support:conversation', (c) => heard.push(c));

    const visitor = open();
    // Presence registers the agent's socket just after it connects.
    await until('agent online', async () => (await visitor.support.settings()).online === 1);
    await visitor.connectGuest({ name: 'Vera' });
    const file = await visitor.uploads.upload(new Blob([PNG]), 'pixel.png');
    expect(file).toMatchObject({ type: 'image/png', width: 1, height: 1, name: 'pixel.png' });
    const started = await visitor.support.start({ text: 'Here is the screenshot', attachments: [file.id], visitor: { locale: 'pt-BR' } });
    expect(started.message?.attachments.map((a) => a.id)).toEqual([file.id]);
    expect(started.support).toMatchObject({ status: 'open', assigneeId: null, visitor: { locale: 'pt-BR' } });

    const seen = await until('support:conversation', () => heard.find((c) => c.id === started.id));
    expect(seen.visitor?.name).toBe('Vera');
    const inbox = await ana.support.inbox({ status: 'open', assignee: 'none' });
    expect(inbox.items.find((c) => c.id === started.id)?.unreadCount).toBe(1);

    const claimed = await ana.support.assign(started.id);
    expect(claimed.assignee?.name).toBe('Ana');
    const src = await ana.uploads.src(file);
    const image = await fetch(src);
    expect(image.status).toBe(200);
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(0, 8)
        .equals(PNG.subarray(0, 8)),
    ).toBe(true);

    const room = await visitor.room(started.id).watch();
    const resolved = await ana.support.resolve(started.id);
    expect(resolved.support.status).toBe('resolved');
    await until('resolved note', () => room.state.get().messages.find((m) => m.type === 'system' && m.system?.event === 'resolved'));
  });

  it('keeps the inbox and canned responses for agents: a visitor gets a forbidden ChatError', async () => {
    const ana = await agent('Ana');
    const saved = await ana.support.canned.create({ shortcut: 'Refund', text: 'Refunds take 5 days.' });
    expect(saved.shortcut).toBe('refund');
    expect((await ana.support.canned.list('ref')).items.map((c) => c.id)).toEqual([saved.id]);
    await ana.support.canned.delete(saved.id);
    expect((await ana.support.canned.list()).items).toEqual([]);

    const visitor = open();
    await visitor.connectGuest({ name: 'Vic' });
    const refused = await visitor.support.inbox().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatError);
    expect(refused).toMatchObject({ code: 'forbidden', status: 403 });
    const away = await ana.support.setAvailability('away');
    expect(away).toMatchObject({ online: 0, away: 1, available: false });
  });
});
