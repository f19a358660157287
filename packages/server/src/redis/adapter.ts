import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisReady } from './client.js';

export interface RedisAdapter {
  adapter: ReturnType<typeof createAdapter>;
  /** Resolves when both connections are ready, or after `timeoutMs` (the node works locally meanwhile). */
  ready(timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * The classic `@socket.io/redis-adapter` (PUBLISH/PSUBSCRIBE on one Redis) on its own two
 * connections. The adapter publishes without awaiting: while Redis is down, its publishes fail
 * fast and are logged here instead of surfacing as unhandled rejections, and local delivery goes
 * on; the subscriber reconnects and resubscribes by itself when Redis returns.
 */
export function createRedisAdapter(redis: Redis, prefix: string, logger: Logger): RedisAdapter {
  const pub = redis.duplicate();
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  let lastLoggedAt = 0;
  const publish = pub.publish.bind(pub) as (channel: string, message: string | Buffer) => Promise<number>;
  Object.assign(pub, {
    publish: (channel: string, message: string | Buffer) =>
      publish(channel, message).catch((err: Error) => {
        if (Date.now() - lastLoggedAt > 10_000) {
          lastLoggedAt = Date.now();
          logger.warn({ err: err.message }, 'cross-node fan-out unavailable (redis); delivering to this node only');
        }
        return 0;
      }),
  });
  for (const client of [pub, sub]) client.on('error', () => undefined); // logged by the main client
  return {
    adapter: createAdapter(pub, sub, { key: `${prefix}socket.io`, requestsTimeout: 3_000 }),
    ready: async (timeoutMs = 5_000) => {
      await Promise.all([redisReady(pub, timeoutMs), redisReady(sub, timeoutMs)]).catch((err: Error) =>
        logger.warn({ err: err.message }, 'cross-node fan-out not ready yet'),
      );
    },
    close: () => {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
