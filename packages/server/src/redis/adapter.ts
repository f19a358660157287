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
  // The subscriptions wait in the offline queue for as long as Redis is away (even at boot): no
  // command timeout, no retry limit.
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  const warn = (message: string) => {
    let lastLoggedAt = 0;
    return (err: Error) => {
      if (Date.now() - lastLoggedAt > 10_000) {
        lastLoggedAt = Date.now();
        logger.warn({ err: err.message }, message);
      }
      return 0;
    };
  };
  // The adapter does not await these calls: a failure must be logged here, never left unhandled.
  failSoft(pub, ['publish'], warn('cross-node fan-out unavailable (redis); delivering to this node only'));
  // Subscriptions still queued when the connection closes (Redis never came) are rejected.
  failSoft(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'], warn('cross-node fan-out subscription failed (redis)'));
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

/** Replaces each command method of `client` by one whose failure goes to `onError` instead of rejecting. */
function failSoft(client: Redis, methods: ('publish' | 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe')[], onError: (err: Error) => number): void {
  for (const method of methods) {
    const original = (client[method] as (...args: unknown[]) => Promise<unknown>).bind(client);
    Object.assign(client, { [method]: (...args: unknown[]) => original(...args).catch(onError) });
  }
}
