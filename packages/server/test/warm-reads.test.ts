import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';

import type { AuthSessionDto, MessageDto, PageDto, RoomDto, RoomListItemDto, SupportInboxItemDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/db/knex.js';
import type { App } from '../src/db/models/index.js';
import { createLogger } from '../src/logger.js';
import { createRedisRoomCache } from '../src/redis/room-cache-redis.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, until } from './helpers/wait.js';

/** Every statement `db` runs while `work` runs, but the session check of authentication (its own concern). */
async function queriesDuring(db: Db, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (query: { sql: string }) => {
    if (!query.sql.includes('refresh_tokens')) seen.push(query.sql);
  };
  db.on('query', listener);
  try {
    await work();
  } finally {
    db.off('query', listener);
  }
  return seen;
}

/**
 * A message committed the way a send commits it (next seq, next version), by a writer that
 * registered with the room cache and then died: nobody applies it to a cache or announces it.
 */
async function commitAndDie(node: TestServer, appId: string, roomId: string, senderId: string, text: string): Promise<void> {
  await node.app.services.roomCache.beginWrite({ appId, roomIds: [roomId] });
  await node.db.transaction(async (trx) => {
    const [room] = (await trx('rooms')
      .where({ id: roomId })
      .update({ version: trx.raw('version + 1'), lastSeq: trx.raw('last_seq + 1'), lastMessageAt: trx.fn.now() })
      .returning(['last_seq', 'version'])) as { lastSeq: number; version: number }[];
    await trx('messages').insert({
      roomId,
      seq: room!.lastSeq,
      version: room!.version,
      createdVersion: room!.version,
      senderId,
      clientId: `died-${randomBytes(4).toString('hex')}`,
      text,
    });
  });
}

describe('warm reads', () => {
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let agent: AuthSessionDto;
  let room: RoomDto;

  const firstPage = (node: TestServer, who: AuthSessionDto, roomId = room.id) =>
    node.request<PageDto<MessageDto>>('GET', `/v1/rooms/${roomId}/messages`, { token: who.accessToken });
  const send = (who: AuthSessionDto, text: string, roomId = room.id) =>
    server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
      token: who.accessToken,
      body: { clientId: randomBytes(6).toString('hex'), text },
    });

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    [ana, bob, agent] = await Promise.all([
      server.member(tenant, 'ana'),
      server.member(tenant, 'bob'),
      server.member(tenant, 'agent', { role: 'agent' }),
    ]);
    room = (
      await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'warm', memberIds: [bob.user.id] } })
    ).body;
    for (let i = 1; i <= 60; i++) expect((await send(i % 2 ? ana : bob, `message ${i}`)).status).toBe(201);
    const visitor = await server.guest(tenant, 'Visitor');
    const started = await server.request('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'help', clientId: 'c1' },
    });
    expect(started.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves a warm first page, room list and inbox without a database query', async () => {
    const list = () => server.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: bob.accessToken });
    const inbox = () => server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: agent.accessToken });
    const cold = [await firstPage(server, bob), await list(), await inbox()];
    // The receipts of the sends above are written in the background: not part of these reads.
    await server.app.services.receipts.flush();
    const warm: { status: number; body: unknown }[] = [];
    const queries = await queriesDuring(server.db, async () => {
      for (let i = 0; i < 3; i++) warm.push(await firstPage(server, bob), await list(), await inbox());
    });
    expect(queries).toEqual([]);
    for (const [i, res] of warm.entries()) expect(res).toMatchObject({ status: 200, body: cold[i % 3]!.body });
    expect((cold[0]!.body as PageDto<MessageDto>).items.map((m) => m.text).at(-1)).toBe('message 60');
  });

  it('shows a message in the first page and the room list as soon as its send is acknowledged', async () => {
    await firstPage(server, bob);
    const sent = await send(ana, 'fresh');
    const [page, list] = await Promise.all([
      firstPage(server, bob),
      server.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: bob.accessToken }),
    ]);
    expect(page.body.items.at(-1)?.id).toBe(sent.body.id);
    expect(list.body.items.find((r) => r.id === room.id)?.lastMessage?.id).toBe(sent.body.id);
  });

  it('never serves a first page without a committed message, even when its writer died before updating the cache', async () => {
    await firstPage(server, bob);
    await commitAndDie(server, tenant.id, room.id, ana.user.id, 'written by a writer that died');
    for (let i = 0; i < 3; i++) expect((await firstPage(server, bob)).body.items.at(-1)?.text).toBe('written by a writer that died');
    const fresh = await server.db('messages').where({ roomId: room.id }).orderBy('seq', 'desc').first('id');
    expect((await firstPage(server, ana)).body.items.at(-1)?.id).toBe(fresh.id);
  });

  it("shows in the agents' warm inbox a new conversation, a visitor's message and the agent's read at once", async () => {
    const inbox = async () =>
      (await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: agent.accessToken })).body.items;
    await inbox();
    const visitor = await server.guest(tenant, 'Second visitor');
    const started = await server.request<{ id: string }>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'hello', clientId: 'c2' },
    });
    expect((await inbox()).find((c) => c.id === started.body.id)?.unreadCount).toBe(1);
    await send(visitor, 'are you there?', started.body.id);
    expect((await inbox()).find((c) => c.id === started.body.id)?.unreadCount).toBe(2);
    const claimed = await server.request('POST', `/v1/support/conversations/${started.body.id}/assign`, {
      token: agent.accessToken,
      body: {},
    });
    expect(claimed.status).toBe(200);
    const lastSeq = (await inbox()).find((c) => c.id === started.body.id)!.lastSeq;
    await server.request('POST', `/v1/rooms/${started.body.id}/read`, { token: agent.accessToken, body: { seq: lastSeq } });
    expect((await inbox()).find((c) => c.id === started.body.id)).toMatchObject({ unreadCount: 0, assignee: { id: agent.user.id } });
  });

  it('refuses a member at once after they leave, and lists the room no more', async () => {
    const other = await server.member(tenant, `leaver-${randomBytes(3).toString('hex')}`);
    const roomId = (
      await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'leaving', memberIds: [other.user.id] } })
    ).body.id;
    expect((await firstPage(server, other, roomId)).status).toBe(200);
    await server.request('GET', '/v1/rooms', { token: other.accessToken });
    expect((await server.request('DELETE', `/v1/rooms/${roomId}/members/${other.user.id}`, { token: other.accessToken })).status).toBe(204);
    expect((await firstPage(server, other, roomId)).status).toBe(403);
    const list = await server.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: other.accessToken });
    expect(list.body.items.map((r) => r.id)).not.toContain(roomId);
  });

  it('refuses another app, a malformed id and an unknown room with 4xx, cached or not', async () => {
    const stranger = await server.member(await server.createTenant(), 'stranger');
    for (let i = 0; i < 2; i++) {
      expect((await firstPage(server, stranger)).status).toBe(404);
      expect((await firstPage(server, bob, room.id.toUpperCase())).status).toBe(200);
      expect((await firstPage(server, bob, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await firstPage(server, bob, 'not-a-room')).status).toBe(404);
    }
  });
});

describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('warm reads on two nodes', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;
  let owner: AuthSessionDto;
  let member: AuthSessionDto;
  let roomId: string;

  const firstPage = (node: TestServer, who: AuthSessionDto) =>
    node.request<PageDto<MessageDto>>('GET', `/v1/rooms/${roomId}/messages`, { token: who.accessToken });

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    tenant = await nodeA.createTenant();
    [owner, member] = await Promise.all([nodeA.member(tenant, 'owner'), nodeA.member(tenant, 'member')]);
    roomId = (
      await nodeA.request<RoomDto>('POST', '/v1/rooms', {
        token: owner.accessToken,
        body: { name: 'two nodes', memberIds: [member.user.id] },
      })
    ).body.id;
    await nodeA.request('POST', `/v1/rooms/${roomId}/messages`, { token: owner.accessToken, body: { clientId: 'first', text: 'first' } });
  });

  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it("no node serves a first page without a committed message, also after the dead writer's registration expired", async () => {
    // A writer of its own, whose registrations expire after 300 ms instead of 30 s.
    const shortLived = createRedisRoomCache(nodeA.redis!, nodeA.redisPrefix, createLogger('silent'), { writeTtlMs: 300 });
    for (const node of [nodeA, nodeB]) await firstPage(node, member);
    expect((await queriesDuring(nodeB.db, () => firstPage(nodeB, member))).length).toBe(0);
    await shortLived.beginWrite({ appId: tenant.id, roomIds: [roomId] });
    await nodeA.db.transaction(async (trx) => {
      const [room] = (await trx('rooms')
        .where({ id: roomId })
        .update({ version: trx.raw('version + 1'), lastSeq: trx.raw('last_seq + 1') })
        .returning(['last_seq', 'version'])) as { lastSeq: number; version: number }[];
      await trx('messages').insert({
        roomId,
        seq: room!.lastSeq,
        version: room!.version,
        createdVersion: room!.version,
        senderId: owner.user.id,
        text: 'orphan',
      });
    });
    for (const node of [nodeB, nodeA, nodeB]) expect((await firstPage(node, member)).body.items.at(-1)?.text).toBe('orphan');
    await sleep(400);
    for (const node of [nodeB, nodeA]) expect((await firstPage(node, member)).body.items.at(-1)?.text).toBe('orphan');
    // Filled again once the registration expired, and warm from then on.
    expect((await queriesDuring(nodeB.db, () => firstPage(nodeB, member))).length).toBe(0);
    expect((await firstPage(nodeB, member)).body.items.at(-1)?.text).toBe('orphan');
  });

  it('refuses on node B at once a member removed on node A', async () => {
    expect((await firstPage(nodeB, member)).status).toBe(200);
    await nodeB.request('GET', '/v1/rooms', { token: member.accessToken });
    expect((await queriesDuring(nodeB.db, () => firstPage(nodeB, member))).length).toBe(0);
    const kicked = await nodeA.request('DELETE', `/v1/rooms/${roomId}/members/${member.user.id}`, { token: owner.accessToken });
    expect(kicked.status).toBe(204);
    expect((await firstPage(nodeB, member)).status).toBe(403);
    const list = await nodeB.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: member.accessToken });
    expect(list.body.items.map((r) => r.id)).not.toContain(roomId);
  });
});

