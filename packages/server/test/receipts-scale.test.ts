import { randomUUID } from 'node:crypto';

import {
  type AuthSessionDto,
  LIMITS,
  type MessageDto,
  type PageDto,
  type ReceiptDto,
  type RoomDto,
  type RoomJoinResult,
  type RoomReadEvent,
  type RoomReceiptsEvent,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, settle, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

/*
 * Cost per message, in members n: O(n) receipt events. Each watcher hears one `room:receipts` per
 * flush (250 ms) in which the room's lowest watermarks moved (however many nodes flushed it), plus
 * its own `room:read`: measured here n for everyone's deliveries and 2n - 1 for everyone's reads
 * (the sender had read it). Announcing each member's watermark to the whole room cost n² (39,800).
 */
const MEMBERS = 200;
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
// Longer than two flushes: whatever is still coming has arrived by then.
const QUIET_MS = 700;

const opened = new Set<ClientSocket>();
afterAll(() => {
  for (const socket of opened) socket.close();
});

async function open(server: TestServer, session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(server, session);
  opened.add(socket);
  return socket;
}

/** A group room of `members` (the first one owns it), added a request's worth at a time. */
async function groupRoom(server: TestServer, members: AuthSessionDto[]): Promise<RoomDto> {
  const owner = itemAt(members, 0);
  const others = members.slice(1);
  const created = await server.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { name: 'Crowd' } });
  expect(created.status).toBe(201);
  for (let i = 0; i < others.length; i += LIMITS.membersPerRequestMax) {
    const userIds = others.slice(i, i + LIMITS.membersPerRequestMax).map((m) => m.user.id);
    const added = await server.request('POST', `/v1/rooms/${created.body.id}/members`, { token: owner.accessToken, body: { userIds } });
    expect(added.status).toBe(200);
  }
  return created.body;
}

/** Every receipts-related event a socket hears, the legacy per-member `room:delivered` included. */
function listen(socket: ClientSocket) {
  const heard = {
    receipts: collect<RoomReceiptsEvent>(socket, 'room:receipts'),
    reads: collect<RoomReadEvent>(socket, 'room:read'),
    legacy: collect(socket, 'room:delivered'),
  };
  return {
    heard,
    total: () => heard.receipts.length + heard.reads.length + heard.legacy.length,
    last: () => heard.receipts[heard.receipts.length - 1],
    reset: () => {
      heard.receipts.length = 0;
      heard.reads.length = 0;
      heard.legacy.length = 0;
    },
  };
}

