import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  MessageDto,
  PageDto,
  PresenceEvent,
  ReactionUpdatedEvent,
  ReceiptDto,
  RoomDto,
  RoomJoinResult,
  RoomReadEvent,
  RoomReceiptsEvent,
  TypingEvent,
} from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, request, settle, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

// Every socket a test opens, closed in afterAll even when an assertion threw halfway.
const opened = new Set<ClientSocket>();
async function open(server: TestServer, session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(server, session);
  opened.add(socket);
  return socket;
}
afterAll(() => {
  for (const socket of opened) socket.close();
});

async function groupRoom(server: TestServer, owner: AuthSessionDto, members: AuthSessionDto[] = []): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', {
    token: owner.accessToken,
    body: { name: 'Team', memberIds: members.map((m) => m.user.id) },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function restSend(server: TestServer, session: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
    token: session.accessToken,
    body: { clientId: randomUUID(), text },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function fetchAll(server: TestServer, session: AuthSessionDto, roomId: string): Promise<MessageDto[]> {
  const res = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${roomId}/messages?limit=100`, { token: session.accessToken });
  expect(res.status).toBe(200);
  return res.body.items;
}

async function receipts(server: TestServer, session: AuthSessionDto, roomId: string): Promise<ReceiptDto[]> {
  const res = await server.request<PageDto<ReceiptDto>>('GET', `/v1/rooms/${roomId}/receipts`, { token: session.accessToken });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** What a client shows of a message, compared against a fresh fetch. */
const shown = (m: MessageDto) => ({
  id: m.id,
  seq: m.seq,
  clientId: m.clientId,
  senderId: m.senderId,
  text: m.text,
  editedAt: m.editedAt,
  deletedAt: m.deletedAt,
  reactions: m.reactions,
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * 20 members, each with one socket (on `nodes[i % nodes.length]`) joined to one room, send 3
 * messages each at once: every socket must see every message, seqs 1..60 in order.
 */
async function concurrentWriters(nodes: TestServer[]): Promise<void> {
  const first = itemAt(nodes, 0);
  const tenant = await first.createTenant();
  const members = await Promise.all(range(20).map((i) => first.member(tenant, `writer-${i}`)));
  const room = await groupRoom(first, itemAt(members, 0), members.slice(1));
  const sockets = await Promise.all(members.map((m, i) => open(itemAt(nodes, i % nodes.length), m)));
  for (const socket of sockets) expect((await call<RoomJoinResult>(socket, 'room:join', { roomId: room.id })).messages).toEqual([]);
  const received = sockets.map((socket) => collect<MessageDto>(socket, 'message:created'));

  const perClient = 3;
  const total = members.length * perClient;
  const acks = await Promise.all(
    sockets.flatMap((socket, i) =>
      range(perClient).map((n) =>
        call<{ message: MessageDto }>(socket, 'message:send', { roomId: room.id, clientId: `w${i}-${n}`, text: `from ${i} #${n}` }),
      ),
    ),
  );
  expect(acks.map((a) => a.message.seq).sort((a, b) => a - b)).toEqual(range(total));

  await until('every socket received every message', () => received.every((r) => r.length >= total));
  await settle(200); // anything extra (a duplicate) would arrive by now
  const ackedIds = new Set(acks.map((a) => a.message.id));
  for (const [i, seen] of received.entries()) {
    const who = `socket ${i} (node ${i % nodes.length})`;
    const seqs = seen.map((m) => m.seq);
    expect(
      [...seqs].sort((a, b) => a - b),
      `${who}: each message exactly once`,
    ).toEqual(range(total));
    expect(new Set(seen.map((m) => m.id))).toEqual(ackedIds);
    expect(seqs, `${who}: in seq order`).toEqual(range(total));
  }
  const stored = await first.db('messages').where({ roomId: room.id }).orderBy('seq').pluck('seq');
  expect(stored.map(Number)).toEqual(range(total));
}

