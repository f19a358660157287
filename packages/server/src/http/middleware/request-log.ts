import { randomUUID } from 'node:crypto';

import type Koa from 'koa';
import type { Logger } from 'pino';

import type { Metrics } from '../../metrics.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * Outermost middleware: gives each request an id, then logs one line and records metrics
 * once the reply is decided. Route labels are the route pattern, never the raw path.
 */
export function requestLog(logger: Logger, metrics: Metrics): Koa.Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const id = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route: string = ctx._matchedRoute ? String(ctx._matchedRoute) : ctx.status === 404 ? 'unmatched' : ctx.path;
      const status = String(ctx.status);
      metrics.httpDuration.observe({ method: ctx.method, route, status }, seconds);
      metrics.httpRequests.inc({ method: ctx.method, route, status });
      const line = {
        reqId: id,
        app: ctx.state.appId ?? ctx.state.actor?.appId,
        user: ctx.state.actor?.id,
        method: ctx.method,
        route,
        // Unmatched paths are not metric labels (unbounded), but the log line should say what was asked for.
        path: route === 'unmatched' ? ctx.path : undefined,
        status: ctx.status,
        ms: Math.round(seconds * 1e4) / 10,
        code: ctx.state.errorCode,
      };
      if (ctx.status >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