describe(`receipts in a room of ${MEMBERS} watching members (${clustered ? 'two nodes' : 'one node'})`, () => {
  let nodes: TestServer[];
  let tenant: App;
  let members: AuthSessionDto[];
  let room: RoomDto;
  let sockets: ClientSocket[];

  beforeAll(async () => {
    const first = await startTestServer();
    nodes = clustered ? [first, await startTestServer({ peer: first })] : [first];
    tenant = await first.createTenant();
    members = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => first.member(tenant, `crowd-${i}-${randomUUID().slice(0, 6)}`)));
    room = await groupRoom(first, members);
    sockets = await Promise.all(members.map((m, i) => open(itemAt(nodes, i % nodes.length), m)));
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    for (const node of [...(nodes ?? [])].reverse()) await node.close();
  });

  it("costs O(members) events per message: every member's delivered and read reach watchers as a few coalesced minima", async () => {
    const joins = await Promise.all(sockets.map((s) => call<RoomJoinResult>(s, 'room:join', { roomId: room.id })));
    for (const join of joins) {
      expect(join.receipts).toEqual({ roomId: room.id, deliveredSeq: 0, readSeq: 0 });
      expect(join.version).toBe(0);
    }
    await settle(QUIET_MS);
    const ears = sockets.map(listen);

    const arrived = sockets.map((s) => waitFor<MessageDto>(s, 'message:created', () => true, 10_000));
    const { message } = await call<{ message: MessageDto }>(itemAt(sockets, 0), 'message:send', {
      roomId: room.id,
      clientId: randomUUID(),
      text: 'hello, crowd',
    });
    await Promise.all(
      arrived.map(async (got, i) => {
        expect((await got).id).toBe(message.id);
        await call(itemAt(sockets, i), 'room:delivered', { roomId: room.id, seq: message.seq });
      }),
    );
    await until('every watcher told it reached everyone', () => ears.every((e) => e.last()?.deliveredSeq === message.seq), 10_000);
    await settle(QUIET_MS);
    const deliveredEvents = ears.reduce((sum, e) => sum + e.total(), 0);
    expect(ears.map((e) => e.last())).toEqual(ears.map(() => ({ roomId: room.id, deliveredSeq: message.seq, readSeq: 0 })));
    expect(ears.flatMap((e) => e.heard.legacy)).toEqual([]);
    expect(deliveredEvents).toBeLessThanOrEqual(3 * MEMBERS);

    for (const e of ears) e.reset();
    await Promise.all(sockets.map((s) => call(s, 'room:read', { roomId: room.id, seq: message.seq })));
    await until('every watcher told everyone read it', () => ears.every((e) => e.last()?.readSeq === message.seq), 10_000);
    await settle(QUIET_MS);
    const readEvents = ears.reduce((sum, e) => sum + e.total(), 0);
    expect(ears.map((e) => e.last())).toEqual(ears.map(() => ({ roomId: room.id, deliveredSeq: message.seq, readSeq: message.seq })));
    // Each member hears only their own read (their other devices would too), never the others';
    // the sender had read their message by sending it.
    expect(ears.map((e) => e.heard.reads)).toEqual(
      members.map((m, i) => (i === 0 ? [] : [{ roomId: room.id, userId: m.user.id, seq: message.seq }])),
    );
    expect(readEvents).toBeLessThanOrEqual(3 * MEMBERS);

    // Nothing moved: another flush of the room says nothing.
    for (const e of ears) e.reset();
    itemAt(nodes, 0).app.services.receipts.touch(room.id);
    await settle(QUIET_MS);
    expect(ears.reduce((sum, e) => sum + e.total(), 0)).toBe(0);
  });

  it('pages GET /v1/rooms/:id/receipts by user id, at most pageMax a page', async () => {
    const seen: ReceiptDto[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = `limit=${LIMITS.pageMax}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await itemAt(nodes, 0).request<PageDto<ReceiptDto>>('GET', `/v1/rooms/${room.id}/receipts?${query}`, {
        token: itemAt(members, 1).accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(LIMITS.pageMax);
      seen.push(...res.body.items);
      cursor = res.body.hasMore ? res.body.nextCursor : undefined;
      if (res.body.hasMore) expect(cursor).toBeTruthy();
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(MEMBERS / LIMITS.pageMax));
    expect(seen.map((r) => r.userId)).toEqual(members.map((m) => m.user.id).sort());

    const firstPage = await itemAt(nodes, 0).request<PageDto<ReceiptDto>>('GET', `/v1/rooms/${room.id}/receipts`, {
      token: itemAt(members, 1).accessToken,
    });
    expect(firstPage.body.items).toHaveLength(LIMITS.pageDefault);
    const tooMany = await itemAt(nodes, 0).request('GET', `/v1/rooms/${room.id}/receipts?limit=${LIMITS.pageMax + 1}`, {
      token: itemAt(members, 1).accessToken,
    });
    expect(tooMany.status).toBe(422);
    const forged = await itemAt(nodes, 0).request(
      'GET',
      `/v1/rooms/${room.id}/receipts?cursor=${Buffer.from('["x"]').toString('base64url')}`,
      {
        token: itemAt(members, 1).accessToken,
      },
    );
    expect(forged.status).toBe(422);
  });
});

describe('receipts in a small room', () => {
  let server: TestServer;
  let tenant: App;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await server?.close();
  });

  it("carries every member's watermarks in the join answer and each moved member's live, with the room's version", async () => {
    const five = await Promise.all(Array.from({ length: 5 }, (_, i) => server.member(tenant, `five-${i}-${randomUUID().slice(0, 6)}`)));
    const ana = itemAt(five, 0);
    const others = five.slice(1);
    const room = await groupRoom(server, five);
    const posted = await server.request<MessageDto>('POST', `/v1/rooms/${room.id}/messages`, {
      token: ana.accessToken,
      body: { clientId: randomUUID(), text: 'hi all' },
    });
    expect(posted.status).toBe(201);
    const seq = posted.body.seq;
    await settle(400);

    const a = await open(server, ana);
    const anaJoin = await call<RoomJoinResult>(a, 'room:join', { roomId: room.id });
    expect(anaJoin.version).toBe(posted.body.version);
    expect(anaJoin.receipts).toEqual({
      roomId: room.id,
      deliveredSeq: 0,
      readSeq: 0,
      members: five
        .map((m) => ({ userId: m.user.id, deliveredSeq: m === ana ? seq : 0, readSeq: m === ana ? seq : 0 }))
        .sort((x, y) => x.userId.localeCompare(y.userId)),
    });
    const anaHears = listen(a);

    // Joining hands each member the latest page: their deliveries reach ana, member by member.
    const theirs = await Promise.all(others.map((m) => open(server, m)));
    const othersHear = theirs.map(listen);
    await Promise.all(theirs.map((s) => call(s, 'room:join', { roomId: room.id })));
    await until('ana to hear the message delivered to everyone', () => anaHears.last()?.deliveredSeq === seq);
    const deliveries = anaHears.heard.receipts.flatMap((ev) => ev.members ?? []);
    expect(deliveries.sort((x, y) => x.userId.localeCompare(y.userId))).toEqual(
      others.map((m) => ({ userId: m.user.id, deliveredSeq: seq, readSeq: 0 })).sort((x, y) => x.userId.localeCompare(y.userId)),
    );

    const firstReader = itemAt(theirs, 0);
    const rest = theirs.slice(1);
    anaHears.reset();
    const told = waitFor<RoomReceiptsEvent>(a, 'room:receipts');
    await call(firstReader, 'room:read', { roomId: room.id, seq });
    expect(await told).toEqual({
      roomId: room.id,
      deliveredSeq: seq,
      readSeq: 0,
      members: [{ userId: itemAt(others, 0).user.id, deliveredSeq: seq, readSeq: seq }],
    });

    await Promise.all(rest.map((s) => call(s, 'room:read', { roomId: room.id, seq })));
    await until('ana to hear the message read by everyone', () => anaHears.last()?.readSeq === seq);
    await settle(400);
    expect(anaHears.heard.reads).toEqual([]);
    expect(othersHear.map((h) => h.heard.reads.map((r) => r.userId))).toEqual(others.map((m) => [m.user.id]));
    expect(new Set(anaHears.heard.receipts.flatMap((ev) => ev.members ?? []).map((m) => m.userId))).toEqual(
      new Set(others.map((m) => m.user.id)),
    );

    // A newcomer lowers the room's minima again: everyone is told, the newcomer included in `members`.
    const newcomer = await server.member(tenant, `late-${randomUUID().slice(0, 6)}`);
    anaHears.reset();
    const lowered = waitFor<RoomReceiptsEvent>(a, 'room:receipts');
    const added = await server.request('POST', `/v1/rooms/${room.id}/members`, {
      token: ana.accessToken,
      body: { userId: newcomer.user.id },
    });
    expect(added.status).toBe(200);
    expect(await lowered).toEqual({
      roomId: room.id,
      deliveredSeq: 0,
      readSeq: 0,
      members: [{ userId: newcomer.user.id, deliveredSeq: 0, readSeq: 0 }],
    });
  });
});
