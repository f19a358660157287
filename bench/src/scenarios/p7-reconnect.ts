import { performance } from 'node:perf_hooks';
import type { MessageDto, RoomJoinResult } from '@confab/protocol';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { createRoom, createTenant, signInUsers, startBaseline, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { closeAll, connectMany, emitAck, joinAll } from '../load/sockets.js';
import { mapLimit, sleep, waitUntil } from '../stats.js';
import type { ScenarioResult } from '../report.js';

const WATCHERS = 1_000;
const BEFORE = 10;
/** Sent right after the drop, while the watchers are away. */
const DURING = 20;
const TIMEOUT_MS = 60_000;

/** Cuts the transport under the client, as a network drop does: the client reconnects by itself. */
const drop = (socket: Socket) => (socket.io as unknown as { engine: { close(): void } }).engine.close();

interface Seen { ids: Map<number, string>; wire: number; conflicts: number }

/** What one watcher holds, merged by seq as the SDK merges: a seq seen with another id is a doubled message. */
function record(seen: Seen, message: { seq: number; id: string }): void {
  seen.wire++;
  const known = seen.ids.get(message.seq);
  if (known && known !== message.id) seen.conflicts++;
  seen.ids.set(message.seq, message.id);
}

const complete = (seen: Seen, total: number) => {
  for (let seq = 1; seq <= total; seq++) if (!seen.ids.has(seq)) return false;
  return true;
};

/**
 * Watchers speak the realtime protocol as the SDK does: `room:join`, then after every reconnect
 * `room:join { since: newest seq held }` for what they missed, merged by seq.
 */
async function measureConfab(ctx: BenchContext) {
  const node = await startConfab(ctx.env, 'p7-confab');
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: 1 });
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, WATCHERS + 1);
    const roomId = await createRoom(node.url, tenant, users[0], users);
    const { sockets } = await connectMany({ url: node.url, app: tenant.id }, WATCHERS + 1, { token: (i) => users[i].accessToken, reconnection: true });
    const [sender, ...watchers] = sockets;
    const seen: Seen[] = watchers.map(() => ({ ids: new Map(), wire: 0, conflicts: 0 }));
    const newest = (s: Seen) => Math.max(0, ...s.ids.keys());
    const join = async (socket: Socket, i: number, since?: number) => {
      const result = await emitAck<RoomJoinResult>(socket, 'room:join', since === undefined ? { roomId } : { roomId, since });
      for (const message of result.messages) record(seen[i], message);
    };
    let rejoined = 0;
    watchers.forEach((socket, i) => {
      socket.on('message:created', (message: MessageDto) => record(seen[i], message));
      socket.io.on('reconnect', () => void join(socket, i, newest(seen[i])).then(() => rejoined++));
    });
    await mapLimit(watchers, 100, (socket, i) => join(socket, i));

    let sent = 0;
    // A send whose ack is lost is retried with the same clientId: it can never be stored twice.
    const send = async () => {
      const payload = { roomId, clientId: `p7-${++sent}`, text: `message ${sent}` };
      for (let attempt = 1; ; attempt++) {
        try {
          return await emitAck(sender, 'message:send', payload, 10_000);
        } catch (err) {
          if (attempt === 5) throw err;
          await sleep(500);
        }
      }
    };
    for (let i = 0; i < BEFORE; i++) await send();
    if (!(await waitUntil(() => seen.every((s) => complete(s, BEFORE)), TIMEOUT_MS))) throw new Error('watchers never received the first messages');

    const started = performance.now();
    for (const socket of watchers) drop(socket);
    for (let i = 0; i < DURING; i++) await send();
    const total = BEFORE + DURING;
    await waitUntil(() => rejoined === WATCHERS && seen.every((s) => complete(s, total)), TIMEOUT_MS, 10);
    const caughtUpMs = performance.now() - started;
    await sleep(1_000);
    const caughtUp = seen.filter((s) => complete(s, total)).length;
    const missed = seen.reduce((n, s) => n + total - [...s.ids.keys()].filter((seq) => seq <= total).length, 0);
    const stored = await db.query('select count(*)::int as rows, count(distinct client_id)::int as distinct from messages where room_id = $1', [roomId]);
    const doubled = seen.reduce((n, s) => n + s.conflicts, 0) + stored.rows[0].rows - stored.rows[0].distinct;
    const redundant = seen.reduce((n, s) => n + s.wire, 0) - WATCHERS * total;
    closeAll(sockets);
    ctx.log(`  confab: ${caughtUp}/${WATCHERS} caught up in ${Math.round(caughtUpMs)} ms, missed ${missed}, doubled ${doubled}`);
    return { caughtUpMs, caughtUp, rejoined, missed, doubled, redundant };
  } finally {
    await db.end();
    await node.stop();
  }
}

