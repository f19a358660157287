import type { AuthSessionDto, HealthDto, MessageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hasRedisServer, PrivateRedis } from './helpers/private-redis.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, request, settle, waitFor } from './helpers/sockets.js';

// Two nodes share one PostgreSQL schema and a private Redis that this test kills and restarts.
describe.runIf(process.env.DATABASE_URL && hasRedisServer)('Redis outage', () => {
  let redis: PrivateRedis;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let carl: AuthSessionDto;
  let room: RoomDto;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    nodeA = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE: '20/minute' } });
    nodeB = await startTestServer({ redisUrl: redis.url, peer: nodeA });
    const tenant = await nodeA.createTenant();
    [ana, bob, carl] = await Promise.all([nodeA.member(tenant, 'ana'), nodeA.member(tenant, 'bob'), nodeA.member(tenant, 'carl')]);
    room = (
      await nodeA.request<RoomDto>('POST', '/v1/rooms', {
        token: ana.accessToken,
        body: { name: 'outage', memberIds: [bob.user.id, carl.user.id] },
      })
    ).body;
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nodeB?.close();
    await nodeA?.close();
    await redis?.down();
  });

  const send = (socket: ClientSocket, clientId: string) =>
    call<{ message: MessageDto }>(socket, 'message:send', { roomId: room.id, clientId, text: clientId });

  it('keeps persisting and delivering on the same node while Redis is down, and fans out across nodes again once it is back', async () => {
    const onA = await connect(nodeA, ana);
    const carlOnA = await connect(nodeA, carl);
    const bobOnB = await connect(nodeB, bob);
    sockets.push(onA, carlOnA, bobOnB);
    for (const s of [onA, carlOnA, bobOnB]) await call(s, 'room:join', { roomId: room.id });

    const crossNode = waitFor<MessageDto>(bobOnB, 'message:created', (m) => m.clientId === 'before');
    await send(onA, 'before');
    const seenByBob = await crossNode;

    await redis.down();
    const bobDuringOutage = collect<MessageDto>(bobOnB, 'message:created');
    const carlDuringOutage = collect<MessageDto>(carlOnA, 'message:created');
    const during = [];
    for (const id of ['during-1', 'during-2', 'during-3']) during.push((await send(onA, id)).message);
    await settle(300);

    expect(during.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(await nodeA.db('messages').where({ roomId: room.id }).count('* as n').first()).toMatchObject({ n: 4 });
    expect(carlDuringOutage.map((m) => m.clientId)).toEqual(['during-1', 'during-2', 'during-3']);
    expect(bobDuringOutage).toEqual([]);
    // Still up, and honest about it.
    expect((await nodeA.request('GET', '/healthz')).status).toBe(200);
    const ready = await nodeA.request<HealthDto>('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks?.redis?.ok).toBe(false);
    // Throttling falls back to per-process limits: a burst past MESSAGE_RATE is still refused.
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(onA, 'message:send', { roomId: room.id, clientId: `flood-${i}`, text: 'x' })),
    );
    expect(flood.filter((a) => a.error?.code === 'rate_limited').length).toBeGreaterThan(0);

    await redis.up();
    // Reconnection takes the client's backoff; retry until a message crosses nodes again.
    let crossed = false;
    for (let attempt = 0; attempt < 30 && !crossed; attempt++) {
      const clientId = `after-${attempt}`;
      const arrived = waitFor<MessageDto>(bobOnB, 'message:created', (m) => m.clientId === clientId, 1_000).then(
        () => true,
        () => false,
      );
      const ack = await request<{ message: MessageDto }>(carlOnA, 'message:send', { roomId: room.id, clientId, text: clientId });
      expect(ack.error).toBeUndefined();
      crossed = await arrived;
    }
    expect(crossed).toBe(true);
    expect((await nodeA.request('GET', '/readyz')).status).toBe(200);

    // Bob missed the outage's messages live; catch-up from his last seq brings exactly them.
    const catchUp = await call<{ messages: MessageDto[] }>(bobOnB, 'room:join', { roomId: room.id, since: seenByBob.seq });
    const fresh = await nodeB.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${room.id}/messages?after=${seenByBob.seq}&limit=100`, {
      token: bob.accessToken,
    });
    expect(catchUp.messages.map((m) => m.id)).toEqual(fresh.body.items.map((m) => m.id));
    expect(catchUp.messages.slice(0, 3).map((m) => m.clientId)).toEqual(['during-1', 'during-2', 'during-3']);
  });
});
