import { createTenant, signInUsers, startBaseline, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { closeAll, connectMany, type Endpoint } from '../load/sockets.js';
import type { ServerProcess } from '../processes.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, sleep } from '../stats.js';

// Several loopback source addresses, so that 10,000 connections never exhaust one address's ports.
const SOURCES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const KB = 1024;

interface IdleResult {
  connectMs: number;
  heapPerConn: number;
  rssPerConn: number;
  heapBefore: number;
  heapAfter: number;
  rssBefore: number;
  rssAfter: number;
}

async function hold(
  ctx: BenchContext,
  node: ServerProcess,
  endpoint: Endpoint,
  count: number,
  token?: (i: number) => string,
): Promise<IdleResult> {
  const before = await node.stats(true);
  const { sockets, ms } = await connectMany(endpoint, count, { token, concurrency: 500, localAddresses: SOURCES });
  try {
    await sleep(2_000);
    const after = await node.stats(true);
    ctx.log(
      `  ${node.name}: ${count} sockets in ${Math.round(ms)} ms, heap +${Math.round((after.heapUsed - before.heapUsed) / KB / 1024)} MiB`,
    );
    return {
      connectMs: ms,
      heapPerConn: (after.heapUsed - before.heapUsed) / count,
      rssPerConn: (after.rss - before.rss) / count,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssBefore: before.rss,
      rssAfter: after.rss,
    };
  } finally {
    closeAll(sockets);
  }
}

export async function p3IdleSockets(ctx: BenchContext): Promise<ScenarioResult> {
  const count = ctx.quick ? 2_000 : 10_000;
  const baselineNode = await startBaseline(ctx.env, 'p3-baseline');
  let baseline: IdleResult;
  try {
    baseline = await hold(ctx, baselineNode, { url: baselineNode.url }, count);
  } finally {
    await baselineNode.stop();
  }
  const node = await startConfab(ctx.env, 'p3-confab');
  let confab: IdleResult;
  try {
    const tenant = await createTenant(ctx.env);
    ctx.log(`  signing in ${count} users…`);
    const users = await signInUsers(node.url, tenant, count, 64);
    confab = await hold(ctx, node, { url: node.url, app: tenant.id }, count, (i) => itemAt(users, i).accessToken);
  } finally {
    await node.stop();
  }
  return {
    id: 'P3',
    title: `idle sockets: ${count.toLocaleString('en-US')} authenticated sockets on one node`,
    baseline: 'bare Socket.IO (no auth)',
    rows: [
      {
        metric: 'heap per connection (after GC)',
        confab: confab.heapPerConn / KB,
        baseline: baseline.heapPerConn / KB,
        unit: 'KB',
        better: 'lower',
      },
      { metric: 'RSS per connection', confab: confab.rssPerConn / KB, baseline: baseline.rssPerConn / KB, unit: 'KB', better: 'lower' },
      {
        metric: `time to connect all ${count.toLocaleString('en-US')}`,
        confab: confab.connectMs / 1000,
        baseline: baseline.connectMs / 1000,
        unit: 's',
        better: 'lower',
      },
    ],
    target: {
      text: "≤ 12 KB heap per connection, all connected within 1.5 × the bare server's time",
      met: confab.heapPerConn <= 12 * KB && confab.connectMs <= 1.5 * baseline.connectMs,
    },
    notes: [
      `WebSocket transport, 500 handshakes in flight, from ${SOURCES.length} loopback source addresses; ` +
        `Confab sockets each carry their own user's access token`,
    ],
    raw: { count, confab, baseline },
  };
}
