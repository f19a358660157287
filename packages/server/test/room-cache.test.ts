import { randomBytes, randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

import { createLogger } from '../src/logger.js';
import { createRedis, redisReady } from '../src/redis/client.js';
import { type CachedRoom, createMemoryRoomCache, type RoomCache, roomScope, userScope } from '../src/redis/room-cache.js';
import { createRedisRoomCache } from '../src/redis/room-cache-redis.js';
import { sleep, until } from './helpers/wait.js';

const WRITE_TTL_MS = 150;
const clients: Redis[] = [];

afterAll(async () => {
  for (const redis of clients) {
    const keys = await redis.keys('confab-rc-test-*');
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

async function redisCache(): Promise<RoomCache> {
  const redis = createRedis(process.env.REDIS_URL!, createLogger('silent'));
  clients.push(redis);
  await redisReady(redis);
  const cache = createRedisRoomCache(redis, `confab-rc-test-${randomBytes(4).toString('hex')}:`, createLogger('silent'), {
    writeTtlMs: WRITE_TTL_MS,
  });
  await until('the cache to be trusted', async () => (await cache.peek(randomUUID(), randomUUID())).stamp);
  return cache;
}

const implementations: [string, () => Promise<RoomCache>][] = [
  ['in process', async () => createMemoryRoomCache({ writeTtlMs: WRITE_TTL_MS })],
  ...(process.env.REDIS_URL ? [['Redis', redisCache] as [string, () => Promise<RoomCache>]] : []),
];

describe.each(implementations)('the room cache (%s)', (_, create) => {
  const room = (version = 1): CachedRoom => ({ id: randomUUID(), appId: 'app', kind: 'group', version });
  const user = randomUUID();

  /** A room entry filled as a reader does: peek, read the database, fill. */
  async function filled(cache: RoomCache, bits = room()): Promise<CachedRoom> {
    const { stamp } = await cache.peek(bits.id, user);
    await cache.fill(stamp!, bits, { [user]: 'member' });
    return bits;
  }

  it('serves what a reader filled, for ids in any case', async () => {
    const cache = await create();
    const bits = await filled(cache);
    expect(await cache.peek(bits.id.toUpperCase(), user.toUpperCase())).toMatchObject({ room: bits, role: 'member' });
    expect((await cache.peek(bits.id, randomUUID())).role).toBeUndefined();
  });

  it('refuses a fill from a read that began before a write, or while one is in flight', async () => {
    const cache = await create();
    const bits = room();
    const before = (await cache.peek(bits.id, user)).stamp!;
    const ticket = await cache.beginWrite({ appId: 'app', roomIds: [bits.id] });
    await cache.fill(before, bits, { [user]: 'member' });
    const during = (await cache.peek(bits.id, user)).stamp!;
    await cache.fill(during, bits, { [user]: 'member' });
    expect((await cache.peek(bits.id, user)).room).toBeNull();
    await cache.endWrite(ticket, { [bits.id]: { version: 2 } });
    await cache.fill(before, bits, { [user]: 'member' });
    expect((await cache.peek(bits.id, user)).room).toBeNull();
    await filled(cache, { ...bits, version: 2 });
    expect((await cache.peek(bits.id, user)).room?.version).toBe(2);
  });

  it('keeps an entry current through clean writes, applying versions and roles, and drops it after a failed one', async () => {
    const cache = await create();
    const bits = await filled(cache);
    const first = await cache.beginWrite({ appId: 'app', roomIds: [bits.id], userIds: [user] });
    const second = await cache.beginWrite({ appId: 'app', roomIds: [bits.id] });
    expect((await cache.peek(bits.id, user)).room).toBeNull();
    await cache.endWrite(second, { [bits.id]: { version: 3 } });
    expect((await cache.peek(bits.id, user)).room).toBeNull();
    await cache.endWrite(first, { [bits.id.toUpperCase()]: { version: 2, members: { [user.toUpperCase()]: null } } });
    expect(await cache.peek(bits.id, user)).toMatchObject({ room: { version: 3 }, role: null });
    await cache.endWrite(await cache.beginWrite({ appId: 'app', roomIds: [bits.id] }), null);
    expect((await cache.peek(bits.id, user)).room).toBeNull();
  });

  it("leaves a dead writer's room to the database, then fills again once its registration expired", async () => {
    const cache = await create();
    const bits = await filled(cache);
    await cache.beginWrite({ appId: 'app', roomIds: [bits.id] });
    const peek = await cache.peek(bits.id, user);
    expect(peek.room).toBeNull();
    await cache.fill(peek.stamp!, { ...bits, version: 2 }, {});
    expect((await cache.peek(bits.id, user)).room).toBeNull();
    await sleep(WRITE_TTL_MS + 50);
    await filled(cache, { ...bits, version: 2 });
    expect((await cache.peek(bits.id, user)).room?.version).toBe(2);
  });

  it("drops what was filled after a slow write's registration expired, once that write ends", async () => {
    const cache = await create();
    const bits = room();
    const slow = await cache.beginWrite({ appId: 'app', roomIds: [bits.id] });
    await sleep(WRITE_TTL_MS + 50);
    await filled(cache, bits);
    expect((await cache.peek(bits.id, user)).room).not.toBeNull();
    await cache.endWrite(slow, { [bits.id]: { version: 2 } });
    expect((await cache.peek(bits.id, user)).room).toBeNull();
  });

  it('serves a derived entry while its scopes are unchanged, and refuses fills raced by a write', async () => {
    const cache = await create();
    const bits = room();
    const guards = ['app:app', userScope(user)];
    const key = `list:${randomUUID()}`;
    const miss = await cache.readDerived(key, guards);
    expect(miss).toHaveProperty('stamp');
    const stamp = (miss as { stamp: NonNullable<unknown> }).stamp as Parameters<RoomCache['fillDerived']>[1];
    await cache.fillDerived(key, stamp, [userScope(user), roomScope(bits.id)], '"v1"', 60_000);
    expect(await cache.readDerived(key, guards)).toEqual({ value: '"v1"' });
    await cache.endWrite(await cache.beginWrite({ roomIds: [bits.id] }), {});
    expect(await cache.readDerived(key, guards)).toHaveProperty('stamp');

    const next = (await cache.readDerived(key, guards)) as { stamp: typeof stamp };
    const raced = await cache.beginWrite({ appId: 'app' });
    await cache.fillDerived(key, next.stamp, [userScope(user)], '"v2"', 60_000);
    await cache.endWrite(raced, {});
    await cache.fillDerived(key, next.stamp, [userScope(user)], '"v2"', 60_000);
    expect(await cache.readDerived(key, guards)).toHaveProperty('stamp');
  });
});
