import type { Server } from 'node:http';
import type { Socket } from 'node:net';

import type { Redis } from 'ioredis';

import { bounded } from './bounded.js';
import type { Logger } from './logger.js';

/** How long each flush-and-close step after the drain may take before the shutdown moves on. */
export const STEP_TIMEOUT_MS = 5_000;
const POLL_MS = 25;

const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/** Units of work in flight (REST requests, socket handlers), so that a stopping node can wait for them. */
export class InFlight {
  private count = 0;
  private ended = 0;

  get size(): number {
    return this.count;
  }

  /** How many have ended since this node started. */
  get completed(): number {
    return this.ended;
  }

  /** One unit started; the returned function ends it (only its first call counts). */
  enter(): () => void {
    this.count++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.count--;
      this.ended++;
    };
  }
}

/** Whether this node is draining (shutting down), and what it still has in flight. */
export class Drain {
  private since: number | null = null;
  readonly requests = new InFlight();
  readonly handlers = new InFlight();

  get draining(): boolean {
    return this.since !== null;
  }

  /** Milliseconds since the drain began (0 before). */
  get elapsedMs(): number {
    return this.since === null ? 0 : Date.now() - this.since;
  }

  begin(): void {
    this.since ??= Date.now();
  }
}

/**
 * Closes a Redis connection after its pending commands were answered (QUIT, so a last PUBLISH
 * is not dropped), within `ms`; a connection that cannot say goodbye is cut.
 */
export async function quitRedis(client: Redis, ms = STEP_TIMEOUT_MS): Promise<void> {
  try {
    if (client.status === 'ready') await bounded(client.quit(), ms, 'redis QUIT');
  } finally {
    client.disconnect();
  }
}

export interface ShutdownPlan {
  http: Server;
  drain: Drain;
  logger: Logger;
  /** How long to wait for requests and socket handlers in flight. */
  timeoutMs: number;
  /**
   * Flush and close, in this order, once the work in flight ended (or the wait ran out); each
   * within STEP_TIMEOUT_MS. A step may return counts for the final log line.
   */
  steps: Record<string, () => Promise<Record<string, number> | void>>;
}

/**
 * A graceful stop, run once however often it is called (see the README, "Stopping"): stop
 * accepting, wait for work in flight, flush, then close the remaining connections. Rejects,
 * after doing everything it could, when a step failed.
 */
export function gracefulClose(plan: ShutdownPlan): (reason?: string) => Promise<void> {
  // Every connection, upgraded ones too (closeAllConnections knows only those HTTP still parses).
  const connections = new Set<Socket>();
  // One listener for all of them (`this` is the socket): a kept connection costs no closure.
  function forget(this: Socket): void {
    connections.delete(this);
  }
  plan.http.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', forget);
  });
  let closing: Promise<void> | null = null;
  return (reason) => (closing ??= run(plan, connections, reason));
}

async function run({ http, drain, logger, timeoutMs, steps }: ShutdownPlan, connections: Set<Socket>, reason?: string): Promise<void> {
  const { requests, handlers } = drain;
  const before = { requests: requests.completed, handlers: handlers.completed };
  drain.begin();
  logger.info(
    { reason, requests: requests.size, handlers: handlers.size, timeoutMs },
    'draining: refusing new connections, finishing work in flight',
  );
  // No new connections; the idle kept-alive ones are closed now, the busy ones after their reply
  // (the in-flight middleware asks for that). Not again later: a browser's long-poll goes on
  // on its connection until the socket got its farewell.
  const closed = new Promise<void>((resolve) => (http.listening ? http.close(() => resolve()) : resolve()));

  const deadline = Date.now() + timeoutMs;
  while (requests.size + handlers.size > 0 && Date.now() < deadline) await pause();
  const cut = { requests: requests.size, handlers: handlers.size };
  const finished = { requests: requests.completed - before.requests, handlers: handlers.completed - before.handlers };
  const waitedMs = drain.elapsedMs;
  if (cut.requests || cut.handlers)
    logger.warn({ ...cut, timeoutMs }, 'work still in flight when the shutdown timeout ran out: cutting it');

  const counts: Record<string, number> = {};
  const failed: string[] = [];
  for (const [name, step] of Object.entries(steps)) {
    try {
      Object.assign(counts, await bounded(step(), STEP_TIMEOUT_MS, name));
    } catch (err) {
      failed.push(name);
      logger.error({ err, step: name }, 'shutdown step failed');
    }
  }
  // What is left: replies cut by the timeout, clients' kept-alive connections, unanswered WebSocket closes.
  http.closeAllConnections();
  for (const socket of connections) socket.destroy();
  await bounded(closed, STEP_TIMEOUT_MS, 'closing HTTP connections').catch((err: Error) => {
    failed.push('http');
    logger.error({ err: err.message }, 'shutdown step failed');
  });

  logger.info(
    {
      requests: finished.requests,
      handlers: finished.handlers,
      cutRequests: cut.requests,
      cutHandlers: cut.handlers,
      ...counts,
      waitedMs,
      ms: drain.elapsedMs,
      failed: failed.length ? failed : undefined,
    },
    'drained',
  );
  if (failed.length) throw new Error(`shutdown incomplete: ${failed.join(', ')} failed`);
}
