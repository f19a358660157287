import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { redisReady } from './client.js';

export interface RedisAdapter {
  adapter: ReturnType<typeof createAdapter>;
  /** Resolves when both connections are ready, or after `timeoutMs` (the node works locally meanwhile). */
  ready(timeoutMs?: number): Promise<void>;
  /** Whether cross-node fan-out works now: both connections ready, subscriptions in place, publishes going through. */
  healthy(): boolean;
  /** Calls `listener` each time fan-out is seen to fail (false) or to work again (true); returns an unsubscribe. */
  onHealth(listener: (healthy: boolean) => void): () => void;
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
  const sub = redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    enableAutoPipelining: false,
  });
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
  const health = watchHealth(pub, sub);
  const publishFailed = warn('cross-node fan-out unavailable (redis); delivering to this node only');
  // The adapter does not await these calls: a failure must be logged here, never left unhandled.
  failSoft(
    pub,
    ['publish'],
    (err) => {
      health.publishFailed();
      return publishFailed(err);
    },
    health.publishWorked,
  );
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
    healthy: health.healthy,
    onHealth: health.onHealth,
    close: () => {
      health.stop();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/**
 * Follows whether fan-out works. A connection that closes says so at once; a cut that leaves the
 * sockets open shows only as publishes failing (timeouts), and heals when one goes through again.
 */
function watchHealth(pub: Redis, sub: Redis) {
  const listeners = new Set<(healthy: boolean) => void>();
  let pubUp = pub.status === 'ready';
  let subUp = false;
  let publishing = true;
  let healthy = false;
  let stopped = false;
  const update = () => {
    const now = pubUp && subUp && publishing;
    if (now === healthy || stopped) return;
    healthy = now;
    for (const listener of [...listeners]) listener(now);
  };
  pub.on('ready', () => {
    pubUp = true;
    publishing = true;
    update();
  });
  sub.on('ready', () => {
    // ioredis resubscribes right after 'ready': a PING sent behind those subscriptions answers once they are in place.
    setImmediate(() => {
      sub.ping().then(
        () => {
          subUp = sub.status === 'ready';
          update();
        },
        () => undefined,
      );
    });
  });
  const down = (mark: () => void) => () => {
    mark();
    update();
  };
  for (const event of ['close', 'end', 'reconnecting']) {
    pub.on(
      event,
      down(() => (pubUp = false)),
    );
    sub.on(
      event,
      down(() => (subUp = false)),
    );
  }
  return {
    healthy: () => healthy,
    onHealth: (listener: (healthy: boolean) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publishFailed: down(() => (publishing = false)),
    publishWorked: () => {
      if (publishing) return;
      publishing = true;
      update();
    },
    stop: () => {
      stopped = true;
      listeners.clear();
    },
  };
}

/** Replaces each command method of `client` by one whose failure goes to `onError` instead of rejecting. */
function failSoft(
  client: Redis,
  methods: ('publish' | 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe')[],
  onError: (err: Error) => number,
  onSuccess?: () => void,
): void {
  for (const method of methods) {
    const original = (client[method] as (...args: unknown[]) => Promise<unknown>).bind(client);
    const worked = <T>(value: T) => {
      onSuccess?.();
      return value;
    };
    Object.assign(client, { [method]: (...args: unknown[]) => original(...args).then(worked, onError) });
  }
}
