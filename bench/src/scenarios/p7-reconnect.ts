import { performance } from 'node:perf_hooks';
import { createClient, type ChatClient, type Room } from '@confab/sdk';
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
const drop = (socket: Socket | null | undefined) => (socket as unknown as { io: { engine: { close(): void } } } | null)?.io.engine.close();

function tally(rooms: Room[], total: number): { complete: number; missed: number; doubled: number } {
  let complete = 0;
  let missed = 0;
  let doubled = 0;
  for (const room of rooms) {
    const seqs = room.state.get().messages.map((m) => m.seq);
    const unique = new Set(seqs);
    doubled += seqs.length - unique.size;
    let have = 0;
    for (let seq = 1; seq <= total; seq++) if (unique.has(seq)) have++;
    missed += total - have;
    if (have === total) complete++;
  }
  return { complete, missed, doubled };
}

async function measureConfab(ctx: BenchContext) {
  const node = await startConfab(ctx.env, 'p7-confab');
  const clients: ChatClient[] = [];
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, WATCHERS + 1);
    const [sender, ...watchers] = users;
    const roomId = await createRoom(node.url, tenant, sender, users);
    const rooms = await mapLimit(watchers, 100, async (user) => {
      const client = createClient({ url: node.url, app: tenant.id, transports: ['websocket'] });
      clients.push(client);
      await client.connectSession(user.session);
      return client.room(roomId).watch();
    });
    const { sockets } = await connectMany({ url: node.url, app: tenant.id }, 1, { token: () => sender.accessToken });
    let sent = 0;
    const send = () => emitAck(sockets[0], 'message:send', { roomId, clientId: `p7-${++sent}`, text: `message ${sent}` });
    for (let i = 0; i < BEFORE; i++) await send();
    if (!(await waitUntil(() => tally(rooms, BEFORE).complete === WATCHERS, TIMEOUT_MS))) throw new Error('watchers never received the first messages');

    const started = performance.now();
    for (const client of clients) drop(client.rawSocket);
    for (let i = 0; i < DURING; i++) await send();
    const total = BEFORE + DURING;
    await waitUntil(() => tally(rooms, total).complete === WATCHERS, TIMEOUT_MS, 10);
    const caughtUpMs = performance.now() - started;
    await sleep(1_000);
    const final = tally(rooms, total);
    closeAll(sockets);
    ctx.log(`  confab: ${final.complete}/${WATCHERS} caught up in ${Math.round(caughtUpMs)} ms, missed ${final.missed}, doubled ${final.doubled}`);
    return { caughtUpMs, ...final, online: clients.filter((c) => c.status === 'online').length };
  } finally {
    for (const client of clients) client.disconnect();
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
      { metric: 'clients back / caught up', confab: confab.complete, baseline: baseline.rejoined },
      { metric: 'messages missed', confab: confab.missed, baseline: baseline.missed },
      { metric: 'messages doubled', confab: confab.doubled, baseline: 0 },
    ],
    target: { text: 'all back and caught up ≤ 5 s, nothing missed, nothing doubled', met: confab.complete === WATCHERS && confab.caughtUpMs <= 5_000 && confab.missed === 0 && confab.doubled === 0 },
    notes: [
      `the watchers are real SDK clients (@confab/sdk, room.watch()); their transports are cut at once and ${DURING} messages are sent while they are away; they reconnect with the SDK's own backoff (0.5 s, randomized) and catch up from their last seq`,
      'the bare server keeps no history, so its sockets miss what was sent while they were away',
    ],
    raw: { confab, baseline },
  };
}
