import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@confab/protocol';
import { type AuthSessionDto, type ChatClient, ChatError, type ConnectionStatus, createClient, type MessageDto, type PageDto, type Room, type RoomDto } from '@confab/sdk';
import type { App } from '../src/db/models/index.js';
import { toMessageDtos } from '../src/services/messages/message-dto.js';
import { roomChannel } from '../src/realtime/types.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, connect } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const { DATABASE_URL, REDIS_URL } = process.env;

/**
 * Delivery that heals itself (SPEC §11: after any fault every client's state equals a fresh
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
    room = (await nodeA.request<RoomDto>('POST', '/v1/rooms', {
      token: ana.accessToken,
      body: { name: 'healing', memberIds: sessions.map((s) => s.user.id) },
    })).body;
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
      const page = (await nodeA.request<PageDto<MessageDto>>('GET', `/v1/rooms/${room.id}/messages?after=${after}&limit=100`, { token: ana.accessToken })).body;
      all.push(...page.items);
      more = page.hasMore;
      after = page.items.at(-1)?.seq ?? after;
    }
    return all.map(key);
  }
  const key = (m: MessageDto) => `${m.seq}:${m.id}:${m.version}`;
  const held = (r: Room) => r.state.get().messages.filter((m) => m.seq > 0).map(key);

  /** Waits until every watcher holds exactly the database's messages (from its oldest one loaded). */
  async function allEqualFreshFetch(what: string, timeoutMs: number): Promise<void> {
    const expected = await freshFetch();
    await until(what, () => watchers.every(({ room: r }) => {
      const mine = held(r);
      return mine.length > 0 && JSON.stringify(mine) === JSON.stringify(expected.slice(expected.length - mine.length));
    }) || null, timeoutMs);
    for (const { room: r } of watchers) {
      const mine = held(r);
      expect(new Set(mine).size).toBe(mine.length);
      expect(mine).toEqual(expected.slice(expected.length - mine.length));
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
    const retried = await call<{ message: MessageDto }>(onB, 'message:send', { roomId: room.id, clientId, text: 'committed on A, then A died' });
    await until('every watcher holds the retried message', () =>
      watchers.every(({ room: r }) => r.state.get().messages.some((m) => m.id === retried.message.id)) || null, 3_000);
    await allEqualFreshFetch('every watcher equals a fresh fetch', 3_000);
  });

  it('fills a hole below newer live messages when nobody retries the lost one', async () => {
    await commitWithoutAnnouncing(`lost-${randomUUID()}`, 'nobody retries this one');
    await nodeA.request('POST', `/v1/rooms/${room.id}/messages`, { token: ana.accessToken, body: { clientId: randomUUID(), text: 'the next message' } });
    await allEqualFreshFetch('every watcher holds the lost message and the next one', 3_000);
  });

  it('finds a hole itself: a later message announced while an earlier one never was', async () => {
    // The SDK alone: the server skips seq n and announces n+1 straight to the sockets.
    await commitWithoutAnnouncing(`hole-${randomUUID()}`, 'never announced');
    const laterId = randomUUID();
    await commitWithoutAnnouncing(laterId, 'announced without its predecessor');
    const later = await nodeA.db('messages').where({ roomId: room.id, clientId: laterId }).first();
    const [dto] = await toMessageDtos(nodeA.db, [later]);
    nodeB.app.io.local.to(roomChannel(room.id)).emit('message:created', dto);
    await allEqualFreshFetch('every watcher filled the hole below the later message', 3_000);
  });

  it('fills a hole below the newest message on reconnect (catch-up from the end held without holes)', async () => {
    const [{ client, room: r }] = watchers;
    await commitWithoutAnnouncing(`gap-${randomUUID()}`, 'missed by the watcher');
    const laterId = randomUUID();
    await commitWithoutAnnouncing(laterId, 'seen by the watcher just before it went away');
    const later = await nodeA.db('messages').where({ roomId: room.id, clientId: laterId }).first();
    const [dto] = await toMessageDtos(nodeA.db, [later]);
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
      await nodeA.request('POST', `/v1/rooms/${room.id}/messages`, { token: ana.accessToken, body: { clientId: randomUUID(), text: `live ${i}` } });
    }
    await allEqualFreshFetch('every watcher caught up the busy room completely', 10_000);
  });

  it('refuses an over-long message locally, marks it failed, and sends the next one without losing the connection', async () => {
    const { client, room: r } = watchers[1];
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
