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

// A user's hash (connId -> expiresAt) loses its expired connections; gives how many are live and the latest expiry.
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

// Many connections at once (a burst of handshakes): KEYS[1] the users zset, KEYS[1 + i] the user
// hash of connection i; ARGV[1] now, ARGV[2] their expiry, then per connection its connId, user id
// and the most live connections the user may have (0: no cap). Per connection: 1 when its user
// was offline before, 0 when not, -1 when refused (it would pass the cap).
const CONNECT = `${PRUNE}
local now, exp = tonumber(ARGV[1]), ARGV[2]
local out = {}
for i = 2, #KEYS do
  local key, conn, user, max = KEYS[i], ARGV[3 * i - 3], ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1])
  local before = prune(key, now)
  if max > 0 and before >= max and redis.call('HEXISTS', key, conn) == 0 then
    out[i - 1] = -1
  else
    redis.call('HSET', key, conn, exp)
    redis.call('ZADD', KEYS[1], 'GT', exp, user)
    redis.call('PEXPIREAT', key, exp)
    if before == 0 then out[i - 1] = 1 else out[i - 1] = 0 end
  end
end
return out
`;

// KEYS as for CONNECT; ARGV[1] now, then per connection its connId and user id. Per connection:
// 1 when it was its user's last one.
const DISCONNECT = `${PRUNE}
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #KEYS do
  local key, conn, user = KEYS[i], ARGV[2 * i - 2], ARGV[2 * i - 1]
  local existed = redis.call('HDEL', key, conn)
  local live = prune(key, now)
  out[i - 1] = 0
  if live == 0 then
    redis.call('DEL', key)
    local removed = redis.call('ZREM', KEYS[1], user)
    if existed == 1 or removed == 1 then out[i - 1] = 1 end
  end
end
return out
`;

// KEYS as for CONNECT; ARGV[1] the new expiry, then per connection its connId and user id.
const HEARTBEAT = `
local exp = ARGV[1]
for i = 2, #KEYS do
  redis.call('HSET', KEYS[i], ARGV[2 * i - 2], exp)
  redis.call('PEXPIREAT', KEYS[i], exp)
  redis.call('ZADD', KEYS[1], 'GT', exp, ARGV[2 * i - 1])
end
return #KEYS - 1
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
  confabPresenceConnect(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  confabPresenceDisconnect(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  confabPresenceHeartbeat(numKeys: number, ...args: (string | number)[]): Promise<number>;
  confabPresenceSweep(users: string, now: number, userPrefix: string): Promise<string[]>;
  confabPresenceOnline(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/** Connections per script call: a larger burst takes a few calls. */
const BATCH_MAX = 500;

/**
 * Calls made in the same turn of the event loop go to Redis as one script call: a burst of
 * handshakes (or disconnects) costs one command and one round trip, not one each.
 */
function perTurn<A>(run: (batch: A[]) => Promise<number[]>): (arg: A) => Promise<number> {
  let waiting: { arg: A; resolve: (n: number) => void; reject: (err: Error) => void }[] = [];
  const flush = () => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += BATCH_MAX) {
      const batch = all.slice(i, i + BATCH_MAX);
      run(batch.map((w) => w.arg)).then(
        (results) => batch.forEach(({ resolve }, j) => resolve(Number(results[j]))),
        (err: Error) => batch.forEach(({ reject }) => reject(err)),
      );
    }
  };
  return (arg) =>
    new Promise((resolve, reject) => {
      if (!waiting.length) setImmediate(flush);
      waiting.push({ arg, resolve, reject });
    });
}

/** Presence shared by every node through Redis; a Redis error reads as "unknown" (offline). */
export function createRedisPresence(redis: Redis, prefix: string, logger: Logger, ttlMs = PRESENCE_TTL_MS): Presence {
  const r = redis as PresenceRedis;
  if (!('confabPresenceConnect' in redis)) {
    redis.defineCommand('confabPresenceConnect', { lua: CONNECT });
    redis.defineCommand('confabPresenceDisconnect', { lua: DISCONNECT });
    redis.defineCommand('confabPresenceHeartbeat', { lua: HEARTBEAT });
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
  type Conn = { userId: string; connId: string };
  const keys = (batch: Conn[]) => [usersKey, ...batch.map((c) => userPrefix + c.userId)];
  const connect = perTurn<Conn & { max: number }>((batch) => {
    const now = Date.now();
    const args = batch.flatMap((c) => [c.connId, c.userId, c.max]);
    return r.confabPresenceConnect(batch.length + 1, ...keys(batch), now, now + ttlMs, ...args);
  });
  const disconnect = perTurn<Conn>((batch) =>
    r.confabPresenceDisconnect(batch.length + 1, ...keys(batch), Date.now(), ...batch.flatMap((c) => [c.connId, c.userId])),
  );
  return {
    async admit(userId, connId, max = 0) {
      const outcome = await connect({ userId, connId, max }).catch(failed('admit', 0));
      return { admitted: outcome !== -1, cameOnline: outcome === 1 };
    },
    async disconnect(userId, connId) {
      return (await disconnect({ userId, connId }).catch(failed('disconnect', 0))) === 1;
    },
    async heartbeat(connections) {
      const expiresAt = Date.now() + ttlMs;
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < connections.length; i += BATCH_MAX) {
        const batch = connections.slice(i, i + BATCH_MAX);
        const args = batch.flatMap((c) => [c.connId, c.userId]);
        calls.push(r.confabPresenceHeartbeat(batch.length + 1, ...keys(batch), expiresAt, ...args).catch(failed('heartbeat', 0)));
      }
      await Promise.all(calls);
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