/** The bare server has no history: reconnected sockets rejoin, and what was sent meanwhile is gone. */
async function measureBaseline(ctx: BenchContext) {
  const node = await startBaseline(ctx.env, 'p7-baseline');
  try {
    const { sockets } = await connectMany({ url: node.url }, WATCHERS + 1, { reconnection: true });
    const [sender, ...watchers] = sockets;
    await joinAll(sockets, 'bench-room');
    const received = watchers.map(() => new Set<number>());
    let rejoined = 0;
    watchers.forEach((socket, i) => {
      socket.on('message:created', (m: { seq: number }) => received[i].add(m.seq));
      socket.io.on('reconnect', () => void emitAck(socket, 'room:join', { roomId: 'bench-room' }).then(() => rejoined++));
    });
    let sent = 0;
    const send = () => emitAck(sender, 'message:send', { roomId: 'bench-room', clientId: `p7-${++sent}`, text: `message ${sent}` });
    for (let i = 0; i < BEFORE; i++) await send();
    await waitUntil(() => received.every((r) => r.size === BEFORE), TIMEOUT_MS);
    const started = performance.now();
    for (const socket of watchers) drop(socket);
    for (let i = 0; i < DURING; i++) await send();
    await waitUntil(() => rejoined === WATCHERS, TIMEOUT_MS, 10);
    const backMs = performance.now() - started;
    await sleep(1_000);
    const missed = received.reduce((n, r) => n + (BEFORE + DURING - r.size), 0);
    closeAll(sockets);
    ctx.log(`  baseline: ${rejoined}/${WATCHERS} back in ${Math.round(backMs)} ms, missed ${missed}`);
    return { backMs, rejoined, missed };
  } finally {
    await node.stop();
  }
}

export async function p7Reconnect(ctx: BenchContext): Promise<ScenarioResult> {
  const baseline = await measureBaseline(ctx);
  const confab = await measureConfab(ctx);
  return {
    id: 'P7',
    title: `reconnect storm: ${WATCHERS.toLocaleString('en-US')} watching clients drop at once`,
    baseline: 'bare Socket.IO (rejoin, no catch-up)',
    rows: [
      { metric: 'time until all are back (Confab: and caught up)', confab: confab.caughtUpMs / 1000, baseline: baseline.backMs / 1000, unit: 's', better: 'lower' },
      { metric: 'clients back / caught up', confab: confab.caughtUp, baseline: baseline.rejoined },
      { metric: 'messages missed', confab: confab.missed, baseline: baseline.missed },
      { metric: 'messages doubled', confab: confab.doubled, baseline: 0 },
    ],
    target: { text: 'all back and caught up ≤ 5 s, nothing missed, nothing doubled', met: confab.caughtUp === WATCHERS && confab.caughtUpMs <= 5_000 && confab.missed === 0 && confab.doubled === 0 },
    notes: [
      `every watcher's transport is cut at once and ${DURING} messages are sent while they are away; socket.io-client reconnects them (default backoff, 1 s randomized ±50%) and they rejoin with since = their newest seq, as the SDK does`,
      `doubled counts a seq held with two different messages plus rows stored twice; the ${confab.redundant} redundant wire copies (a message both live and in a catch-up) are merged away by seq`,
      'the bare server keeps no history, so its sockets miss what was sent while they were away',
    ],
    raw: { confab, baseline },
  };
}
