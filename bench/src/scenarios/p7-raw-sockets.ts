// P7's comparison lines, in the parent process: 1,000 bare socket.io-client sockets speaking the
// SDK's catch-up protocol by hand against Confab, and the same sockets against the bare server.
// They reach the server through the same kind of cut proxy as the SDK clients, and are cut alike.
import { performance } from 'node:perf_hooks';

import type { MessageDto, RoomJoinResult } from '@confab/protocol';
import pg from 'pg';
import type { Socket } from 'socket.io-client';

import { createRoom, createTenant, signInUsers, startBaseline, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { startCutProxy } from '../load/cut-proxy.js';
import { closeAll, connectMany, connectOne, emitAck, joinAll } from '../load/sockets.js';
import { itemAt, mapLimit, sleep, waitUntil } from '../stats.js';

export const WATCHERS = 1_000;
export const BEFORE = 10;
/** Sent right after the cut, while the watchers are away. */
export const DURING = 20;
/** How long after the cut a measurement waits before it reports who made it. */
export const TIMEOUT_MS = 60_000;

export interface Sender {
  /**
   * Sends and waits for the ack; a send whose ack does not come in 10 s is retried with the same
   * clientId (it can never be stored twice).
   */
  send(roomId: string, clientId: string): Promise<MessageDto>;
  /** Attempts that got no answer in time. */
  readonly retries: number;
  /** The longest time from a first attempt to its ack. */
  readonly slowestMs: number;
}

export function createSender(socket: Socket): Sender {
  let retries = 0;
  let slowestMs = 0;
  return {
    get retries() {
      return retries;
    },
    get slowestMs() {
      return slowestMs;
    },
    async send(roomId, clientId) {
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const { message } = await emitAck<{ message: MessageDto }>(
            socket,
            'message:send',
            { roomId, clientId, text: `message ${clientId}` },
            10_000,
          );
          slowestMs = Math.max(slowestMs, performance.now() - started);
          return message;
        } catch (err) {
          if (attempt === 5) throw err;
          retries++;
          await sleep(500);
        }
      }
    },
  };
}

/** Rows stored twice for one clientId (a retried send must never be stored again). */
export async function storedTwice(db: pg.Pool, roomId: string): Promise<number> {
  const { rows } = await db.query(
    'select count(*)::int as rows, count(distinct client_id)::int as distinct from messages where room_id = $1',
    [roomId],
  );
  return rows[0].rows - rows[0].distinct;
}

interface Seen {
  ids: Map<number, string>;
  wire: number;
  conflicts: number;
}

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

export interface RawResult {
  caughtUpMs: number;
  lastAckMs: number;
  slowestSendMs: number;
  sendRetries: number;
  caughtUp: number;
  rejoined: number;
  missed: number;
  doubled: number;
  redundant: number;
}

/**
 * Watchers speak the realtime protocol as the SDK does: `room:join`, then after every reconnect
 * `room:join { since: newest seq held }` for what they missed, merged by seq.
 */