describe('one node', () => {
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let carl: AuthSessionDto;

  beforeAll(async () => {
    server = await startTestServer({ env: { MESSAGE_RATE: 'unlimited' } });
    tenant = await server.createTenant();
    [ana, bob, carl] = await Promise.all([server.member(tenant, 'ana'), server.member(tenant, 'bob'), server.member(tenant, 'carl')]);
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await server?.close();
  });

  it('delivers every message of 20 concurrent writers to every member in seq order 1..N, without gaps or duplicates', async () => {
    await concurrentWriters([server]);
  });

  it('returns the stored message, and stores nothing new, when a send whose ack was lost is retried after a reconnect', async () => {
    const room = await groupRoom(server, ana, [bob]);
    const watcher = await open(server, bob);
    await call(watcher, 'room:join', { roomId: room.id });
    const created = collect<MessageDto>(watcher, 'message:created');

    // The server stores the send, but its ack never reaches the client, whose connection then drops.
    const first = await open(server, ana);
    (first as unknown as Socket).emit(
      'message:send',
      { roomId: room.id, clientId: 'lost-ack-1', text: 'did this arrive?' },
      () => undefined,
    );
    const original = await waitFor<MessageDto>(watcher, 'message:created', (m) => m.clientId === 'lost-ack-1');
    first.disconnect();

    const again = await open(server, ana);
    const retried = await call<{ message: MessageDto }>(again, 'message:send', {
      roomId: room.id,
      clientId: 'lost-ack-1',
      text: 'did this arrive? (retry)',
    });
    expect(retried.message.id).toBe(original.id);
    expect(retried.message.seq).toBe(original.seq);
    expect(retried.message.text).toBe('did this arrive?');

    // Cut right after emitting: whether or not the send got in, the retry ends with one message.
    const cut = await open(server, ana);
    (cut as unknown as Socket).emit('message:send', { roomId: room.id, clientId: 'lost-ack-2', text: 'cut mid-send' }, () => undefined);
    cut.disconnect();
    const reconnected = await open(server, ana);
    const afterCut = await call<{ message: MessageDto }>(reconnected, 'message:send', {
      roomId: room.id,
      clientId: 'lost-ack-2',
      text: 'cut mid-send',
    });

    // A retry racing the original (the client gave up waiting and re-sent at once).
    const racing = await Promise.all([
      call<{ message: MessageDto }>(reconnected, 'message:send', { roomId: room.id, clientId: 'lost-ack-3', text: 'twice' }),
      call<{ message: MessageDto }>(reconnected, 'message:send', { roomId: room.id, clientId: 'lost-ack-3', text: 'twice' }),
    ]);
    expect(racing[0].message.id).toBe(racing[1].message.id);

    await settle(300);
    const rows: { id: string; clientId: string }[] = await server
      .db('messages')
      .where({ roomId: room.id })
      .orderBy('seq')
      .select('id', 'client_id');
    expect(rows).toEqual([
      { id: original.id, clientId: 'lost-ack-1' },
      { id: afterCut.message.id, clientId: 'lost-ack-2' },
      { id: racing[0].message.id, clientId: 'lost-ack-3' },
    ]);
    // Retries are answers, not new messages: watchers heard of each stored message, in order, and
    // a retry may announce it again (its node may have died before announcing) as the same
    // message, same id, seq and version, which clients merge by id.
    const firstHeard = created.filter((m, i) => created.findIndex((o) => o.id === m.id) === i);
    expect(firstHeard.map((m) => [m.clientId, m.id])).toEqual(rows.map((r) => [r.clientId, r.id]));
    for (const m of created) expect(m).toEqual(firstHeard.find((o) => o.id === m.id));
  });

  it('brings a reconnecting client that joins with since to exactly the state of a fresh fetch', async () => {
    const room = await groupRoom(server, ana, [bob, carl]);
    for (let i = 1; i <= 6; i++) await restSend(server, i % 2 ? ana : bob, room.id, `old ${i}`);

    const x = await open(server, carl);
    const first = await call<RoomJoinResult>(x, 'room:join', { roomId: room.id });
    const state = new Map(first.messages.map((m) => [m.id, m]));
    const lastSeq = Math.max(...first.messages.map((m) => m.seq));
    expect(lastSeq).toBe(6);
    x.disconnect();

    // While X is away: K new messages, an edit, a delete and a reaction on old ones, and an edit of a new one.
    const writer = await open(server, ana);
    await call(writer, 'room:join', { roomId: room.id });
    const fresh: MessageDto[] = [];
    for (let k = 1; k <= 4; k++)
      fresh.push(
        (await call<{ message: MessageDto }>(writer, 'message:send', { roomId: room.id, clientId: `new-${k}`, text: `new ${k}` })).message,
      );
    const [m1, m2, m3] = [itemAt(first.messages, 0), itemAt(first.messages, 1), itemAt(first.messages, 2)];
    await call(writer, 'message:edit', { messageId: m1.id, text: 'old 1 (edited)' });
    expect((await server.request('DELETE', `/v1/messages/${m3.id}`, { token: ana.accessToken })).status).toBe(200);
    const b = await open(server, bob);
    await call(b, 'reaction:add', { messageId: m2.id, emoji: '👍' });
    await call(writer, 'message:edit', { messageId: itemAt(fresh, 1).id, text: 'new 2 (edited)' });

    const back = await open(server, carl);
    const caughtUp = await call<RoomJoinResult>(back, 'room:join', { roomId: room.id, since: lastSeq });
    expect(caughtUp.hasMore).toBe(false);
    expect(caughtUp.messages.filter((m) => m.seq > lastSeq).map((m) => m.seq)).toEqual([7, 8, 9, 10]);
    for (const m of caughtUp.messages) state.set(m.id, m);
    const merged = [...state.values()].sort((p, q) => p.seq - q.seq);

    const truth = await fetchAll(server, carl, room.id);
    expect(truth.map((m) => m.seq)).toEqual(range(10));
    expect(merged.map(shown)).toEqual(truth.map(shown));
    // The changes really are in the truth (not equal because nothing changed).
    expect(itemAt(truth, 0).editedAt).not.toBeNull();
    expect(itemAt(truth, 2).deletedAt).not.toBeNull();
    expect(itemAt(truth, 1).reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob.user.id] }]);
  });

  it('serves room:join without since the latest page equal to a fresh fetch, also after edits, reactions and deletes', async () => {
    const room = await groupRoom(server, ana, [bob]);
    for (let i = 1; i <= 5; i++) await restSend(server, ana, room.id, `m${i}`);
    const a = await open(server, ana);
    const b = await open(server, bob);
    const joinMatches = async (label: string) => {
      // Twice: the first join may fill the cache, the second must read it.
      for (const pass of [1, 2]) {
        const joined = await call<RoomJoinResult>(b, 'room:join', { roomId: room.id });
        expect(joined.messages.map(shown), `${label}, join ${pass}`).toEqual((await fetchAll(server, bob, room.id)).map(shown));
      }
    };
    await joinMatches('after sends');
    const page = await fetchAll(server, ana, room.id);

    await call(a, 'message:edit', { messageId: itemAt(page, 0).id, text: 'm1 edited' });
    await joinMatches('after a socket edit');
    await call(b, 'reaction:add', { messageId: itemAt(page, 1).id, emoji: '🎉' });
    await joinMatches('after a reaction');
    expect(
      (await server.request('PUT', `/v1/messages/${itemAt(page, 2).id}/reactions/${encodeURIComponent('❤️')}`, { token: ana.accessToken }))
        .status,
    ).toBe(200);
    await joinMatches('after a REST reaction');
    expect(
      (await server.request('PATCH', `/v1/messages/${itemAt(page, 3).id}`, { token: ana.accessToken, body: { text: 'm4 edited' } })).status,
    ).toBe(200);
    await joinMatches('after a REST edit');
    await call(a, 'message:delete', { messageId: itemAt(page, 4).id });
    await joinMatches('after a delete');
    await call(b, 'reaction:remove', { messageId: itemAt(page, 1).id, emoji: '🎉' });
    await call(a, 'message:send', { roomId: room.id, clientId: randomUUID(), text: 'm6' });
    await joinMatches('after a reaction removed and a new message');

    const final = await call<RoomJoinResult>(b, 'room:join', { roomId: room.id });
    expect(final.messages.map((m) => [m.seq, m.text, m.editedAt !== null, m.deletedAt !== null, m.reactions.map((r) => r.emoji)])).toEqual([
      [1, 'm1 edited', true, false, []],
      [2, 'm2', false, false, []],
      [3, 'm3', false, false, ['❤️']],
      [4, 'm4 edited', true, false, []],
      [5, '', false, true, []],
      [6, 'm6', false, false, []],
    ]);
  });

  it('announces messages posted, edited and deleted and reactions added over REST to sockets watching the room', async () => {
    const room = await groupRoom(server, ana, [bob]);
    const b = await open(server, bob);
    await call(b, 'room:join', { roomId: room.id });

    const created = waitFor<MessageDto>(b, 'message:created');
    const posted = await restSend(server, ana, room.id, 'over REST');
    expect(await created).toEqual(posted);

    const updated = waitFor<MessageDto>(b, 'message:updated');
    const edited = await server.request<MessageDto>('PATCH', `/v1/messages/${posted.id}`, {
      token: ana.accessToken,
      body: { text: 'over REST, edited' },
    });
    expect(edited.status).toBe(200);
    expect(await updated).toEqual(edited.body);
    expect(edited.body.text).toBe('over REST, edited');

    const reacted = waitFor<ReactionUpdatedEvent>(b, 'reaction:updated');
    const reaction = await server.request<ReactionUpdatedEvent>('PUT', `/v1/messages/${posted.id}/reactions/${encodeURIComponent('👍')}`, {
      token: ana.accessToken,
    });
    expect(reaction.status).toBe(200);
    expect(await reacted).toEqual({
      roomId: room.id,
      messageId: posted.id,
      version: expect.any(Number),
      reactions: [{ emoji: '👍', count: 1, userIds: [ana.user.id] }],
    });

    const deleted = waitFor<MessageDto>(b, 'message:deleted');
    const removed = await server.request<MessageDto>('DELETE', `/v1/messages/${posted.id}`, { token: ana.accessToken });
    expect(removed.status).toBe(200);
    const tombstone = await deleted;
    expect(tombstone).toEqual(removed.body);
    expect(tombstone).toMatchObject({ id: posted.id, seq: posted.seq, text: '', reactions: [] });
    expect(tombstone.deletedAt).not.toBeNull();
  });

  it('reaches every socket of a user through their own channel: new direct rooms, messages and reads on other tabs', async () => {
    const dana = await server.member(tenant, `dana-${randomUUID().slice(0, 8)}`);
    const eli = await server.member(tenant, `eli-${randomUUID().slice(0, 8)}`);
    const d = await open(server, dana);
    const e1 = await open(server, eli);
    const e2 = await open(server, eli);

    const dSees = waitFor<RoomDto>(d, 'room:created');
    const eSees = waitFor<RoomDto>(e1, 'room:created');
    const created = await server.request<RoomDto>('POST', '/v1/rooms/direct', { token: dana.accessToken, body: { userId: eli.user.id } });
    expect(created.status).toBe(201);
    const [forDana, forEli] = await Promise.all([dSees, eSees]);
    expect(forDana).toMatchObject({ id: created.body.id, kind: 'direct', peer: { id: eli.user.id } });
    expect(forEli).toMatchObject({ id: created.body.id, kind: 'direct', peer: { id: dana.user.id } });
    const roomId = created.body.id;

    // Eli never joined the room, yet both of his tabs get Dana's message.
    const toE1 = waitFor<MessageDto>(e1, 'message:created');
    const toE2 = waitFor<MessageDto>(e2, 'message:created');
    const dm = await call<{ message: MessageDto }>(d, 'message:send', { roomId, clientId: randomUUID(), text: 'psst' });
    expect((await toE1).id).toBe(dm.message.id);
    expect((await toE2).id).toBe(dm.message.id);

    // Eli reads on one tab: his other tab hears his read; Dana (watching the room) its receipts.
    await call(d, 'room:join', { roomId });
    const danaHeardReads = collect<RoomReadEvent>(d, 'room:read');
    const expected: RoomReadEvent = { roomId, userId: eli.user.id, seq: dm.message.seq };
    const otherTab = waitFor<RoomReadEvent>(e2, 'room:read');
    const watcher = waitFor<RoomReceiptsEvent>(d, 'room:receipts', (ev) => Boolean(ev.members?.some((m) => m.userId === eli.user.id)));
    expect(await call<RoomReadEvent>(e1, 'room:read', { roomId, seq: dm.message.seq })).toEqual(expected);
    expect(await otherTab).toEqual(expected);
    const receipts = await watcher;
    expect(receipts).toMatchObject({ roomId, deliveredSeq: dm.message.seq, readSeq: dm.message.seq });
    expect(receipts.members?.find((m) => m.userId === eli.user.id)).toEqual({
      userId: eli.user.id,
      deliveredSeq: dm.message.seq,
      readSeq: dm.message.seq,
    });
    expect(danaHeardReads).toEqual([]);
  });

  it("advances a member's delivered watermark when their socket gets the latest page or acks messages, and tells watchers", async () => {
    const room = await groupRoom(server, ana, [bob, carl]);
    for (let i = 1; i <= 3; i++) await restSend(server, ana, room.id, `m${i}`);
    const a = await open(server, ana);
    await call(a, 'room:join', { roomId: room.id });
    const heard = collect<RoomReceiptsEvent>(a, 'room:receipts');
    const heardOf = (session: AuthSessionDto) => heard.flatMap((ev) => ev.members ?? []).filter((m) => m.userId === session.user.id);
    const deliveredOf = async (session: AuthSessionDto) =>
      (await receipts(server, ana, room.id)).find((r) => r.userId === session.user.id)!.deliveredSeq;

    expect(await deliveredOf(bob)).toBe(0);
    const b = await open(server, bob);
    const page = await call<RoomJoinResult>(b, 'room:join', { roomId: room.id });
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    await until('bob delivered up to 3', async () => (await deliveredOf(bob)) === 3, 1_000);
    await until('watcher told of bob', () => heardOf(bob).length > 0, 1_000);
    expect(heardOf(bob)).toEqual([{ userId: bob.user.id, deliveredSeq: 3, readSeq: 0 }]);

    const c = await open(server, carl);
    await call(c, 'room:join', { roomId: room.id });
    await until('carl delivered up to 3', async () => (await deliveredOf(carl)) === 3, 1_000);
    const incoming = collect<MessageDto>(c, 'message:created');
    await restSend(server, ana, room.id, 'm4');
    await restSend(server, ana, room.id, 'm5');
    await until('carl received m4 and m5', () => incoming.length === 2);
    await settle(400);
    expect(await deliveredOf(carl)).toBe(3); // receiving alone is not acknowledging

    const told = waitFor<RoomReceiptsEvent>(
      a,
      'room:receipts',
      (ev) => Boolean(ev.members?.some((m) => m.userId === carl.user.id && m.deliveredSeq === 4)),
      1_500,
    );
    expect(await call(c, 'room:delivered', { roomId: room.id, seq: 4 })).toEqual({ roomId: room.id, userId: carl.user.id, seq: 4 });
    // Bob (at 3) is the one holding the room's lowest delivered watermark back.
    expect(await told).toEqual({
      roomId: room.id,
      deliveredSeq: 3,
      readSeq: 0,
      members: [{ userId: carl.user.id, deliveredSeq: 4, readSeq: 0 }],
    });
    expect(await deliveredOf(carl)).toBe(4);
    expect(await deliveredOf(bob)).toBe(3);
  });

  it('announces presence in rooms of up to presenceRoomMembersMax members only; a larger room reports who is online on join', async () => {
    const tag = randomUUID().slice(0, 6);
    const [dave, erin] = await Promise.all([server.member(tenant, `dave-${tag}`), server.member(tenant, `erin-${tag}`)]);
    const crowd = await Promise.all(
      Array.from({ length: LIMITS.presenceRoomMembersMax - 1 }, (_, i) => server.member(tenant, `crowd-${tag}-${i}`)),
    );
    const small = await groupRoom(server, ana, [dave]);
    // dave, erin and the crowd: one member more than the cap.
    const large = await groupRoom(server, erin, [dave]);
    const added = await server.request('POST', `/v1/rooms/${large.id}/members`, {
      token: erin.accessToken,
      body: { userIds: crowd.map((c) => c.user.id) },
    });
    expect(added.status).toBe(200);

    const a = await open(server, ana);
    await call<RoomJoinResult>(a, 'room:join', { roomId: small.id });
    const e = await open(server, erin);
    await call<RoomJoinResult>(e, 'room:join', { roomId: large.id });
    const erinHeard = collect<PresenceEvent>(e, 'presence');

    const anaHears = waitFor<PresenceEvent>(a, 'presence', (p) => p.userId === dave.user.id);
    await open(server, dave);
    expect(await anaHears).toMatchObject({ userId: dave.user.id, online: true });
    await settle(300);
    expect(erinHeard.filter((p) => p.userId === dave.user.id)).toEqual([]);

    const rejoined = await call<RoomJoinResult>(e, 'room:join', { roomId: large.id });
    expect(rejoined.presence.find((p) => p.userId === dave.user.id)?.online).toBe(true);
  });

  it('lets 100 rapid socket sends through when MESSAGE_RATE is unlimited', async () => {
    const room = await groupRoom(server, ana);
    const a = await open(server, ana);
    await call(a, 'room:join', { roomId: room.id });
    const acks = await Promise.all(
      range(100).map((i) =>
        request<{ message: MessageDto }>(a, 'message:send', { roomId: room.id, clientId: `flood-${i}`, text: `#${i}` }),
      ),
    );
    expect(acks.filter((ack) => ack.error)).toEqual([]);
    expect(acks.map((ack) => ack.data!.message.seq).sort((p, q) => p - q)).toEqual(range(100));
    const count = await server.db('messages').where({ roomId: room.id }).count('* as n').first();
    expect(Number(count!.n)).toBe(100);
  });
});

