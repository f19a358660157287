import { randomUUID } from 'node:crypto';

import { LIMITS } from '@confab/protocol';
import {
  type AuthSessionDto,
  type ChatClient,
  ChatError,
  type ConnectionStatus,
  createClient,
  type MessageDto,
  type PageDto,
  type Room,
  type RoomDto,
} from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { roomChannel } from '../src/realtime/types.js';
import { toMessageDto } from '../src/services/dto/message-dto.js';
import { itemAt } from './helpers/items.js';
import { hasRedisServer, PrivateRedis } from './helpers/private-redis.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, connect } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

const { DATABASE_URL, REDIS_URL } = process.env;

/**
 * Delivery that heals itself (docs/delivery.md: after any fault every client's state equals a fresh
 * fetch, without a page reload). Two nodes on one PostgreSQL and Redis; the watchers are real
 * `@confab/sdk` clients on node B.
 */
describe.runIf(DATABASE_URL && REDIS_URL)('delivery that heals itself', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let room: RoomDto;
  const watchers: { client: ChatClient; room: Room; session: AuthSessionDto }[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    tenant = await nodeA.createTenant();
    ana = await nodeA.member(tenant, `ana-${randomUUID()}`, { name: 'Ana' });
    const sessions = await Promise.all(Array.from({ length: 10 }, (_, i) => nodeA.member(tenant, `watcher-${i}-${randomUUID()}`)));
    room = (
      await nodeA.request<RoomDto>('POST', '/v1/rooms', {
        token: ana.accessToken,
        body: { name: 'healing', memberIds: sessions.map((s) => s.user.id) },
      })
    ).body;
    for (const session of sessions) {
      const client = createClient({ url: nodeB.url, app: tenant.id, transports: ['websocket'] });
      await client.connectSession(session);
      watchers.push({ client, session, room: await client.room(room.id).watch() });
    }
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    for (const { client } of watchers) client.close();
    await nodeB?.close();
    await nodeA?.close();
  });

  /** Every message of the room, as a fresh fetch gives it. */
  async function freshFetch(): Promise<string[]> {
    const all: MessageDto[] = [];
    for (let after = 0, more = true; more;) {
      const page = (
        await nodeA.request<PageDto<MessageDto>>('GET', `/v1/rooms/${room.id}/messages?after=${after}&limit=100`, {
          token: ana.accessToken,
        })
      ).body;
      all.push(...page.items);
      more = page.hasMore;
      after = page.items.at(-1)?.seq ?? after;
    }
    return all.map(key);
  }
  const key = (m: MessageDto) => `${m.seq}:${m.id}:${m.version}`;
  const held = (r: Room) =>
    r.state
      .get()
      .messages.filter((m) => m.seq > 0)
      .map(key);

  /**
   * Waits until every watcher holds exactly the database's messages: the newest ones without a
   * hole, at least as many as a fresh watch() loads (the latest page), more if it loaded more.
   */
  async function allEqualFreshFetch(what: string, timeoutMs: number): Promise<void> {
    const expected = await freshFetch();
    const suffix = (mine: string[]) =>
      expected.slice(expected.length - Math.max(mine.length, Math.min(LIMITS.pageDefault, expected.length)));
    await until(
      what,
      () => watchers.every(({ room: r }) => JSON.stringify(held(r)) === JSON.stringify(suffix(held(r)))) || null,
      timeoutMs,
    );
    for (const { room: r } of watchers) {
      const mine = held(r);
      expect(new Set(mine).size).toBe(mine.length);
      expect(mine).toEqual(suffix(mine));
    }
  }

  /** What a node does when it dies between COMMIT and fan-out: the row is stored, nobody is told. */
  async function commitWithoutAnnouncing(clientId: string, text: string): Promise<void> {
    const actor = await nodeA.app.services.auth.authenticate(ana.accessToken);
    await nodeA.db.transaction((trx) => nodeA.app.services.messages.write(trx, actor, room.id, { clientId, text }));
  }

  it("delivers a message whose node died after COMMIT once the sender's retry lands on another node", async () => {
    const clientId = `died-${randomUUID()}`;
    await commitWithoutAnnouncing(clientId, 'committed on A, then A died');
    const onB = await connect(nodeB, ana);
    sockets.push(onB);
    const retried = await call<{ message: MessageDto }>(onB, 'message:send', {
      roomId: room.id,
      clientId,
      text: 'committed on A, then A died',
    });
    await until(
      'every watcher holds the retried message',
      () => watchers.every(({ room: r }) => r.state.get().messages.some((m) => m.id === retried.message.id)) || null,
      3_000,
    );
    await allEqualFreshFetch('every watcher equals a fresh fetch', 3_000);
  });

  it('fills a hole below newer live messages when nobody retries the lost one', async () => {
    await commitWithoutAnnouncing(`lost-${randomUUID()}`, 'nobody retries this one');
    await nodeA.request('POST', `/v1/rooms/${room.id}/messages`, {
      token: ana.accessToken,
      body: { clientId: randomUUID(), text: 'the next message' },
    });
    await allEqualFreshFetch('every watcher holds the lost message and the next one', 3_000);
  });

  it('finds a hole itself: a later message announced while an earlier one never was', async () => {
    // The SDK alone: the server skips seq n and announces n+1 straight to the sockets.
    await commitWithoutAnnouncing(`hole-${randomUUID()}`, 'never announced');
    const laterId = randomUUID();
    await commitWithoutAnnouncing(laterId, 'announced without its predecessor');
    const later = await nodeA.db('messages').where({ roomId: room.id, clientId: laterId }).first();
    const dto = await toMessageDto(nodeA.db, later);
    nodeB.app.io.local.to(roomChannel(room.id)).emit('message:created', dto);
    await allEqualFreshFetch('every watcher filled the hole below the later message', 3_000);
  });

  it('fills a hole below the newest message on reconnect (catch-up from the end held without holes)', async () => {
    const { client, room: r } = itemAt(watchers, 0);
    await commitWithoutAnnouncing(`gap-${randomUUID()}`, 'missed by the watcher');
    const laterId = randomUUID();
    await commitWithoutAnnouncing(laterId, 'seen by the watcher just before it went away');
    const later = await nodeA.db('messages').where({ roomId: room.id, clientId: laterId }).first();
    const dto = await toMessageDto(nodeA.db, later);
    nodeB.app.io.local.to(roomChannel(room.id)).emit('message:created', dto);
    // Gone before it could fill the hole: it holds the newer message, not the one below it.
    await until('the watcher holds the later message', () => r.state.get().messages.some((m) => m.id === dto.id) || null, 2_000);
    client.disconnect();
    expect(r.state.get().messages.some((m) => m.seq === dto.seq - 1)).toBe(false);
    client.reconnect();
    await until('the watcher is back online', () => client.status === 'online' || null, 5_000);
    await allEqualFreshFetch('the reconnected watcher equals a fresh fetch', 5_000);
  });

  it('pages a busy catch-up from where it stopped, not from the newest live message', async () => {
    const away = watchers.slice(0, 3);
    for (const { client } of away) client.disconnect();
    // More than one catch-up carries (LIMITS.catchUpMax), written straight to the database.
    for (let i = 0; i < LIMITS.catchUpMax + 30; i++) await commitWithoutAnnouncing(`busy-${i}-${randomUUID()}`, `while away ${i}`);
    for (const { client } of away) client.reconnect();
    // Live messages keep arriving while they catch up.
    for (let i = 0; i < 30; i++) {
      await nodeA.request('POST', `/v1/rooms/${room.id}/messages`, {
        token: ana.accessToken,
        body: { clientId: randomUUID(), text: `live ${i}` },
      });
    }
    await allEqualFreshFetch('every watcher caught up the busy room completely', 10_000);
  });

  it('refuses an over-long message locally, marks it failed, and sends the next one without losing the connection', async () => {
    const { client, room: r } = itemAt(watchers, 1);
    const statuses: ConnectionStatus[] = [];
    const off = client.on('connection:changed', (s) => statuses.push(s));
    const tooLong = r.send('x'.repeat(100_000));
    await expect(tooLong).rejects.toMatchObject({ code: 'validation_failed', retryable: false });
    const hugeReply = r.send('a reply to a giant id', { replyTo: 'r'.repeat(100_000) });
    await expect(hugeReply).rejects.toBeInstanceOf(ChatError);
    const next = await r.send('the next message goes');
    expect(next.seq).toBeGreaterThan(0);
    const failed = r.state.get().messages.filter((m) => m.status === 'failed');
    expect(failed.map((m) => m.error?.code).sort()).toEqual(['payload_too_large', 'validation_failed']);
    off();
    expect(statuses).toEqual([]);
    expect(client.status).toBe('online');
  });
});

