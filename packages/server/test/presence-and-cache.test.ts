import type { MessageDto, RoomDto } from '@confab/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedis, redisReady } from '../src/redis/client.js';
import { createMemoryPresence, createRedisPresence } from '../src/redis/presence.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { settle } from './helpers/sockets.js';

const silent = pino({ level: 'silent' });

describe('presence', () => {
  it('counts connections per user in process: online with the first, offline after the last', async () => {
    const presence = createMemoryPresence();
    expect((await presence.admit('u1', 'a')).cameOnline).toBe(true);
    expect((await presence.admit('u1', 'b')).cameOnline).toBe(false);
    expect(await presence.disconnect('u1', 'a')).toBe(false);
    expect([...(await presence.online(['u1', 'u2']))]).toEqual(['u1']);
    expect(await presence.disconnect('u1', 'b')).toBe(true);
    expect(await presence.disconnect('u1', 'b')).toBe(false);
  });

  describe.runIf(process.env.REDIS_URL)('on Redis', () => {
    const redis = createRedis(process.env.REDIS_URL!, silent);
    const prefix = `confab:presence-test:${Date.now()}:`;
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    it('reports a user offline once, by one node, when their node stops heartbeating', async () => {
      await redisReady(redis);
      const nodeA = createRedisPresence(redis, prefix, silent, 300);
      const nodeB = createRedisPresence(redis, prefix, silent, 300);
      expect((await nodeA.admit('u1', 'A:s1')).cameOnline).toBe(true);
      expect((await nodeB.admit('u1', 'B:s1')).cameOnline).toBe(false);
      expect((await nodeB.admit('u2', 'B:s2')).cameOnline).toBe(true);
      expect([...(await nodeB.online(['u1', 'u2', 'u3']))].sort()).toEqual(['u1', 'u2']);

      // Node A keeps its connection alive; node B "dies" (no heartbeat, no disconnects).
      for (let i = 0; i < 4; i++) {
        await settle(100);
        await nodeA.heartbeat([{ userId: 'u1', connId: 'A:s1' }]);
      }
      const swept = await Promise.all([nodeA.sweep(), nodeB.sweep()]);
      expect(swept.flat()).toEqual(['u2']);
      expect([...(await nodeA.online(['u1', 'u2']))]).toEqual(['u1']);
      expect(await nodeA.disconnect('u1', 'A:s1')).toBe(true);
      expect((await nodeA.online(['u1'])).size).toBe(0);
    });
  });
});

describe('recent-message cache', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('serves the latest page without querying messages, and stays equal to the database through edits, reactions and deletes', async () => {
    const tenant = await server.createTenant();
    const ana = await server.member(tenant, 'ana');
    const room = (await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'cache' } })).body;
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await server.request<MessageDto>('POST', `/v1/rooms/${room.id}/messages`, {
        token: ana.accessToken,
        body: { clientId: `m${i}`, text: `m${i}` },
      });
      ids.push(res.body.id);
    }
    const latest = () =>
      server.request<{ items: MessageDto[]; hasMore: boolean; nextCursor?: string }>('GET', `/v1/rooms/${room.id}/messages?limit=50`, {
        token: ana.accessToken,
      });
    const fromDb = async (nextSeq: number) => {
      // `before` pages skip the cache: the same window read from the database.
      const res = await server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${room.id}/messages?limit=50&before=${nextSeq}`, {
        token: ana.accessToken,
      });
      return res.body.items;
    };

    const first = await latest(); // fills the cache
    expect(first.body.items.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(first.body.hasMore).toBe(true);
    expect(first.body.nextCursor).toBe('11');

    const messageQueries: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/"messages"|\bmessages\b/.test(q.sql)) messageQueries.push(q.sql);
    };
    server.db.on('query', onQuery);
    const cached = await latest();
    server.db.off('query', onQuery);
    expect(messageQueries).toEqual([]);
    expect(cached.body).toEqual(first.body);

    await server.request('PATCH', `/v1/messages/${ids[59]}`, { token: ana.accessToken, body: { text: 'edited' } });
    await server.request('PUT', `/v1/messages/${ids[58]}/reactions/${encodeURIComponent('🎉')}`, { token: ana.accessToken });
    await server.request('DELETE', `/v1/messages/${ids[57]}`, { token: ana.accessToken });
    await server.request('POST', `/v1/rooms/${room.id}/messages`, { token: ana.accessToken, body: { clientId: 'm60', text: 'm60' } });

    const after = (await latest()).body.items;
    const truth = await server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${room.id}/messages?limit=50&after=11`, {
      token: ana.accessToken,
    });
    expect(after).toEqual(truth.body.items);
    expect(after.find((m) => m.id === ids[59])?.text).toBe('edited');
    expect(after.find((m) => m.id === ids[58])?.reactions[0]).toMatchObject({ emoji: '🎉', count: 1 });
    expect(after.find((m) => m.id === ids[57])?.deletedAt).not.toBeNull();
    expect(after.at(-1)?.seq).toBe(61);
    expect(await fromDb(62)).toEqual(after);
  });
});
