// P7 (docs/limits-and-targets.md): 1,000 `@confab/sdk` clients reconnect at once. Real SDK clients (Node, WebSocket
// only) in several processes watch one room; a network blip resets all their connections at once
// while 20 messages are sent; the SDK reconnects and catches up by itself.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import pg from 'pg';
import type { Socket } from 'socket.io-client';

import { createRoom, createTenant, signInUsers, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { startWatcherFleet, type WatcherFleet } from '../load/sdk-fleet.js';
import { connectOne } from '../load/sockets.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, percentile, sleep } from '../stats.js';
import { BEFORE, createSender, DURING, measureBaseline, measureRawSockets, storedTwice, TIMEOUT_MS, WATCHERS } from './p7-raw-sockets.js';

/** 4 × 250 clients: enough processes that the generator is not the limit on 2 cores. */
const PROCESSES = 4;

const max = (values: number[]) => values.reduce((m, v) => Math.max(m, v), 0);
const median = (values: number[]) => percentile(Float64Array.from(values).sort(), 50);

interface SdkResult {
  ready: number;
  startMs: number;
  /** Until the last client held every message exactly once; NaN when not all did in time. */
  caughtUpMs: number;
  caughtUpP50Ms: number;
  caughtUp: number;
  /** Until the last client was `online` again; NaN when not all were. */
  backMs: number;
  backOnline: number;
  cutSeen: number;
  /** Connections the blip reset (WebSockets plus the SDK's keep-alive HTTP connections). */
  connectionsCut: number;
  /** When the last message sent during the storm was acknowledged to the sender. */
  lastAckMs: number;
  slowestSendMs: number;
  sendRetries: number;
  sendsFailed: number;
  /** From the cut until all caught up (or the deadline): Confab's CPU, and the busiest watcher process's, as shares of one core. */
  serverCpu: number;
  generatorCpu: number;
  missed: number;
  doubled: number;
  mismatched: number;
  onlineAtEnd: number;
}

async function measureSdk(ctx: BenchContext): Promise<SdkResult> {
  const node = await startConfab(ctx.env, 'p7-sdk-confab');
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: 1 });
  let senderSocket: Socket | null = null;
  let fleet: WatcherFleet | null = null;
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, WATCHERS + 1);
    const roomId = await createRoom(node.url, tenant, itemAt(users, 0), users);
    // The sender is on the far side of the blip: it keeps its connection and sends through it.
    senderSocket = await connectOne({ url: node.url, app: tenant.id }, 0, {
      token: () => itemAt(users, 0).accessToken,
      reconnection: true,
    });
    fleet = await startWatcherFleet({
      url: node.url,
      app: tenant.id,
      roomId,
      sessions: users.slice(1).map((u) => u.session),
      processes: PROCESSES,
    });
    ctx.log(`  sdk: ${fleet.ready}/${WATCHERS} clients watching in ${Math.round(fleet.startMs)} ms over ${PROCESSES} processes`);
    for (const error of fleet.errors) ctx.log(`    failed: ${error}`);

    const run = randomBytes(3).toString('hex');
    const clientIds = Array.from({ length: BEFORE + DURING }, (_, i) => `p7-${run}-${i + 1}`);
    const sender = createSender(senderSocket);
    for (const clientId of clientIds.slice(0, BEFORE)) await sender.send(roomId, clientId);
    const warm = await fleet.expect(clientIds.slice(0, BEFORE), TIMEOUT_MS);
    if (warm.caughtUp < fleet.ready)
      ctx.log(`  sdk: only ${warm.caughtUp}/${fleet.ready} clients got the first ${BEFORE} messages before the cut`);

    const cpuBefore = await node.stats();
    const cutAt = performance.now();
    const connectionsCut = await fleet.cut();
    const measured = fleet.expect(clientIds, TIMEOUT_MS);
    let sendsFailed = 0;
    for (const clientId of clientIds.slice(BEFORE)) {
      // Given up after 5 attempts: no client can catch up now, but the figures still come.
      await sender.send(roomId, clientId).catch(() => void sendsFailed++);
    }
    const lastAckMs = performance.now() - cutAt;
    const result = await measured;
    const serverCpu = ((await node.stats()).cpuMs - cpuBefore.cpuMs) / (performance.now() - cutAt);

    await sleep(1_000);
    const { rows } = await db.query<{ id: string; client_id: string }>('select id, client_id from messages where room_id = $1', [roomId]);
    const tally = await fleet.tally(Object.fromEntries(rows.map((r) => [r.client_id, r.id])));
    const sdk: SdkResult = {
      ready: fleet.ready,
      startMs: fleet.startMs,
      caughtUpMs: result.caughtUp === WATCHERS ? max(result.caughtUpMs) : NaN,
      caughtUpP50Ms: median(result.caughtUpMs),
      caughtUp: result.caughtUp,
      backMs: result.backOnline === WATCHERS ? max(result.backOnlineMs) : NaN,
      backOnline: result.backOnline,
      cutSeen: result.cutSeen,
      connectionsCut,
      lastAckMs,
      slowestSendMs: sender.slowestMs,
      sendRetries: sender.retries,
      sendsFailed,
      serverCpu,
      generatorCpu: result.maxProcessCpu,
      missed: tally.missed,
      doubled: tally.doubled + (await storedTwice(db, roomId)),
      mismatched: tally.mismatched,
      onlineAtEnd: tally.online,
    };
    const time = Number.isFinite(sdk.caughtUpMs) ? `in ${Math.round(sdk.caughtUpMs)} ms` : `(not all within ${TIMEOUT_MS / 1000} s)`;
    ctx.log(
      `  sdk: ${sdk.backOnline}/${WATCHERS} back online, ${sdk.caughtUp}/${WATCHERS} caught up ${time}, ` +
        `missed ${sdk.missed}, doubled ${sdk.doubled}; ` +
        `last send acked at ${Math.round(lastAckMs)} ms (slowest ${Math.round(sender.slowestMs)} ms, ` +
        `${sender.retries} retried, ${sendsFailed} failed)`,
    );
    return sdk;
  } finally {
    await fleet?.close();
    senderSocket?.close();
    await db.end();
    await node.stop();
  }
}

const seconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : `not all within ${TIMEOUT_MS / 1000}`);

export async function p7Reconnect(ctx: BenchContext): Promise<ScenarioResult> {
  const baseline = await measureBaseline(ctx);
  const raw = await measureRawSockets(ctx);
  const sdk = await measureSdk(ctx);
  const n = (value: number) => value.toLocaleString('en-US');
  return {
    id: 'P7',
    title: `reconnect storm: ${n(WATCHERS)} \`@confab/sdk\` clients' connections reset at once`,
    baseline: 'bare Socket.IO (rejoin, no catch-up)',
    rows: [
      {
        metric: 'SDK clients: time until all back and caught up',
        confab: seconds(sdk.caughtUpMs),
        baseline: seconds(baseline.backMs),
        unit: 's',
        better: 'lower',
      },
      { metric: 'SDK clients: median time to caught up (of those that did)', confab: sdk.caughtUpP50Ms / 1000, baseline: '', unit: 's' },
      {
        metric: 'SDK clients: time until all back online',
        confab: seconds(sdk.backMs),
        baseline: seconds(baseline.backMs),
        unit: 's',
        better: 'lower',
      },
      {
        metric: `SDK clients back online / caught up (of ${n(WATCHERS)})`,
        confab: `${n(sdk.backOnline)} / ${n(sdk.caughtUp)}`,
        baseline: baseline.rejoined,
      },
      {
        metric: `time until the ${DURING} sends during the storm were acknowledged`,
        confab: seconds(sdk.lastAckMs),
        baseline: seconds(baseline.lastAckMs),
        unit: 's',
        better: 'lower',
      },
      {
        metric: 'slowest send (first attempt → ack) / attempts retried after 10 s / sends failed',
        confab: `${(sdk.slowestSendMs / 1000).toPrecision(3)} s / ${sdk.sendRetries} / ${sdk.sendsFailed}`,
        baseline: `${(baseline.slowestSendMs / 1000).toPrecision(3)} s / ${baseline.sendRetries} / 0`,
      },
      { metric: 'SDK clients: messages missed', confab: sdk.missed, baseline: baseline.missed },
      { metric: 'SDK clients: messages doubled', confab: sdk.doubled, baseline: 0 },
      {
        metric: 'raw sockets, SDK protocol by hand: time until all caught up',
        confab: seconds(raw.caughtUpMs),
        baseline: seconds(baseline.backMs),
        unit: 's',
        better: 'lower',
      },
      {
        metric: 'raw sockets: caught up / missed / doubled',
        confab: `${n(raw.caughtUp)} / ${n(raw.missed)} / ${n(raw.doubled)}`,
        baseline: `${n(baseline.rejoined)} / ${n(baseline.missed)} / 0`,
      },
    ],
    target: {
      text: 'all back and caught up ≤ 5 s, nothing missed, nothing doubled',
      met: sdk.caughtUp === WATCHERS && sdk.caughtUpMs <= 5_000 && sdk.missed === 0 && sdk.doubled === 0,
    },
    notes: [
      `${n(WATCHERS)} SDK clients (${PROCESSES} processes × ${WATCHERS / PROCESSES}, \`transports: ['websocket']\`, ` +
        `one signed-in member each) watch one room; ${BEFORE} messages are sent first`,
      'the cut is a network blip: a TCP relay in front of each process resets every client connection at once ' +
        '(both ends get ECONNRESET) and lets new ones through at once; ' +
        `the sender, on the server's side of it, sends ${DURING} messages right after; ` +
        `the SDK reconnects with its own backoff and catches up with \`since\``,
      `caught up = \`room.state.get().messages\` holds each of the ${BEFORE + DURING} messages exactly once (by clientId, ` +
        `and with the stored id); missed and doubled are counted over every client's final state, ` +
        `doubled also counts rows stored twice`,
      `${n(sdk.ready)} clients were watching before the cut, ${n(sdk.connectionsCut)} connections were reset, ` +
        `${n(sdk.cutSeen)} clients saw it, ${n(sdk.onlineAtEnd)} were online at the end; ` +
        `${sdk.mismatched} held a message under another id than the stored one`,
      'no client can be caught up before the last send is stored and acknowledged: compare the first row with the row of the sends',
      `from the cut until all caught up Confab used ${Math.round(sdk.serverCpu * 100)}% of a core, ` +
        `the busiest watcher process ${Math.round(sdk.generatorCpu * 100)}%`,
      `raw sockets: the same cut under ${n(WATCHERS)} bare socket.io-client sockets in the parent process ` +
        `that rejoin with \`since\` as the SDK does (${raw.redundant} redundant copies merged away by seq); ` +
        `its ${DURING} sends were acknowledged within ${(raw.lastAckMs / 1000).toFixed(2)} s ` +
        `(slowest ${(raw.slowestSendMs / 1000).toFixed(2)} s, ${raw.sendRetries} retried)`,
      'the bare server keeps no history, so its sockets miss what was sent while they were away',
    ],
    raw: { sdk, raw, baseline },
  };
}