describe('message throttle over sockets', () => {
  it('stores exactly MESSAGE_RATE sends of a flood and answers the rest rate_limited with retryAfterMs, storing none', async () => {
    const server = await startTestServer({ env: { MESSAGE_RATE: '5/minute' } });
    try {
      const tenant = await server.createTenant();
      const ana = await server.member(tenant, 'ana');
      const room = await groupRoom(server, ana);
      const a = await open(server, ana);
      await call(a, 'room:join', { roomId: room.id });
      const acks = await Promise.all(
        range(12).map((i) => request<{ message: MessageDto }>(a, 'message:send', { roomId: room.id, clientId: `f-${i}`, text: `#${i}` })),
      );
      const ok = acks.flatMap((ack, i) => (ack.data ? [`f-${i + 1}`] : []));
      const refused = acks.filter((ack) => ack.error);
      expect(ok).toHaveLength(5);
      expect(refused).toHaveLength(7);
      for (const ack of refused) {
        expect(ack.error!.code).toBe('rate_limited');
        expect((ack.error as { details?: { retryAfterMs?: number } }).details?.retryAfterMs).toBeGreaterThan(0);
      }
      const stored = await server.db('messages').where({ roomId: room.id }).orderBy('seq').pluck('client_id');
      expect([...stored].sort()).toEqual([...ok].sort());
      expect(
        acks
          .filter((ack) => ack.data)
          .map((ack) => ack.data!.message.seq)
          .sort(),
      ).toEqual([1, 2, 3, 4, 5]);
    } finally {
      for (const socket of opened) socket.close();
      await server.close();
    }
  });
});

