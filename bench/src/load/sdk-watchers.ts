// One watcher process of an SDK fleet (forked by `sdk-fleet.ts`): real `@confab/sdk` clients in
// Node, WebSocket only, each signed in with its own session and watching one room, all reaching
// the server through this process's cut proxy. Answers the parent's requests over IPC.
import { performance } from 'node:perf_hooks';

import { type ChatClient, type ChatMessage, type ConnectionStatus, createClient, type Room } from '@confab/sdk';

import { mapLimit } from '../stats.js';
import { type CutProxy, startCutProxy } from './cut-proxy.js';
import type { FleetAnswer, FleetReply, FleetRequest } from './sdk-fleet.js';
import { serveRequests } from './workers.js';

/** Every instant is taken and compared in this process, on its monotonic clock. */
const now = () => performance.now();

interface Watcher {
  client: ChatClient;
  room: Room | null;
  status: ConnectionStatus;
  /** When it left `online` after the last cut. */
  droppedAt: number | null;
  /** When it was `online` again after that. */
  backAt: number | null;
  /** When it first held every expected message exactly once (current expectation). */
  completeAt: number | null;
}

interface Expectation {
  wanted: Set<string>;
  from: number;
  /** Called when every watcher is complete. */
  done(): void;
}

let proxy: CutProxy | null = null;
const watchers: Watcher[] = [];
let cutAt: number | null = null;
let expectation: Expectation | null = null;

/** Stored messages (not the client's own unsent ones) by clientId. */
function copiesByClientId(messages: readonly ChatMessage[]): Map<string, ChatMessage[]> {
  const byClientId = new Map<string, ChatMessage[]>();
  for (const m of messages) {
    if (!m.clientId || m.seq <= 0) continue;
    const list = byClientId.get(m.clientId);
    if (list) list.push(m);
    else byClientId.set(m.clientId, [m]);
  }
  return byClientId;
}

function holdsAllOnce(messages: readonly ChatMessage[], wanted: Set<string>): boolean {
  const seen = new Set<string>();
  for (const m of messages) {
    if (!m.clientId || m.seq <= 0 || !wanted.has(m.clientId)) continue;
    if (seen.has(m.clientId)) return false;
    seen.add(m.clientId);
  }
  return seen.size === wanted.size;
}

function check(watcher: Watcher): void {
  if (!expectation || watcher.completeAt !== null || !watcher.room) return;
  if (!holdsAllOnce(watcher.room.state.get().messages, expectation.wanted)) return;
  watcher.completeAt = now();
  if (watchers.every((w) => w.completeAt !== null)) expectation.done();
}

async function start(
  request: Extract<FleetRequest, { type: 'start' }>,
): Promise<Omit<Extract<FleetReply, { type: 'start' }>, 'id' | 'type'>> {
  const started = now();
  proxy = await startCutProxy(request.url);
  const errors: string[] = [];
  let failed = 0;
  await mapLimit(request.sessions, request.concurrency, async (session) => {
    const client = createClient({ url: proxy!.url, app: request.app, transports: ['websocket'] });
    const watcher: Watcher = { client, room: null, status: client.status, droppedAt: null, backAt: null, completeAt: null };
    client.on('connection:changed', (status) => {
      watcher.status = status;
      if (cutAt === null) return;
      if (status !== 'online' && watcher.droppedAt === null) watcher.droppedAt = now();
      else if (status === 'online' && watcher.droppedAt !== null && watcher.backAt === null) watcher.backAt = now();
    });
    try {
      await client.connectSession(session);
      const room = await client.room(request.roomId).watch();
      watcher.room = room;
      watchers.push(watcher);
      room.state.select(
        (s) => s.messages,
        () => check(watcher),
      );
    } catch (err) {
      failed++;
      if (errors.length < 5) errors.push(`${session.user.id}: ${(err as Error)?.message ?? String(err)}`);
      client.close();
    }
  });
  return { ready: watchers.length, failed, errors, ms: now() - started };
}

function cut(): number {
  cutAt = now();
  for (const w of watchers) {
    w.droppedAt = null;
    w.backAt = null;
  }
  return proxy?.cut() ?? 0;
}

async function expect(
  request: Extract<FleetRequest, { type: 'expect' }>,
): Promise<Omit<Extract<FleetReply, { type: 'expect' }>, 'id' | 'type'>> {
  const from = cutAt ?? now();
  const cpuBefore = process.cpuUsage();
  const waitStarted = now();
  let finish = () => undefined as void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  for (const w of watchers) w.completeAt = null;
  expectation = { wanted: new Set(request.clientIds), from, done: finish };
  for (const w of watchers) check(w);
  const timer = setTimeout(finish, Math.max(0, from + request.timeoutMs - now()));
  await finished;
  clearTimeout(timer);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuShare = (cpu.user + cpu.system) / 1000 / Math.max(1, now() - waitStarted);
  const complete = watchers.filter((w) => w.completeAt !== null);
  const back = cutAt === null ? [] : watchers.filter((w) => w.backAt !== null && w.status === 'online');
  return {
    clients: watchers.length,
    caughtUp: complete.length,
    caughtUpMs: complete.map((w) => w.completeAt! - from),
    backOnline: back.length,
    backOnlineMs: back.map((w) => w.backAt! - cutAt!),
    cutSeen: watchers.filter((w) => w.droppedAt !== null).length,
    cpu: cpuShare,
  };
}

function tally(stored: Record<string, string>): Omit<Extract<FleetReply, { type: 'tally' }>, 'id' | 'type'> {
  let missed = 0;
  let doubled = 0;
  let mismatched = 0;
  for (const w of watchers) {
    const held = copiesByClientId(w.room!.state.get().messages);
    for (const [clientId, id] of Object.entries(stored)) {
      const copies = held.get(clientId) ?? [];
      if (copies.length === 0) missed++;
      doubled += Math.max(0, copies.length - 1);
      if (copies.some((m) => m.id !== id)) mismatched++;
    }
  }
  return { clients: watchers.length, missed, doubled, mismatched, online: watchers.filter((w) => w.status === 'online').length };
}

async function close(): Promise<void> {
  for (const w of watchers) w.client.close();
  await proxy?.close();
}

async function answer(request: FleetRequest): Promise<FleetAnswer> {
  switch (request.type) {
    case 'start':
      return { type: 'start', ...(await start(request)) };
    case 'cut':
      return { type: 'cut', connections: cut() };
    case 'expect':
      return { type: 'expect', ...(await expect(request)) };
    case 'tally':
      return { type: 'tally', ...tally(request.stored) };
    case 'close':
      await close();
      return { type: 'close' };
  }
}

serveRequests<FleetRequest, FleetReply>(answer);
