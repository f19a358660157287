// Real `@confab/sdk` clients spread over several child processes (`sdk-watchers.ts`), so that the
// load generator is not what limits a scenario with 1,000 live clients. The parent hands each
// process its share of the sessions and then drives them all at once over IPC.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { AuthSessionDto } from '@confab/protocol';

export interface FleetOptions {
  /** The server, as the clients would reach it (each process puts its own cut proxy in front). */
  url: string;
  app: string;
  roomId: string;
  /** One client per session; the sessions are dealt to the processes in turn. */
  sessions: AuthSessionDto[];
  processes: number;
  /** Clients each process signs in and starts watching at once. */
  concurrency?: number;
}

/** What every client held, from the reference instant (the last cut, or when asked). */
export interface ExpectResult {
  clients: number;
  /** Clients holding every expected message exactly once before the deadline. */
  caughtUp: number;
  /** Per caught-up client: ms from the reference instant until it held them all. */
  caughtUpMs: number[];
  /** Clients that went offline after the cut and were online again at the deadline. */
  backOnline: number;
  /** Per client back online: ms from the cut until `connection:changed` said `online`. */
  backOnlineMs: number[];
  /** Clients that noticed the cut (left `online`). */
  cutSeen: number;
  /** The busiest process's CPU time over the wait, as a share of one core. */
  maxProcessCpu: number;
}

/** The final state of every client against the stored messages (clientId → id). */
export interface Tally {
  clients: number;
  /** Expected messages a client does not hold. */
  missed: number;
  /** Extra copies: a clientId held more than once, under one id or several. */
  doubled: number;
  /** Held under another id than the stored one. */
  mismatched: number;
  online: number;
}

export interface WatcherFleet {
  /** Clients watching the room (signed in, joined, first page loaded). */
  ready: number;
  failed: number;
  /** A sample of why clients failed to start. */
  errors: string[];
  startMs: number;
  /** Resets every client's connections at once (each process's proxy); resolves with how many were cut. */
  cut(): Promise<number>;
  /** Waits until every client holds each of `clientIds` exactly once, or `timeoutMs` after the reference instant. */
  expect(clientIds: string[], timeoutMs: number): Promise<ExpectResult>;
  tally(stored: Record<string, string>): Promise<Tally>;
  /** Closes the clients and ends the processes (SIGKILL when they do not exit in time). */
  close(): Promise<void>;
}

export type FleetRequest =
  | { type: 'start'; id: number; url: string; app: string; roomId: string; sessions: AuthSessionDto[]; concurrency: number }
  | { type: 'cut'; id: number }
  | { type: 'expect'; id: number; clientIds: string[]; timeoutMs: number }
  | { type: 'tally'; id: number; stored: Record<string, string> }
  | { type: 'close'; id: number };

export type FleetReply = { id: number; error?: string } & (
  | { type: 'start'; ready: number; failed: number; errors: string[]; ms: number }
  | { type: 'cut'; connections: number }
  | ({ type: 'expect' } & Omit<ExpectResult, 'maxProcessCpu'> & { cpu: number })
  | ({ type: 'tally' } & Tally)
  | { type: 'close' }
);

/** A reply as the watcher process builds it (the request id is added when it is sent). */
export type FleetAnswer = WithoutId<FleetReply>;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type ReplyOf<T extends FleetRequest['type']> = Extract<FleetReply, { type: T }>;
type Request = WithoutId<FleetRequest>;

const SCRIPT = fileURLToPath(new URL('./sdk-watchers.js', import.meta.url));
const START_TIMEOUT_MS = 180_000;
const EXIT_GRACE_MS = 5_000;

// Whatever happens to the parent (a failed scenario, process.exit), no watcher outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

interface Worker {
  child: ChildProcess;
  ask<T extends Request>(request: T, timeoutMs: number): Promise<ReplyOf<T['type']>>;
  exited: Promise<void>;
}

function spawnWorker(index: number): Worker {
  const child = fork(SCRIPT, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], serialization: 'advanced' });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const pending = new Map<number, { resolve(reply: FleetReply): void; reject(err: Error): void }>();
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const { reject } of pending.values()) reject(new Error(`watcher process ${index} exited (${code ?? signal})\n${stderr}`));
      pending.clear();
      done();
    }),
  );
  child.on('message', (reply: FleetReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(new Error(`watcher process ${index}: ${reply.error}`));
    else waiting.resolve(reply);
  });
  let nextId = 0;
  const ask = <T extends Request>(request: T, timeoutMs: number) =>
    new Promise<ReplyOf<T['type']>>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`watcher process ${index} did not answer ${request.type} within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (reply) => (clearTimeout(timer), resolve(reply as ReplyOf<T['type']>)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      child.send({ ...request, id }, (err) => err && pending.get(id)?.reject(err));
    });
  return { child, ask, exited };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const kill = setTimeout(() => worker.child.kill('SIGKILL'), EXIT_GRACE_MS);
  await worker.ask({ type: 'close' }, EXIT_GRACE_MS).catch(() => worker.child.kill('SIGKILL'));
  await worker.exited;
  clearTimeout(kill);
}

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);

/** Forks the processes, signs every client in and has it watch the room. */
export async function startWatcherFleet(options: FleetOptions): Promise<WatcherFleet> {
  const count = Math.min(options.processes, options.sessions.length);
  const workers = Array.from({ length: count }, (_, i) => spawnWorker(i));
  const close = async () => void (await Promise.all(workers.map(stopWorker)));
  try {
    const started = await Promise.all(
      workers.map((worker, i) =>
        worker.ask(
          {
            type: 'start',
            url: options.url,
            app: options.app,
            roomId: options.roomId,
            sessions: options.sessions.filter((_, s) => s % count === i),
            concurrency: options.concurrency ?? 25,
          },
          START_TIMEOUT_MS,
        ),
      ),
    );
    return {
      ready: sum(started, (s) => s.ready),
      failed: sum(started, (s) => s.failed),
      errors: started.flatMap((s) => s.errors).slice(0, 5),
      startMs: Math.max(...started.map((s) => s.ms)),
      cut: async () => sum(await Promise.all(workers.map((w) => w.ask({ type: 'cut' }, 30_000))), (c) => c.connections),
      expect: async (clientIds, timeoutMs) => {
        // The deadline is kept by each process; the margin is for a process too busy to answer at once.
        const parts = await Promise.all(workers.map((w) => w.ask({ type: 'expect', clientIds, timeoutMs }, timeoutMs + 30_000)));
        return {
          clients: sum(parts, (p) => p.clients),
          caughtUp: sum(parts, (p) => p.caughtUp),
          caughtUpMs: parts.flatMap((p) => p.caughtUpMs),
          backOnline: sum(parts, (p) => p.backOnline),
          backOnlineMs: parts.flatMap((p) => p.backOnlineMs),
          cutSeen: sum(parts, (p) => p.cutSeen),
          maxProcessCpu: Math.max(...parts.map((p) => p.cpu)),
        };
      },
      tally: async (stored) => {
        const parts = await Promise.all(workers.map((w) => w.ask({ type: 'tally', stored }, 30_000)));
        return {
          clients: sum(parts, (p) => p.clients),
          missed: sum(parts, (p) => p.missed),
          doubled: sum(parts, (p) => p.doubled),
          mismatched: sum(parts, (p) => p.mismatched),
          online: sum(parts, (p) => p.online),
        };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
