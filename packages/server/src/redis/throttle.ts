import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { Rate } from '../config.js';

export interface ThrottleResult {
  allowed: boolean;
  /** How long to wait before the next attempt can succeed; 0 when allowed. */
  retryAfterMs: number;
}

/** Rate limiter by key (GCRA: `limit` requests at once, then one every period/limit). */
export interface Throttle {
  consume(key: string, rate: Rate): Promise<ThrottleResult>;
}

/** One step of GCRA from the stored theoretical arrival time. */
export function gcraStep(storedTat: number | undefined, now: number, rate: Rate): { result: ThrottleResult; tat: number } {
  const interval = rate.periodMs / rate.limit;
  const tat = Math.max(storedTat ?? now, now) + interval;
  const excess = tat - now - rate.periodMs;
  if (excess > 0) return { result: { allowed: false, retryAfterMs: Math.ceil(excess) }, tat: storedTat ?? now };
  return { result: { allowed: true, retryAfterMs: 0 }, tat };
}

/** Per-process limits: the single-node default, and the fallback while Redis is unreachable. */
export function createMemoryThrottle(): Throttle {
  const tats = new Map<string, number>();
  let lastSweep = Date.now();
  return {
    async consume(key, rate) {
      const now = Date.now();
      if (now - lastSweep > 60_000) {
        for (const [k, tat] of tats) if (tat < now) tats.delete(k);
        lastSweep = now;
      }
      const { result, tat } = gcraStep(tats.get(key), now, rate);
      tats.set(key, tat);
      return result;
    },
  };
}

// Atomic GCRA on Redis time: one round trip, no read-then-write race between nodes.
const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[1])
local interval = period / tonumber(ARGV[2])
local stored = tonumber(redis.call('GET', KEYS[1]))
local tat = math.max(stored or now, now) + interval
local excess = tat - now - period
if excess > 0 then
  return { 0, math.ceil(excess) }
end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now))
return { 1, 0 }
`;

type RedisWithGcra = Redis & {
  confabGcra(key: string, periodMs: number, limit: number): Promise<[number, number]>;
};

/** Cluster-wide limits in Redis; falls back to per-process limits when Redis fails. */
export function createRedisThrottle(redis: Redis, prefix: string, logger: Logger): Throttle {
  if (!('confabGcra' in redis)) redis.defineCommand('confabGcra', { numberOfKeys: 1, lua: GCRA_SCRIPT });
  const fallback = createMemoryThrottle();
  let degraded = false;
  return {
    async consume(key, rate) {
      try {
        const [allowed, retryAfterMs] = await (redis as RedisWithGcra).confabGcra(`${prefix}throttle:${key}`, rate.periodMs, rate.limit);
        if (degraded) {
          degraded = false;
          logger.info('throttle back on redis');
        }
        return { allowed: allowed === 1, retryAfterMs };
      } catch (err) {
        if (!degraded) {
          degraded = true;
          logger.warn({ err: (err as Error).message }, 'throttle falling back to per-process limits');
        }
        return fallback.consume(key, rate);
      }
    },
  };
}
