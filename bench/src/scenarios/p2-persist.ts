import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import pg from 'pg';

import { createRoom, createTenant, signInUsers, startConfab } from '../confab.js';
import { type BenchContext, profiled } from '../context.js';
import { closeAll, connectMany, emitAck } from '../load/sockets.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, mapLimit, summarize, type Summary } from '../stats.js';

const SENDERS = 100;
/** Confab's own pool size (knex default in the server): the baseline gets the same connections. */
const POOL = 10;
const TEXT = 'A persisted chat message of ordinary length, written by one of a hundred senders.';

interface LoopResult {
  count: number;
  perSec: number;
  latency: Summary;
}

/** `SENDERS` loops, each doing one operation after another until time is up. */
async function closedLoop(durationMs: number, operation: (sender: number, n: number) => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      let n = 0;
      while (performance.now() - started < durationMs) {
        const t0 = performance.now();
        await operation(sender, n++);
        latencies.push(performance.now() - t0);
      }
      return n;
    }),
  );
  const elapsed = performance.now() - started;
  const count = counts.reduce((a, b) => a + b, 0);
  return { count, perSec: (count / elapsed) * 1000, latency: summarize(latencies) };
}

export async function p2Persist(ctx: BenchContext): Promise<ScenarioResult> {
  const durationMs = ctx.quick ? 4_000 : 15_000;
  const node = await startConfab(ctx.env, 'p2-confab');
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: POOL });
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, SENDERS);
    // One room per sender: the baseline's rows do not contend either.
    const rooms = await mapLimit(users, 10, (user) => createRoom(node.url, tenant, user, [user]));
    const { sockets } = await connectMany({ url: node.url, app: tenant.id }, SENDERS, { token: (i) => itemAt(users, i).accessToken });
    const run = randomBytes(3).toString('hex');
    let confab: LoopResult;
    try {
      confab = await profiled(ctx, node, 'p2-confab', () =>
        closedLoop(durationMs, async (sender, n) => {
          await emitAck(itemAt(sockets, sender), 'message:send', {
            roomId: itemAt(rooms, sender),
            clientId: `${run}-${sender}-${n}`,
            text: TEXT,
          });
        }),
      );
    } finally {
      closeAll(sockets);
    }
    const stored = Number((await db.query('select count(*) from messages where room_id = any($1)', [rooms])).rows[0].count);

    // The baseline: the same row into a table shaped like messages (same columns, defaults, indexes).
    await db.query('create table bench_insert (like messages including defaults including indexes)');
    await db.query('create sequence bench_insert_seq');
    const baseline = await closedLoop(durationMs, async (sender) => {
      await db.query(
        "insert into bench_insert (room_id, seq, sender_id, client_id, text) values ($1, nextval('bench_insert_seq'), $2, $3, $4)",
        [itemAt(rooms, sender), itemAt(users, sender).id, randomUUID(), TEXT],
      );
    });
    return {
      id: 'P2',
      title: `persist: ${SENDERS} senders in a closed loop`,
      baseline: `single-row INSERT loop (pg, pool ${POOL})`,
      rows: [
        { metric: 'persisted messages/s', confab: confab.perSec, baseline: baseline.perSec, better: 'higher' },
        {
          metric: 'p50 per message (send→ack / INSERT)',
          confab: confab.latency.p50,
          baseline: baseline.latency.p50,
          unit: 'ms',
          better: 'lower',
        },
        { metric: 'p99 per message', confab: confab.latency.p99, baseline: baseline.latency.p99, unit: 'ms', better: 'lower' },
        { metric: 'acked messages found in the database', confab: `${stored} of ${confab.count}`, baseline: '' },
      ],
      target: {
        text: 'persisted messages/s ≥ 1.5 × the plain INSERT loop at the same concurrency, p99 ack ≤ 50 ms',
        met: confab.perSec >= 1.5 * baseline.perSec && confab.latency.p99 <= 50 && stored === confab.count,
      },
      notes: [
        `${durationMs / 1000} s each; Confab: each sender in its own room, over Socket.IO with acks; ` +
          `the baseline inserts the same row with ${SENDERS} concurrent loops over ${POOL} connections, like Confab's pool`,
      ],
      raw: { confab, baseline, stored },
    };
  } finally {
    await db.end();
    await node.stop();
  }
}
