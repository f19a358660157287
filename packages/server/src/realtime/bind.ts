import type { AckDataOf, ClientToServerEvents, EventInputOf } from '@confab/protocol';

import { AppError, RateLimitedError, toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { gcraStep } from '../redis/throttle.js';
import { validateInput } from '../services/validation.js';
import type { Drain } from '../shutdown.js';
import { EVENT_SCHEMAS } from './schemas.js';
import type { ChatSocket } from './types.js';

// Abuse guard per socket, far above any legitimate pace (sends have their own MESSAGE_RATE).
const EVENT_RATE = { limit: 200, periodMs: 1_000 };

export interface BindContext {
  logger: Logger;
  metrics: Metrics;
  /** Counts handlers in flight for a stopping node to wait for; while it drains, new events are refused (retryable). */
  drain?: Drain;
}

const tats = new WeakMap<ChatSocket, number>();

/**
 * Registers one client event: rate guard → joi validation (the schema REST uses) → handler →
 * exactly one ack, `{ data }` or `{ error: { code, message } }`. One log line and metrics per event.
 */
export function bind<E extends keyof ClientToServerEvents>(
  ctx: BindContext,
  socket: ChatSocket,
  event: E,
  handler: (input: EventInputOf<E>) => Promise<AckDataOf<E>>,
): void {
  const listener = async (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (response: unknown) => void) : null;
    const started = performance.now();
    let outcome = 'ok';
    let leave: (() => void) | undefined;
    try {
      if (ctx.drain?.draining) throw new AppError('unavailable', 'This server is shutting down; send again once reconnected');
      leave = ctx.drain?.handlers.enter();
      const step = gcraStep(tats.get(socket), Date.now(), EVENT_RATE);
      tats.set(socket, step.tat);
      if (!step.result.allowed) throw new RateLimitedError(step.result.retryAfterMs);
      if (!ack) throw new AppError('bad_request', `${event} needs an acknowledgement callback`);
      const input = validateInput<EventInputOf<E>>(EVENT_SCHEMAS[event], args[0], 'payload');
      ack({ data: await handler(input) });
    } catch (err) {
      const error = toAppError(err);
      outcome = error.code;
      if (error.code === 'internal') ctx.logger.error({ err, event, sid: socket.id }, 'socket handler failed');
      if (error.code === 'rate_limited') ctx.metrics.throttled.inc({ kind: 'socket' });
      ack?.({ error: error.toBody() });
    } finally {
      leave?.();
      const seconds = (performance.now() - started) / 1000;
      ctx.metrics.socketEvents.inc({ event, outcome });
      ctx.metrics.socketEventDuration.observe({ event }, seconds);
      const { actor } = socket.data;
      ctx.logger.info(
        { sid: socket.id, app: actor?.appId, user: actor?.id, event, outcome, ms: Math.round(seconds * 1e4) / 10 },
        'socket event',
      );
    }
  };
  socket.on(event, listener as never);
}
