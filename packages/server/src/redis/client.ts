import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection that fails fast while disconnected (callers fall back to in-process
 * behaviour) and never crashes the process on connection errors.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    // Commands issued in one turn of the event loop (a batch's cache updates, its fan-out) go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastLoggedAt = 0;
  redis.on('error', (err: Error) => {
    // Reconnect attempts repeat the same error: one line every 10 s is enough.
    if (Date.now() - lastLoggedAt > 10_000) {
      lastLoggedAt = Date.now();
      logger.warn({ err: err.message }, 'redis connection error');
    }
  });
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