describe.runIf(DATABASE_URL && hasRedisServer)('delivery that heals itself: a Redis outage between two nodes', () => {
  let redis: PrivateRedis;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let ana: AuthSessionDto;
  let room: RoomDto;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    nodeA = await startTestServer({ redisUrl: redis.url });
    nodeB = await startTestServer({ redisUrl: redis.url, peer: nodeA });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await nodeB?.close();
    await nodeA?.close();
    await redis?.down();
  });

  let appId = '';
  const open = async (node: TestServer, session: AuthSessionDto) => {
    const client = createClient({ url: node.url, app: appId, transports: ['websocket'] });
    clients.push(client);
    await client.connectSession(session);
    return client;
  };
  const ids = (r: Room) =>
    r.state
      .get()
      .messages.filter((m) => m.seq > 0)
      .map((m) => m.seq);

  it("brings each node's outage-time messages to the other node's clients once Redis is back, without a reconnect", async () => {
    const tenant = await nodeA.createTenant();
    appId = tenant.id;
    ana = await nodeA.member(tenant, `ana-${randomUUID()}`);
    const bob = await nodeA.member(tenant, `bob-${randomUUID()}`);
    room = (
      await nodeA.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'outage', memberIds: [bob.user.id] } })
    ).body;
    const anaOnA = await (await open(nodeA, ana)).room(room.id).watch();
    const bobClient = await open(nodeB, bob);
    const bobOnB = await bobClient.room(room.id).watch();
    await anaOnA.send('before the outage');
    await until('bob got the first message', () => ids(bobOnB).length === 1 || null, 3_000);

    await redis.down();
    const statuses: string[] = [];
    bobClient.on('connection:changed', (s) => statuses.push(s));
    // Each node stores messages its own clients send during the outage.
    for (let i = 0; i < 5; i++) await anaOnA.send(`from A during the outage ${i}`);
    for (let i = 0; i < 5; i++) await bobOnB.send(`from B during the outage ${i}`);
    await sleep(3_000); // long enough for both nodes to see Redis gone
    await redis.up();

    const expected = Array.from({ length: 11 }, (_, i) => i + 1);
    await until(
      'both clients hold all 11 messages',
      () => (JSON.stringify(ids(bobOnB)) === JSON.stringify(expected) && JSON.stringify(ids(anaOnA)) === JSON.stringify(expected)) || null,
      15_000,
    );
    expect(ids(bobOnB)).toEqual(expected);
    expect(ids(anaOnA)).toEqual(expected);
    // Healed live: Bob's client never went through a reconnect.
    expect(statuses).not.toContain('offline');
  }, 40_000);
});
