import type { MessageDto } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export const CACHED_MESSAGES = 50;
const TTL_MS = 24 * 3_600_000;

/**
 * The latest messages of each room, tagged with the room version they reflect. A reader passes
 * the room's current version and gets the page only if it matches, so a stale cache is never
 * served; writers apply each change only on top of the version right before it (else drop it).
 */
export interface MessageCache {
  /** Cached latest messages (ascending seq) when they reflect exactly `version`, else null. */
  read(roomId: string, version: number): Promise<MessageDto[] | null>;
  /** Stores the latest page read from the database at `version` (unless the cache is newer). */
  fill(roomId: string, version: number, messages: MessageDto[]): Promise<void>;
  /** Applies the change that moved the room to `version` (a new or changed message). */
  apply(roomId: string, version: number, message: MessageDto): Promise<void>;
  /** Forgets the room's page (its messages were deleted outside the versioned writes: retention, erasure). */
  drop(roomId: string): Promise<void>;
}

interface Entry {
  version: number;
  bySeq: Map<number, MessageDto>;
}

function upsertLatest(bySeq: Map<number, MessageDto>, message: MessageDto): void {
  bySeq.set(message.seq, message);
  if (bySeq.size <= CACHED_MESSAGES) return;
  const oldest = [...bySeq.keys()].sort((a, b) => a - b).slice(0, bySeq.size - CACHED_MESSAGES);
  for (const seq of oldest) bySeq.delete(seq);
}

/** Single-node cache in process memory, bounded by room count (least recently used goes). */
export function createMemoryMessageCache(maxRooms = 10_000): MessageCache {
  const rooms = new Map<string, Entry>();
  const touch = (roomId: string, entry: Entry) => {
    rooms.delete(roomId);
    rooms.set(roomId, entry);
    if (rooms.size > maxRooms) rooms.delete(rooms.keys().next().value!);
  };
  return {
    async read(roomId, version) {
      const entry = rooms.get(roomId);
      if (!entry || entry.version !== version) return null;
      touch(roomId, entry);
      return [...entry.bySeq.values()].sort((a, b) => a.seq - b.seq);
    },
    async fill(roomId, version, messages) {
      const entry = rooms.get(roomId);
      if (entry && entry.version >= version) return;
      touch(roomId, { version, bySeq: new Map(messages.slice(-CACHED_MESSAGES).map((m) => [m.seq, m])) });
    },
    async drop(roomId) {
      rooms.delete(roomId);
    },
    async apply(roomId, version, message) {
      const entry = rooms.get(roomId);
      if (!entry) return;
      if (entry.version !== version - 1) {
        rooms.delete(roomId);
        return;
      }
      entry.version = version;
      upsertLatest(entry.bySeq, message);
    },
  };
}

const READ = `
local v = redis.call('GET', KEYS[2])
if not v or v ~= ARGV[1] then return false end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

const FILL = `
local v = redis.call('GET', KEYS[2])
if v and tonumber(v) >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const APPLY = `
local v = redis.call('GET', KEYS[2])
if not v then return 0 end
if tonumber(v) ~= tonumber(ARGV[1]) - 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return -1
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/**
 * A cached message as stored by any server version: entries written before the sender carried
 * `lastName` (they live up to a day) read as null there, like a user without one.
 */
export function decodeCachedMessage(row: string): MessageDto {
  const message = JSON.parse(row) as MessageDto;
  if (message.sender) message.sender.lastName ??= null;
  return message;
}

/** The Redis keys of a room's cached messages and of the version they reflect (the room cache reads them too). */
export const messageCacheKeys = (prefix: string, roomId: string): [string, string] => [
  `${prefix}cache:${roomId}`,
  `${prefix}cache:${roomId}:v`,
];

type CacheRedis = Redis & {
  confabCacheRead(zset: string, version: string, expected: number): Promise<string[] | null>;
  confabCacheFill(zset: string, version: string, ...args: (string | number)[]): Promise<number>;
  confabCacheApply(zset: string, version: string, v: number, seq: number, json: string, max: number, ttl: number): Promise<number>;
};

/**
 * Shared by every node. Each operation is one Lua script, so a change can't interleave with a
 * fill. Redis errors are not fatal: reads then miss and writes are dropped (the version check
 * keeps later reads correct).
 */
export function createRedisMessageCache(redis: Redis, prefix: string, logger: Logger): MessageCache {
  const r = redis as CacheRedis;
  if (!('confabCacheRead' in redis)) {
    redis.defineCommand('confabCacheRead', { numberOfKeys: 2, lua: READ });
    redis.defineCommand('confabCacheFill', { numberOfKeys: 2, lua: FILL });
    redis.defineCommand('confabCacheApply', { numberOfKeys: 2, lua: APPLY });
  }
  const keys = (roomId: string) => messageCacheKeys(prefix, roomId);
  const warn = (op: string) => (err: Error) => {
    logger.warn({ err: err.message, op }, 'message cache unavailable');
    return null;
  };
  return {
    async read(roomId, version) {
      const rows = await r.confabCacheRead(...keys(roomId), version).catch(warn('read'));
      return rows ? rows.map(decodeCachedMessage) : null;
    },
    async fill(roomId, version, messages) {
      const args = messages.slice(-CACHED_MESSAGES).flatMap((m) => [m.seq, JSON.stringify(m)]);
      await r.confabCacheFill(...keys(roomId), version, TTL_MS, ...args).catch(warn('fill'));
    },
    async drop(roomId) {
      await redis.del(...keys(roomId)).catch(warn('drop'));
    },
    async apply(roomId, version, message) {
      const [zset, v] = keys(roomId);
      await r.confabCacheApply(zset, v, version, message.seq, JSON.stringify(message), CACHED_MESSAGES, TTL_MS).catch(warn('apply'));
    },
  };
}
