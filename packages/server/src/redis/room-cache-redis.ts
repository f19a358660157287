import type { RoomKind } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { decodeCachedMessage, messageCacheKeys } from './message-cache.js';
import {
  changesByScope,
  type MemberRole,
  newTicket,
  ROOM_TTL_MS,
  type RoomCache,
  type RoomChange,
  roomScope,
  WRITE_TTL_MS,
} from './room-cache.js';

/** Generations outlive every entry that depends on them (an expired counter restarting could repeat a value). */
const GEN_TTL_MS = 2 * 24 * 3_600_000;
const RETRY_MS = 1_000;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: epoch, gen, room, the message cache's rows and version. ARGV: user id, '1' for the cached page,
// the version of the page the caller holds ('held' instead of the rows when it is that one).
const PEEK = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local gen = redis.call('GET', KEYS[2]) or '0'
local h = redis.call('HMGET', KEYS[3], 'e', 'b', 'n', 'a', 'k', 'v', 'm:' .. ARGV[1])
if h[1] ~= epoch or not h[2] or tonumber(h[2]) + tonumber(h[3] or '0') ~= tonumber(gen) then return {epoch, gen} end
local page = false
if ARGV[2] == '1' and h[6] and redis.call('GET', KEYS[5]) == h[6] then
  if ARGV[3] == h[6] then page = 'held' else page = redis.call('ZRANGE', KEYS[4], 0, -1) end
end
return {epoch, gen, h[4], h[5], h[6], h[7], page}
`;

// KEYS: epoch, gen, pending, room. ARGV: epoch, gen, room ttl, gen ttl, app, kind, version, then user/role pairs.
const FILL = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] or (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
local h = redis.call('HMGET', KEYS[4], 'e', 'b', 'n')
if h[1] ~= ARGV[1] or not h[2] or tonumber(h[2]) + tonumber(h[3] or '0') ~= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[4])
  redis.call('HSET', KEYS[4], 'e', ARGV[1], 'b', ARGV[2], 'n', 0, 'a', ARGV[5], 'k', ARGV[6], 'v', ARGV[7])
end
for i = 8, #ARGV, 2 do redis.call('HSET', KEYS[4], 'm:' .. ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[4], ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1
`;

// KEYS: gen and pending of each scope. ARGV: token, write ttl, gen ttl.
const BEGIN = `
${NOW}
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
  redis.call('ZADD', KEYS[i + 1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i + 1], tonumber(ARGV[2]) * 2)
end
return 1
`;

// KEYS: epoch, then gen, pending, room of each scope. ARGV: token, gen ttl, then per scope the change
// as JSON ('' for a scope without a room entry, or when the write failed).
const END = `
local epoch = redis.call('GET', KEYS[1]) or '0'
for i = 0, (#KEYS - 1) / 3 - 1 do
  local gen, pending, room, change = KEYS[2 + i * 3], KEYS[3 + i * 3], KEYS[4 + i * 3], ARGV[3 + i]
  if redis.call('ZREM', pending, ARGV[1]) == 0 then
    redis.call('INCR', gen)
    redis.call('PEXPIRE', gen, ARGV[2])
  elseif change ~= '' and redis.call('HGET', room, 'e') == epoch then
    local c = cjson.decode(change)
    if c.v and c.v > tonumber(redis.call('HGET', room, 'v') or '0') then redis.call('HSET', room, 'v', c.v) end
    if c.m then for user, role in pairs(c.m) do redis.call('HSET', room, 'm:' .. user, role) end end
    redis.call('HINCRBY', room, 'n', 1)
  end
end
return 1
`;

// KEYS: gens to bump. ARGV: gen ttl.
const INVALIDATE = `
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return 1
`;

// KEYS: epoch, entry, then the guards' gens. ARGV: gen key prefix.
// Returns the value, or the stamp {epoch, gens...} of the guards.
const READ_DERIVED = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local h = redis.call('HMGET', KEYS[2], 'e', 'd', 'v')
if h[1] == epoch and h[3] then
  local deps = cjson.decode(h[2])
  local ok = true
  for i = 1, #deps, 2 do
    if (redis.call('GET', ARGV[1] .. deps[i]) or '0') ~= deps[i + 1] then ok = false break end
  end
  if ok then return h[3] end
