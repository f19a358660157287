import { performance } from 'node:perf_hooks';

import { Redis } from 'ioredis';
import pg from 'pg';

import { createRoom, createTenant, signInUsers, startConfab } from '../confab.js';
import { type BenchContext, profiled } from '../context.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, summarize, type Summary } from '../stats.js';

/** Requests made before sampling, on Confab and on the baseline alike. */
const WARM_UP = 200;
const ROOM_SIZE = 100_000;
const PAGE = 50;

async function sample(times: number, before: () => Promise<unknown>, request: () => Promise<void>): Promise<Summary> {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) {
    await before();
    const t0 = performance.now();
    await request();
    latencies.push(performance.now() - t0);
  }
  return summarize(latencies);
}

/** A room with 100,000 messages, written straight into the tables (seq and versions as the server keeps them). */
async function seed(db: pg.Pool, roomId: string, senderId: string): Promise<void> {
  await db.query(
    `insert into messages (room_id, seq, version, created_version, sender_id, client_id, text, created_at)
     select $1, g, g, g, $2, 'seed-' || g, 'History message number ' || g || ', of ordinary length for a chat benchmark.',
            now() - ($3 - g) * interval '1 second'
     from generate_series(1, $3::int) g`,
    [roomId, senderId, ROOM_SIZE],
  );
  await db.query('update rooms set last_seq = $2, version = $2, last_message_at = now() where id = $1', [roomId, ROOM_SIZE]);
  await db.query('analyze messages');
}

export async function p4History(ctx: BenchContext): Promise<ScenarioResult> {
  const times = ctx.quick ? 200 : 1_000;
  const node = await startConfab(ctx.env, 'p4-confab');
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: 2 });
  const redis = new Redis(ctx.env.redisUrl);
  try {
    const tenant = await createTenant(ctx.env);
    const user = itemAt(await signInUsers(node.url, tenant, 1), 0);
    const roomId = await createRoom(node.url, tenant, user, [user]);
    ctx.log(`  seeding ${ROOM_SIZE.toLocaleString('en-US')} messages…`);
    await seed(db, roomId, user.id);

    const url = `${node.url}/v1/rooms/${roomId}/messages?limit=${PAGE}`;
    const headers = { authorization: `Bearer ${user.accessToken}`, 'x-confab-app': tenant.id };
    let checked = false;
    const fetchPage = async () => {
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { items?: { seq: number }[] };
      if (!res.ok) throw new Error(`history: ${res.status} ${JSON.stringify(body)}`);
      if (!checked) {
        const seqs = (body.items ?? []).map((m) => m.seq);
        if (seqs.length !== PAGE || seqs.at(-1) !== ROOM_SIZE)
          throw new Error(`history returned seqs ${seqs[0]}…${seqs.at(-1)} (${seqs.length})`);
        checked = true;
      }
    };
    // The server's cache keys (redis/message-cache.ts) under this run's prefix.
    const cacheKey = `${ctx.env.redisPrefix}cache:${roomId}`;
    const dropCache = () => redis.del(cacheKey, `${cacheKey}:v`);
    // Unmeasured rounds first (both sides), so the samples measure the paths and not the JIT warming up.
    for (let i = 0; i < WARM_UP; i++) await fetchPage();
    const warm = await profiled(ctx, node, 'p4-confab-warm', () => sample(times, async () => undefined, fetchPage));
    const cold = await profiled(ctx, node, 'p4-confab-cold', () => sample(times, dropCache, fetchPage));
    for (let i = 0; i < WARM_UP; i++)
      await db.query('select * from messages where room_id = $1 order by seq desc limit $2', [roomId, PAGE]);
    const sql = await sample(
      times,
      async () => undefined,
      async () => {
        await db.query('select * from messages where room_id = $1 order by seq desc limit $2', [roomId, PAGE]);
      },
    );
    return {
      id: 'P4',
      title: `history: first page of ${PAGE} from a ${ROOM_SIZE.toLocaleString('en-US')}-message room`,
      baseline: 'the same page straight from PostgreSQL (pg, no HTTP)',
      rows: [
        { metric: 'p50 warm (cache)', confab: warm.p50, baseline: sql.p50, unit: 'ms', better: 'lower' },
        { metric: 'p99 warm (cache)', confab: warm.p99, baseline: sql.p99, unit: 'ms', better: 'lower' },
        { metric: 'p50 cold (cache emptied before each request)', confab: cold.p50, baseline: sql.p50, unit: 'ms', better: 'lower' },
        { metric: 'p99 cold', confab: cold.p99, baseline: sql.p99, unit: 'ms', better: 'lower' },
      ],
      target: { text: 'p99 ≤ 5 ms warm, ≤ 15 ms cold', met: warm.p99 <= 5 && cold.p99 <= 15 },
      notes: [`${times} sequential requests each over HTTP keep-alive (GET /v1/rooms/:id/messages?limit=${PAGE}, with auth), one client`],
      raw: { warm, cold, sql, times },
    };
  } finally {
    redis.disconnect();
    await db.end();
    await node.stop();
  }
}
