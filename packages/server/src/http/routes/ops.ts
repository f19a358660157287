import type { HealthCheckDto } from '@confab/protocol';
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

async function check(probe: () => Promise<unknown>): Promise<HealthCheckDto> {
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
    route('GET /healthz', {
      tag,
      summary: 'Liveness: the process answers',
      description:
        'Answers `{ status: "ok" }` as long as the process can serve HTTP; it checks no dependency, so a ' +
        'database outage does not get the process restarted. Anyone may call it (no auth). Use `/readyz` ' +
        'to decide whether to send traffic.',
      handler: async () => ({ status: 'ok' }),
    }),
    route('GET /readyz', {
      tag,
      summary: 'Readiness: the database (and Redis, when configured) answer',
      description:
        'Probes PostgreSQL (and Redis, when `REDIS_URL` is set), each within 2 s, and answers 200 with the ' +
        'checks when all pass. Answers 503 with the same shape when one fails (`status: "unavailable"`) and ' +
        'with `status: "draining"` while the node shuts down, so a load balancer moves traffic away. No auth.',
      handler: async ({ status }) => {
        if (drain?.draining) {
          status(503);
          return { status: 'draining' };
        }
        const checks: Record<string, HealthCheckDto> = { database: await check(() => db.raw('select 1')) };
        if (redis) checks.redis = await check(() => redis.ping());
        const ready = Object.values(checks).every((c) => c.ok);
        if (!ready) status(503);
        return { status: ready ? 'ok' : 'unavailable', checks };
      },
    }),
    route('GET /metrics', {
      tag,
      summary: 'Prometheus metrics (confab_*)',
      description:
        'Prometheus text exposition of the `confab_*` counters and histograms (HTTP requests by route ' +
        'pattern, socket events, throttling, webhooks) and the Node.js process metrics. No auth: keep it ' +
        'off the public network, e.g. behind the reverse proxy.',
      handler: async ({ koa }) => {
        koa.type = metrics.registry.contentType;
        return metrics.registry.metrics();
      },
    }),
  ];
}
