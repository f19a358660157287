import type { AuthSessionDto, MessageDto, RoomDto, RoomSyncEvent } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { itemAt } from './helpers/items.js';
import { hasRedisServer, PrivateRedis } from './helpers/private-redis.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, settle, waitFor } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

const OUTAGE_MS = 15_000;
/** After Redis is back: reconnection backoff (at most 2 s) plus the announcement and the database read. */
const CROSS_OVER_MS = 10_000;

// Two nodes share one PostgreSQL schema and a private Redis that this test kills and restarts empty.
describe.runIf(process.env.DATABASE_URL && hasRedisServer)('messages stored during a Redis outage', () => {
  let redis: PrivateRedis;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    nodeA = await startTestServer({ redisUrl: redis.url });
    nodeB = await startTestServer({ redisUrl: redis.url, peer: nodeA });
    const tenant = await nodeA.createTenant();
    [ana, bob] = await Promise.all([nodeA.member(tenant, 'ana'), nodeA.member(tenant, 'bob')]);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nodeB?.close();
    await nodeA?.close();
    await redis?.down();
  });

  const newRoom = async (name: string) =>
    (await nodeA.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name, memberIds: [bob.user.id] } })).body;
  const send = (socket: ClientSocket, roomId: string, clientId: string) =>
    call<{ message: MessageDto }>(socket, 'message:send', { roomId, clientId, text: clientId });
  const head = async (roomId: string) => {
    const row = await nodeA.db('rooms').where({ id: roomId }).first('last_seq', 'version');
    return { roomId, lastSeq: Number(row.lastSeq), version: Number(row.version) };
  };

  it('delivers them live to the other node once Redis is back, then tells its sockets where each room stands', async () => {
    // Room A is written on node A during the outage, room B on node B; room C only on node A just
    // before the cut (a cut is seen late, so such writes may be lost too).
    const [roomA, roomB, roomC] = await Promise.all([newRoom('on A'), newRoom('on B'), newRoom('before')]);
    const anaOnA = await connect(nodeA, ana);
    const bobOnB = await connect(nodeB, bob);
    sockets.push(anaOnA, bobOnB);
    for (const socket of [anaOnA, bobOnB]) for (const room of [roomA, roomB, roomC]) await call(socket, 'room:join', { roomId: room.id });
    const disconnects: string[] = [];
    for (const socket of [anaOnA, bobOnB]) socket.on('disconnect', (reason) => disconnects.push(reason));
    const socketIds = [anaOnA.id, bobOnB.id];

    const crossed = waitFor<MessageDto>(bobOnB, 'message:created', (m) => m.clientId === 'c-before');
    await send(anaOnA, roomC.id, 'c-before');
    await crossed;

    await redis.down();
    const bobHeard = collect<MessageDto>(bobOnB, 'message:created');
    const anaHeard = collect<MessageDto>(anaOnA, 'message:created');
    const bobSyncs = collect<RoomSyncEvent>(bobOnB, 'room:sync');
    const anaSyncs = collect<RoomSyncEvent>(anaOnA, 'room:sync');
    const outageStarted = Date.now();
    const onA = [(await send(anaOnA, roomA.id, 'a-1')).message, (await send(anaOnA, roomA.id, 'a-2')).message];
    const onB = [(await send(bobOnB, roomB.id, 'b-1')).message];
    await settle(1_000);
    // Each node delivered its own writes to its own sockets only.
    expect(anaHeard.map((m) => m.clientId)).toEqual(['a-1', 'a-2']);
    expect(bobHeard.map((m) => m.clientId)).toEqual(['b-1']);

    await sleep(OUTAGE_MS - (Date.now() - outageStarted));
    // Restarted empty: nothing of the outage survives in Redis; the nodes' own memory must do.
    await redis.up();
    const back = Date.now();

    // No message is sent after the outage: only the nodes' announcements can bring these.
    await until("node A's outage messages on node B", () => bobHeard.length === 3, CROSS_OVER_MS);
    await until("node B's outage message on node A", () => anaHeard.length === 3, CROSS_OVER_MS);
    expect(Date.now() - back).toBeLessThan(CROSS_OVER_MS);
    expect(bobHeard.map((m) => [m.clientId, m.id])).toEqual([
      ['b-1', itemAt(onB, 0).id],
      ['a-1', itemAt(onA, 0).id],
      ['a-2', itemAt(onA, 1).id],
    ]);
    expect(anaHeard.map((m) => [m.clientId, m.id])).toEqual([
      ['a-1', itemAt(onA, 0).id],
      ['a-2', itemAt(onA, 1).id],
      ['b-1', itemAt(onB, 0).id],
    ]);

    // Then room:sync with each room's head as the database has it, after the messages it covers.
    const expected = await Promise.all([head(roomA.id), head(roomC.id)]);
    await until(
      'room:sync for rooms A and C on node B',
      () => expected.every((e) => bobSyncs.some((s) => s.roomId === e.roomId)),
      CROSS_OVER_MS,
    );
    await until('room:sync for room B on node A', () => anaSyncs.some((s) => s.roomId === roomB.id), CROSS_OVER_MS);
    for (const e of expected) expect(bobSyncs.find((s) => s.roomId === e.roomId)).toEqual(e);
    expect(anaSyncs.find((s) => s.roomId === roomB.id)).toEqual(await head(roomB.id));
    expect(expected[0]).toMatchObject({ lastSeq: 2 });

    // Live: the same sockets, never reconnected.
    expect(disconnects).toEqual([]);
    expect([anaOnA.id, bobOnB.id]).toEqual(socketIds);
    // And fan-out works again as usual.
    const after = waitFor<MessageDto>(bobOnB, 'message:created', (m) => m.clientId === 'a-after');
    await send(anaOnA, roomA.id, 'a-after');
    expect((await after).seq).toBe(3);
  }, 60_000);
});
