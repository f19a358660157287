// Real `@confab/sdk` clients spread over several child processes (`sdk-watchers.ts`), so that the
// load generator is not what limits a scenario with 1,000 live clients. The parent hands each
// process its share of the sessions and then drives them all at once over IPC.
import { fileURLToPath } from 'node:url';

import type { AuthSessionDto } from '@confab/protocol';

import { type AnswerOf, spawnWorker, stopWorker, type Worker } from './workers.js';

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
export type FleetAnswer = AnswerOf<FleetReply>;

const SCRIPT = fileURLToPath(new URL('./sdk-watchers.js', import.meta.url));
const START_TIMEOUT_MS = 180_000;

type Watcher = Worker<FleetRequest, FleetReply>;
const stop = (worker: Watcher) => stopWorker(worker, { type: 'close' });

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);

/** Forks the processes, signs every client in and has it watch the room. */
export async function startWatcherFleet(options: FleetOptions): Promise<WatcherFleet> {
  const count = Math.min(options.processes, options.sessions.length);
  const workers = Array.from({ length: count }, (_, i) => spawnWorker<FleetRequest, FleetReply>(SCRIPT, `watcher process ${i}`));
  const close = async () => void (await Promise.all(workers.map(stop)));
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