end
local stamp = {epoch}
for i = 3, #KEYS do stamp[#stamp + 1] = redis.call('GET', KEYS[i]) or '0' end
return stamp
`;

// KEYS: epoch, entry, gen and pending of each guard, then the gens of the scopes it depends on.
// ARGV: epoch, ttl, gen ttl, guard count, value, the guards' gens, then the names of the scopes it depends on.
const FILL_DERIVED = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
${NOW}
local guards = tonumber(ARGV[4])
for i = 1, guards do
  local gen, pending = KEYS[1 + i * 2], KEYS[2 + i * 2]
  if (redis.call('GET', gen) or '0') ~= ARGV[5 + i] then return 0 end
  redis.call('ZREMRANGEBYSCORE', pending, '-inf', now)
  if redis.call('ZCARD', pending) > 0 then return 0 end
end
local deps = {}
local first = 2 + guards * 2
for j = 1, #KEYS - first do
  deps[#deps + 1] = ARGV[5 + guards + j]
  deps[#deps + 1] = redis.call('GET', KEYS[first + j]) or '0'
  if redis.call('EXISTS', KEYS[first + j]) == 1 then redis.call('PEXPIRE', KEYS[first + j], ARGV[3]) end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'e', ARGV[1], 'd', cjson.encode(deps), 'v', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

type Args = (string | number)[];
type RoomCacheRedis = Redis & {
  confabRoomPeek(...args: Args): Promise<(string | string[] | null)[]>;
  confabRoomFill(...args: Args): Promise<number>;
  confabRoomBegin(numKeys: number, ...args: Args): Promise<number>;
  confabRoomEnd(numKeys: number, ...args: Args): Promise<number>;
  confabRoomInvalidate(numKeys: number, ...args: Args): Promise<number>;
  confabDerivedRead(numKeys: number, ...args: Args): Promise<string | string[]>;
  confabDerivedFill(numKeys: number, ...args: Args): Promise<number>;
};

function define(redis: Redis): RoomCacheRedis {
  if (!('confabRoomPeek' in redis)) {
    redis.defineCommand('confabRoomPeek', { numberOfKeys: 5, lua: PEEK });
    redis.defineCommand('confabRoomFill', { numberOfKeys: 4, lua: FILL });
    redis.defineCommand('confabRoomBegin', { lua: BEGIN });
    redis.defineCommand('confabRoomEnd', { lua: END });
    redis.defineCommand('confabRoomInvalidate', { lua: INVALIDATE });
    redis.defineCommand('confabDerivedRead', { lua: READ_DERIVED });
    redis.defineCommand('confabDerivedFill', { lua: FILL_DERIVED });
  }
  return redis as RoomCacheRedis;
}

/**
 * Whether this node may serve from the cache. Writes made while Redis was unreachable (by any
 * node) could not register, so every cached entry may be stale once it is back: after each
 * (re)connection, and after any write of this node that failed to register, the node bumps the
 * epoch (dropping every entry of every node) before it trusts the cache again. One per client and
 * prefix, so a restarted app on the same client adds no listeners.
 */
class Trust {
  trusted = false;
  private bumping = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly epochKey: string,
    private readonly logger: Logger,
  ) {
    redis.on('ready', () => this.lost());
    redis.on('close', () => (this.trusted = false));
    if (redis.status === 'ready') this.lost();
  }

  /** Something may have been written without registering: stop serving until the epoch moved. */
  lost(): void {
    this.trusted = false;
    if (this.bumping) return;
    this.bumping = true;
    this.redis.incr(this.epochKey).then(
      () => {
        this.bumping = false;
        this.trusted = true;
      },
      (err: Error) => {
        this.bumping = false;
        this.logger.warn({ err: err.message }, 'room cache: could not invalidate after an outage; retrying');
        if (!this.retry && this.redis.status === 'ready') {
          this.retry = setTimeout(() => {
            this.retry = null;
            if (!this.trusted) this.lost();
          }, RETRY_MS);
          this.retry.unref();
        }
      },
    );
  }
}

const trusts = new WeakMap<Redis, Map<string, Trust>>();

function trustOf(redis: Redis, epochKey: string, logger: Logger): Trust {
  let byKey = trusts.get(redis);
  if (!byKey) trusts.set(redis, (byKey = new Map()));
  let trust = byKey.get(epochKey);
  if (!trust) byKey.set(epochKey, (trust = new Trust(redis, epochKey, logger)));
  return trust;
}

const encodeRole = (role: MemberRole) => role ?? '-';
const decodeRole = (value: string | null | undefined): MemberRole | undefined =>
  value === null || value === undefined ? undefined : value === '-' ? null : (value as MemberRole);

function encodeChange(change: RoomChange): string {
  const members = change.members ? Object.fromEntries(Object.entries(change.members).map(([u, r]) => [u, encodeRole(r)])) : undefined;
  return JSON.stringify({ ...(change.version !== undefined ? { v: change.version } : {}), ...(members ? { m: members } : {}) });
}

/**
 * Shared by every node (rules in room-cache.ts). Each operation is one Lua script. Redis errors
 * are not fatal: reads then go to the database, and a write that could not register makes this
 * node invalidate everything once Redis answers again (see Trust).
 */
export function createRedisRoomCache(redis: Redis, prefix: string, logger: Logger, { writeTtlMs = WRITE_TTL_MS } = {}): RoomCache {
  const r = define(redis);
  const epochKey = `${prefix}rc:epoch`;
  const trust = trustOf(redis, epochKey, logger);
  const genKey = (scope: string) => `${prefix}rc:g:${scope}`;
  const pendingKey = (scope: string) => `${prefix}rc:p:${scope}`;
  const roomKey = (roomId: string) => `${prefix}rc:r:${roomId}`;
  const derivedKey = (key: string) => `${prefix}rc:d:${key}`;
  const warn = (op: string) => (err: Error) => {
    logger.warn({ err: err.message, op }, 'room cache unavailable');
    return null;
  };
  const unregistered = (op: string) => (err: Error) => {
    warn(op)(err);
    trust.lost();
    return null;
  };

  return {
    async peek(id, user, latest) {
      const [roomId, userId] = [id.toLowerCase(), user.toLowerCase()];
      if (!trust.trusted) return { stamp: null, room: null, role: undefined };
      const keys = [epochKey, genKey(roomScope(roomId)), roomKey(roomId), ...messageCacheKeys(prefix, roomId)];
      const reply = await r.confabRoomPeek(...keys, userId, latest ? '1' : '0', latest?.held ?? '').catch(warn('peek'));
      if (!reply) return { stamp: null, room: null, role: undefined };
      type Reply = [string, string, string | null, string | null, string | null, string | null, string[] | 'held' | null];
      const [epoch, gen, appId, kind, version, role, page] = reply as Reply;
      const stamp = { epoch, gens: { [roomScope(roomId)]: gen } };
      if (!appId || !kind || !version) return { stamp, room: null, role: undefined };
      return {
        stamp,
        room: { id: roomId, appId, kind: kind as RoomKind, version: Number(version) },
        role: decodeRole(role),
        latest: page === 'held' ? page : page ? page.map(decodeCachedMessage) : null,
      };
    },

    async fill(stamp, { id, ...bits }, members) {
      if (!trust.trusted) return;
      const room = { id: id.toLowerCase(), ...bits };
      const scope = roomScope(room.id);
      const pairs = Object.entries(members).flatMap(([userId, role]) => [userId.toLowerCase(), encodeRole(role)]);
      await r
        .confabRoomFill(
          ...[epochKey, genKey(scope), pendingKey(scope), roomKey(room.id)],
          ...[stamp.epoch, stamp.gens[scope] ?? '0', ROOM_TTL_MS, GEN_TTL_MS, room.appId, room.kind, room.version],
          ...pairs,
        )
        .catch(warn('fill'));
    },

    async beginWrite(scope) {
      const ticket = newTicket(scope);
      if (!ticket.scopes.length) return ticket;
      const keys = ticket.scopes.flatMap((s) => [genKey(s), pendingKey(s)]);
      await r.confabRoomBegin(keys.length, ...keys, ticket.token, writeTtlMs, GEN_TTL_MS).catch(unregistered('beginWrite'));
      return ticket;
    },

    async endWrite(ticket, applied) {
      if (!ticket.scopes.length) return;
      const keys = ticket.scopes.flatMap((s) => [genKey(s), pendingKey(s), s.startsWith('room:') ? roomKey(s.slice(5)) : genKey(s)]);
      const byScope = applied && changesByScope(applied);
      const changes = ticket.scopes.map((s) => (byScope && s.startsWith('room:') ? encodeChange(byScope.get(s) ?? {}) : ''));
      await r.confabRoomEnd(keys.length + 1, epochKey, ...keys, ticket.token, GEN_TTL_MS, ...changes).catch(unregistered('endWrite'));
    },

    async invalidate(scope) {
      const keys = newTicket(scope).scopes.map(genKey);
      if (keys.length) await r.confabRoomInvalidate(keys.length, ...keys, GEN_TTL_MS).catch(unregistered('invalidate'));
    },

    async readDerived(key, guards) {
      if (!trust.trusted) return { stamp: null };
      const reply = await r
        .confabDerivedRead(2 + guards.length, epochKey, derivedKey(key), ...guards.map(genKey), genKey(''))
        .catch(warn('readDerived'));
      if (reply === null) return { stamp: null };
      if (typeof reply === 'string') return { value: reply };
      const [epoch = '0', ...gens] = reply;
      return { stamp: { epoch, gens: Object.fromEntries(guards.map((g, i) => [g, gens[i] ?? '0'])) } };
    },

    async fillDerived(key, stamp, dependsOn, value, ttlMs) {
      if (!trust.trusted) return;
      const guards = Object.keys(stamp.gens);
      const keys = [epochKey, derivedKey(key), ...guards.flatMap((g) => [genKey(g), pendingKey(g)]), ...dependsOn.map(genKey)];
      const args = [stamp.epoch, ttlMs, GEN_TTL_MS, guards.length, value, ...guards.map((g) => stamp.gens[g] ?? '0'), ...dependsOn];
      await r.confabDerivedFill(keys.length, ...keys, ...args).catch(warn('fillDerived'));
    },
  };
}
