import type Koa from 'koa';
import type { Logger } from 'pino';

import { RateLimitedError, toAppError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';

/** How long a client should wait before retrying while PostgreSQL or Redis is unreachable. */
const UNAVAILABLE_RETRY_AFTER_S = 2;

/** Turns anything thrown into the JSON error shape. Stacks go to the log, never to the client. */
export function errorHandler(logger: Logger, metrics: Metrics): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'internal') {
        logger.error({ err, reqId: ctx.state.requestId, route: ctx._matchedRoute }, 'unhandled error');
      } else if (appError.code === 'unavailable') {
        // An outage, not a bug: one line without a stack.
        logger.warn(
          { err: (err as Error | null)?.message, reqId: ctx.state.requestId, route: ctx._matchedRoute },
          'dependency unavailable',
        );
        ctx.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_S));
      }
      if (appError instanceof RateLimitedError) {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterMs / 1000))));
      }
      metrics.httpErrors.inc({ code: appError.code });
      ctx.state.errorCode = appError.code;
      ctx.status = appError.status;
      // A download refused after its headers were chosen answers JSON, not a file to save.
      ctx.remove('Content-Disposition');
      ctx.type = 'json';
      ctx.body = { error: appError.toBody() };
    }
  };
}