/** A TCP relay to Redis that a test can cut (every connection reset, new ones refused) and restore. */
async function cuttableRelay(target: URL) {
  const open = new Set<Socket>();
  let cut = false;
  const relay = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => (open.delete(a), b.destroy()));
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(relay.address() as { port: number }).port}`,
    cut: () => {
      cut = true;
      open.forEach((s) => s.destroy());
    },
    restore: () => void (cut = false),
    close: () => new Promise((resolve) => relay.close(resolve)),
  };
}

describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('warm reads when Redis was away from the writer', () => {
  it('serves nothing stale from before once the writer that could not reach Redis reaches it again', async () => {
    const relay = await cuttableRelay(new URL(process.env.REDIS_URL!));
    const writer = await startTestServer({ redisUrl: relay.url });
    const reader = await startTestServer({ peer: writer });
    try {
      const tenant = await writer.createTenant();
      const [owner, member] = await Promise.all([writer.member(tenant, 'owner'), writer.member(tenant, 'member')]);
      const roomId = (
        await writer.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { name: 'cut', memberIds: [member.user.id] } })
      ).body.id;
      const page = (who: AuthSessionDto) =>
        reader.request<PageDto<MessageDto>>('GET', `/v1/rooms/${roomId}/messages`, { token: who.accessToken });
      for (const who of [owner, member, owner, member]) expect((await page(who)).status).toBe(200);
      const epochKey = `${reader.redisPrefix}rc:epoch`;
      const epoch = Number(await reader.redis!.get(epochKey));

      relay.cut();
      await until('the writer to see Redis gone', () => writer.redis!.status !== 'ready');
      const kicked = await writer.request('DELETE', `/v1/rooms/${roomId}/members/${member.user.id}`, { token: owner.accessToken });
      expect(kicked.status).toBe(204);
      const sent = await writer.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
        token: owner.accessToken,
        body: { clientId: 'during-the-cut', text: 'during the cut' },
      });
      expect(sent.status).toBe(201);

      relay.restore();
      // Back: the writer drops every entry (of every node) before trusting the cache again.
      await until('the writer to invalidate the cache', async () => Number(await reader.redis!.get(epochKey)) > epoch, 10_000);
      expect((await page(member)).status).toBe(403);
      expect((await page(owner)).body.items.at(-1)?.id).toBe(sent.body.id);
    } finally {
      await reader.close();
      await writer.close();
      await relay.close();
    }
  });
});
