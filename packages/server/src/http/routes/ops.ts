import type { Redis } from 'ioredis';

import { bounded } from '../../bounded.js';
import type { Db } from '../../db/knex.js';
import type { Metrics } from '../../metrics.js';
import type { Drain } from '../../shutdown.js';
import { route } from '../route.js';

const tag = 'operations';

export interface OpsDeps {
  db: Db;
  redis: Redis | null;
  metrics: Metrics;
  /** A draining node (shutting down) is no longer ready, whatever its checks say. */
  drain?: Drain;
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = Date.now();
  try {
    await bounded(probe(), 2_000, 'the check');
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: (err as Error).message };
  }
}

export function opsRoutes({ db, redis, metrics, drain }: OpsDeps) {
  return [
    route({
      method: 'get',
      path: '/healthz',
      tag,
      auth: 'none',
      response: 'Health',
      summary: 'Liveness: the process answers',
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag,
      auth: 'none',
      response: 'Health',
      summary: 'Readiness: the database (and Redis, when configured) answer; 503 otherwise, and `draining` while the node shuts down',
      handler: async ({ status }) => {
        if (drain?.draining) {
          status(503);
          return { status: 'draining' };
        }
        const checks: Record<string, Awaited<ReturnType<typeof check>>> = { database: await check(() => db.raw('select 1')) };
        if (redis) checks.redis = await check(() => redis.ping());
        const ready = Object.values(checks).every((c) => c.ok);
        if (!ready) status(503);
        return { status: ready ? 'ok' : 'unavailable', checks };
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      tag,
      auth: 'none',
      summary: 'Prometheus metrics (confab_*)',
      handler: async ({ koa }) => {
        koa.type = metrics.registry.contentType;
        return metrics.registry.metrics();
      },
    }),
  ];
}
