import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Who is online. Each connection is registered with an expiry that its node keeps extending
 * (heartbeat); connections of a node that died expire, and a sweep reports their users offline.
 */
export interface Presence {
  /**
   * Registers a connection unless the user already has `max` live ones (on any node; no cap
   * without `max`): one atomic check, so concurrent handshakes cannot all slip under the cap.
   * Admits when presence is down.
   */
  admit(userId: string, connId: string, max?: number): Promise<Admission>;
  /** Removes a connection; true when it was the user's last one. */
  disconnect(userId: string, connId: string): Promise<boolean>;
  /** Extends the expiry of this node's live connections. */
  heartbeat(connections: { userId: string; connId: string }[]): Promise<void>;
  /** Users whose every connection expired; each is reported by exactly one node. */
  sweep(): Promise<string[]>;
  online(userIds: string[]): Promise<Set<string>>;
}

export interface Admission {
  admitted: boolean;
  /** The user was offline before this connection. */
  cameOnline: boolean;
}

export const PRESENCE_TTL_MS = 30_000;

/** Single node: connections counted in memory; nothing can expire behind the process's back. */
export function createMemoryPresence(): Presence {
  const byUser = new Map<string, Set<string>>();
  return {
    async admit(userId, connId, max = Infinity) {
      const conns = byUser.get(userId) ?? new Set<string>();
      if (conns.size >= max && !conns.has(connId)) return { admitted: false, cameOnline: false };
      const wasOffline = conns.size === 0;
      conns.add(connId);
      byUser.set(userId, conns);
      return { admitted: true, cameOnline: wasOffline };
    },
    async disconnect(userId, connId) {
      const conns = byUser.get(userId);
      if (!conns?.delete(connId)) return false;
      if (conns.size) return false;
      byUser.delete(userId);
      return true;
    },
    async heartbeat() {},
    async sweep() {
      return [];
    },
    async online(userIds) {
      return new Set(userIds.filter((id) => byUser.has(id)));
    },
  };
}

// KEYS[1] user hash (connId -> expiresAt), KEYS[2] zset of users by latest expiry. ARGV[1] now.
const PRUNE = `
local function prune(key, now)
  local live, latest = 0, 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local exp = tonumber(all[i + 1])
    if exp <= now then redis.call('HDEL', key, all[i]) else live = live + 1; if exp > latest then latest = exp end end
  end
  return live, latest
end
`;

// ARGV[5]: most live connections the user may have (0: no cap); -1 when this one would pass it.
const CONNECT = `${PRUNE}
local now = tonumber(ARGV[1])
local before = prune(KEYS[1], now)
local max = tonumber(ARGV[5])
if max > 0 and before >= max and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return -1 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
if before == 0 then return 1 else return 0 end
`;

const DISCONNECT = `${PRUNE}
local now = tonumber(ARGV[1])
local existed = redis.call('HDEL', KEYS[1], ARGV[2])
local live = prune(KEYS[1], now)
if live == 0 then
  redis.call('DEL', KEYS[1])
  local removed = redis.call('ZREM', KEYS[2], ARGV[3])
  if existed == 1 or removed == 1 then return 1 end
end
return 0
`;

// KEYS[1] users zset; ARGV[1] now, ARGV[2] user-key prefix. Returns the users now offline.
const SWEEP = `${PRUNE}
local now = tonumber(ARGV[1])
local offline = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
for _, user in ipairs(due) do
  local key = ARGV[2] .. user
  local live, latest = prune(key, now)
  if live == 0 then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], user)
    table.insert(offline, user)
  else
    redis.call('ZADD', KEYS[1], latest, user)
  end
end
return offline
`;

// ARGV[1] now; KEYS: user hashes. Returns 1/0 per key.
const ONLINE = `
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local live = 0
  for _, exp in ipairs(redis.call('HVALS', key)) do
    if tonumber(exp) > now then live = 1; break end
  end
  out[i] = live
end
return out
`;

type PresenceRedis = Redis & {
  confabPresenceConnect(
    user: string,
    users: string,
    now: number,
    connId: string,
    exp: number,
    userId: string,
    max: number,
  ): Promise<number>;
  confabPresenceDisconnect(user: string, users: string, now: number, connId: string, userId: string): Promise<number>;
  confabPresenceSweep(users: string, now: number, userPrefix: string): Promise<string[]>;
  confabPresenceOnline(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/** Presence shared by every node through Redis; a Redis error reads as "unknown" (offline). */
export function createRedisPresence(redis: Redis, prefix: string, logger: Logger, ttlMs = PRESENCE_TTL_MS): Presence {
  const r = redis as PresenceRedis;
  if (!('confabPresenceConnect' in redis)) {
    redis.defineCommand('confabPresenceConnect', { numberOfKeys: 2, lua: CONNECT });
    redis.defineCommand('confabPresenceDisconnect', { numberOfKeys: 2, lua: DISCONNECT });
    redis.defineCommand('confabPresenceSweep', { numberOfKeys: 1, lua: SWEEP });
    redis.defineCommand('confabPresenceOnline', { lua: ONLINE });
  }
  const userPrefix = `${prefix}presence:u:`;
  const usersKey = `${prefix}presence:users`;
  const failed =
    <T>(op: string, fallback: T) =>
    (err: Error): T => {
      logger.warn({ err: err.message, op }, 'presence unavailable');
      return fallback;
    };
  return {
    async admit(userId, connId, max = 0) {
      const now = Date.now();
      const outcome = await r
        .confabPresenceConnect(userPrefix + userId, usersKey, now, connId, now + ttlMs, userId, max)
        .catch(failed('admit', 0));
      return { admitted: outcome !== -1, cameOnline: outcome === 1 };
    },
    async disconnect(userId, connId) {
      return (
        (await r.confabPresenceDisconnect(userPrefix + userId, usersKey, Date.now(), connId, userId).catch(failed('disconnect', 0))) === 1
      );
    },
    async heartbeat(connections) {
      if (!connections.length) return;
      const expiresAt = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const { userId, connId } of connections) {
        pipeline.hset(userPrefix + userId, connId, expiresAt);
        pipeline.pexpireat(userPrefix + userId, expiresAt);
        pipeline.zadd(usersKey, 'GT', expiresAt, userId);
      }
      await pipeline.exec().catch(failed('heartbeat', null));
    },
    async sweep() {
      return r.confabPresenceSweep(usersKey, Date.now(), userPrefix).catch(failed('sweep', [] as string[]));
    },
    async online(userIds) {
      if (!userIds.length) return new Set();
      const flags = await r
        .confabPresenceOnline(userIds.length, ...userIds.map((id) => userPrefix + id), Date.now())
        .catch(failed('online', [] as number[]));
      return new Set(userIds.filter((_, i) => flags[i] === 1));
    },
  };
}
