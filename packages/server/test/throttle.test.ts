import type { MessageDto, RoomDto } from '@confab/protocol';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { createRedis, redisReady } from '../src/redis/client.js';
import { createRedisThrottle } from '../src/redis/throttle.js';
import { startTestServer } from './helpers/server.js';

const silent = pino({ level: 'silent' });
const rate = { limit: 5, periodMs: 60_000 };

describe('message throttle over REST', () => {
  it('refuses sends past MESSAGE_RATE with rate_limited and stores none of them', async () => {
    const server = await startTestServer({ env: { MESSAGE_RATE: '3/minute' } });
    try {
      const tenant = await server.createTenant();
      const ana = await server.member(tenant, 'ana');
      const room = (await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'r' } })).body;
      const send = (clientId: string) =>
        server.request<MessageDto>('POST', `/v1/rooms/${room.id}/messages`, { token: ana.accessToken, body: { clientId, text: clientId } });
      const statuses = [];
      for (const id of ['a', 'b', 'c', 'd', 'e']) statuses.push((await send(id)).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      const limited = await send('f');
      expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } });
      expect((limited.body as unknown as { error: { details: { retryAfterMs: number } } }).error.details.retryAfterMs).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // A retry of a stored send is an answer, not a new message: never throttled.
      expect((await send('a')).status).toBe(200);
      const stored = await server.db('messages').where({ roomId: room.id }).pluck('client_id');
      expect(stored.sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await server.close();
    }
  });
});

describe.runIf(process.env.REDIS_URL)('throttle on Redis', () => {
  const a = createRedis(process.env.REDIS_URL!, silent);
  const b = createRedis(process.env.REDIS_URL!, silent);
  const prefix = `confab:throttle-test:${Date.now()}:`;
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length) await a.del(...keys);
    a.disconnect();
    b.disconnect();
  });

  it('shares one limit between nodes, atomically under concurrent checks', async () => {
    await Promise.all([redisReady(a), redisReady(b)]);
    const nodeA = createRedisThrottle(a, prefix, silent);
    const nodeB = createRedisThrottle(b, prefix, silent);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? nodeA : nodeB).consume('user-1', rate)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterMs > 0)).toBe(true);
  });
});

describe('throttle without Redis', () => {
  it('falls back to per-process limits when Redis is unreachable', async () => {
    const dead = createRedis('redis://127.0.0.1:1', silent);
    try {
      const throttle = createRedisThrottle(dead, 'confab:dead:', silent);
      const results = [];
      for (let i = 0; i < 7; i++) results.push(await throttle.consume('user-1', rate));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
    } finally {
      dead.disconnect();
    }
  });
});