describe.runIf(clustered)('two nodes over Redis', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    // The adapters connect and subscribe asynchronously: wait until each node sees the other.
    await until('both adapters subscribed', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
    tenant = await nodeA.createTenant();
    [ana, bob] = await Promise.all([nodeA.member(tenant, 'ana'), nodeB.member(tenant, 'bob')]);
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await nodeB?.close();
    await nodeA?.close();
  });

  it('delivers a message sent by a client on node A to a member connected to node B', async () => {
    const room = await groupRoom(nodeA, ana, [bob]);
    const a = await open(nodeA, ana);
    const b = await open(nodeB, bob);
    await call(a, 'room:join', { roomId: room.id });
    await call(b, 'room:join', { roomId: room.id });
    const arrived = waitFor<MessageDto>(b, 'message:created');
    const sent = await call<{ message: MessageDto }>(a, 'message:send', { roomId: room.id, clientId: randomUUID(), text: 'across nodes' });
    expect(await arrived).toEqual(sent.message);
  });

  it('delivers a message posted over REST on node B to a socket on node A', async () => {
    const room = await groupRoom(nodeB, bob, [ana]);
    const a = await open(nodeA, ana);
    await call(a, 'room:join', { roomId: room.id });
    const arrived = waitFor<MessageDto>(a, 'message:created');
    const posted = await restSend(nodeB, bob, room.id, 'REST on B');
    expect(await arrived).toEqual(posted);
  });

  it('relays typing from node A to watchers on node B, not back to the typer', async () => {
    const room = await groupRoom(nodeA, ana, [bob]);
    const a = await open(nodeA, ana);
    const b = await open(nodeB, bob);
    await call(a, 'room:join', { roomId: room.id });
    await call(b, 'room:join', { roomId: room.id });
    const echoed = collect<TypingEvent>(a, 'typing');
    const arrived = waitFor<TypingEvent>(b, 'typing');
    expect(await call(a, 'typing', { roomId: room.id, typing: true })).toEqual({ ok: true });
    expect(await arrived).toEqual({ roomId: room.id, userId: ana.user.id, typing: true });
    await settle(300);
    expect(echoed).toEqual([]);
  });

  it('announces a user coming online on node B and going offline to a member watching a shared room on node A', async () => {
    const cleo = await nodeB.member(tenant, `cleo-${randomUUID().slice(0, 8)}`);
    const room = await groupRoom(nodeA, ana, [cleo]);
    const a = await open(nodeA, ana);
    const joined = await call<RoomJoinResult>(a, 'room:join', { roomId: room.id });
    expect(joined.presence.find((p) => p.userId === cleo.user.id)?.online).toBe(false);

    const online = waitFor<PresenceEvent>(a, 'presence', (p) => p.userId === cleo.user.id);
    const c = await open(nodeB, cleo);
    expect(await online).toMatchObject({ userId: cleo.user.id, online: true });

    const offline = waitFor<PresenceEvent>(a, 'presence', (p) => p.userId === cleo.user.id);
    c.disconnect();
    const gone = await offline;
    expect(gone).toMatchObject({ userId: cleo.user.id, online: false });
    expect(gone.lastSeenAt).toEqual(expect.any(String));
  });

  it('serves the latest page from the shared cache equal to a fresh fetch after changes made on the other node', async () => {
    const room = await groupRoom(nodeA, ana, [bob]);
    for (let i = 1; i <= 4; i++) await restSend(nodeA, ana, room.id, `m${i}`);
    const a = await open(nodeA, ana);
    const b = await open(nodeB, bob);
    const joinMatches = async (label: string) => {
      for (const [pass, socket] of [a, a, b].entries()) {
        const joined = await call<RoomJoinResult>(socket, 'room:join', { roomId: room.id });
        expect(joined.messages.map(shown), `${label}, join ${pass + 1}`).toEqual((await fetchAll(nodeA, ana, room.id)).map(shown));
      }
    };
    await joinMatches('after sends');
    const page = await fetchAll(nodeB, bob, room.id);
    await call(a, 'message:edit', { messageId: itemAt(page, 0).id, text: 'm1 edited on A' });
    await joinMatches('after an edit on A');
    await call(b, 'reaction:add', { messageId: itemAt(page, 1).id, emoji: '👍' });
    await joinMatches('after a reaction on B');
    await call(a, 'message:delete', { messageId: itemAt(page, 2).id });
    await call(b, 'message:send', { roomId: room.id, clientId: randomUUID(), text: 'm5 from B' });
    await joinMatches('after a delete on A and a send on B');
  });

  it('delivers every message of 20 concurrent writers split across two nodes to every member in seq order 1..N', async () => {
    await concurrentWriters([nodeA, nodeB]);
  });
});