export async function measureRawSockets(ctx: BenchContext): Promise<RawResult> {
  const node = await startConfab(ctx.env, 'p7-raw-confab');
  const proxy = await startCutProxy(node.url);
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: 1 });
  const sockets: Socket[] = [];
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, WATCHERS + 1);
    const roomId = await createRoom(node.url, tenant, itemAt(users, 0), users);
    const senderSocket = await connectOne({ url: node.url, app: tenant.id }, 0, {
      token: () => itemAt(users, 0).accessToken,
      reconnection: true,
    });
    sockets.push(senderSocket);
    const sender = createSender(senderSocket);
    const { sockets: watchers } = await connectMany({ url: proxy.url, app: tenant.id }, WATCHERS, {
      token: (i) => itemAt(users, i + 1).accessToken,
      reconnection: true,
    });
    sockets.push(...watchers);
    const seen: Seen[] = watchers.map(() => ({ ids: new Map(), wire: 0, conflicts: 0 }));
    const newest = (s: Seen) => Math.max(0, ...s.ids.keys());
    const join = async (socket: Socket, i: number, since?: number) => {
      const result = await emitAck<RoomJoinResult>(socket, 'room:join', since === undefined ? { roomId } : { roomId, since });
      for (const message of result.messages) record(itemAt(seen, i), message);
    };
    let rejoined = 0;
    watchers.forEach((socket, i) => {
      socket.on('message:created', (message: MessageDto) => record(itemAt(seen, i), message));
      socket.io.on(
        'reconnect',
        () =>
          void join(socket, i, newest(itemAt(seen, i))).then(
            () => rejoined++,
            () => undefined,
          ),
      );
    });
    await mapLimit(watchers, 100, (socket, i) => join(socket, i));

    let sent = 0;
    const send = () => sender.send(roomId, `p7-${++sent}`);
    for (let i = 0; i < BEFORE; i++) await send();
    if (!(await waitUntil(() => seen.every((s) => complete(s, BEFORE)), TIMEOUT_MS)))
      throw new Error('watchers never received the first messages');

    const started = performance.now();
    proxy.cut();
    for (let i = 0; i < DURING; i++) await send();
    const lastAckMs = performance.now() - started;
    const total = BEFORE + DURING;
    const all = await waitUntil(() => rejoined === WATCHERS && seen.every((s) => complete(s, total)), TIMEOUT_MS, 10);
    const caughtUpMs = all ? performance.now() - started : NaN;
    await sleep(1_000);
    const caughtUp = seen.filter((s) => complete(s, total)).length;
    const missed = seen.reduce((n, s) => n + total - [...s.ids.keys()].filter((seq) => seq <= total).length, 0);
    const doubled = seen.reduce((n, s) => n + s.conflicts, 0) + (await storedTwice(db, roomId));
    const redundant = seen.reduce((n, s) => n + s.wire, 0) - WATCHERS * total;
    const time = all ? ` in ${Math.round(caughtUpMs)} ms` : ` (not all within ${TIMEOUT_MS / 1000} s)`;
    ctx.log(
      `  raw sockets: ${caughtUp}/${WATCHERS} caught up${time}, ` +
        `missed ${missed}, doubled ${doubled}; last send acked at ${Math.round(lastAckMs)} ms`,
    );
    return {
      caughtUpMs,
      lastAckMs,
      slowestSendMs: sender.slowestMs,
      sendRetries: sender.retries,
      caughtUp,
      rejoined,
      missed,
      doubled,
      redundant,
    };
  } finally {
    closeAll(sockets);
    await proxy.close();
    await db.end();
    await node.stop();
  }
}

export interface BaselineResult {
  backMs: number;
  lastAckMs: number;
  slowestSendMs: number;
  sendRetries: number;
  rejoined: number;
  missed: number;
}

/** The bare server has no history: reconnected sockets rejoin, and what was sent meanwhile is gone. */
export async function measureBaseline(ctx: BenchContext): Promise<BaselineResult> {
  const node = await startBaseline(ctx.env, 'p7-baseline');
  const proxy = await startCutProxy(node.url);
  const sockets: Socket[] = [];
  try {
    const senderSocket = await connectOne({ url: node.url }, 0, { reconnection: true });
    sockets.push(senderSocket);
    const sender = createSender(senderSocket);
    const { sockets: watchers } = await connectMany({ url: proxy.url }, WATCHERS, { reconnection: true });
    sockets.push(...watchers);
    await joinAll(watchers, 'bench-room');
    const received = watchers.map(() => new Set<number>());
    let rejoined = 0;
    watchers.forEach((socket, i) => {
      socket.on('message:created', (m: { seq: number }) => itemAt(received, i).add(m.seq));
      socket.io.on(
        'reconnect',
        () =>
          void emitAck(socket, 'room:join', { roomId: 'bench-room' }).then(
            () => rejoined++,
            () => undefined,
          ),
      );
    });
    let sent = 0;
    const send = () => sender.send('bench-room', `p7-${++sent}`);
    for (let i = 0; i < BEFORE; i++) await send();
    await waitUntil(() => received.every((r) => r.size === BEFORE), TIMEOUT_MS);
    const started = performance.now();
    proxy.cut();
    for (let i = 0; i < DURING; i++) await send();
    const lastAckMs = performance.now() - started;
    const all = await waitUntil(() => rejoined === WATCHERS, TIMEOUT_MS, 10);
    const backMs = all ? performance.now() - started : NaN;
    await sleep(1_000);
    const missed = received.reduce((n, r) => n + (BEFORE + DURING - r.size), 0);
    ctx.log(`  baseline: ${rejoined}/${WATCHERS} back${all ? ` in ${Math.round(backMs)} ms` : ''}, missed ${missed}`);
    return { backMs, lastAckMs, slowestSendMs: sender.slowestMs, sendRetries: sender.retries, rejoined, missed };
  } finally {
    closeAll(sockets);
    await proxy.close();
    await node.stop();
  }
}
