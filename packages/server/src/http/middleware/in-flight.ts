import type Koa from 'koa';

import type { Drain } from '../../shutdown.js';

/**
 * Outermost middleware: counts each request until its response is written (or the client went
 * away), so a draining node can wait for it. A reply sent while draining closes its connection,
 * so that clients open their next one elsewhere. Engine.IO's polling requests never get here.
 */
export function inFlight(drain: Drain): Koa.Middleware {
  return async (ctx, next) => {
    ctx.res.once('close', drain.requests.enter());
    try {
      await next();
    } finally {
      if (drain.draining && !ctx.headerSent) ctx.set('Connection', 'close');
    }
  };
}
