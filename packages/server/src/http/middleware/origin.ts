import type Koa from 'koa';

import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services/index.js';

const ALLOW_HEADERS = 'Authorization, Content-Type, X-Confab-App, X-Request-Id';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSE_HEADERS = 'Retry-After, X-Request-Id';

/** What the guard learnt about a browser request's Origin; the route finishes the check. */
interface OriginCheck {
  origin: string;
  /** The apps that allow the origin. */
  appIds: Set<string>;
  /** Set once the origin was checked against the app the request acts in. */
  settled: boolean;
}

/** The origin the request came to (behind a proxy with TRUST_PROXY, the one the client used). */
export function requestOrigin(ctx: Koa.Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

function ownOrigin(ctx: Koa.Context, config: Config): string {
  return config.publicUrl ? new URL(config.publicUrl).origin : requestOrigin(ctx);
}

function refused(origin: string): AppError {
  return new AppError('origin_not_allowed', `Origin ${origin} is not allowed for this app`);
}

function allowCors(ctx: Koa.Context, origin: string): void {
  ctx.set('Access-Control-Allow-Origin', origin);
  ctx.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
}

/**
 * Browsers' requests must come from an origin allowed by the app the request acts in (the
 * server's own pages always may). An Origin no app allows is refused here. Preflights carry
 * neither token nor app header, so they pass when any app allows the origin. A real request
 * goes on, and its route checks the origin once it knows the app (`assertOriginAllowedFor`):
 * the verified token's app, the `X-Confab-App` app, or the refresh token's user's app. The
 * CORS header is only set after that check. Routes that act in no app (health, metrics, docs)
 * and error replies from before the app was known (a bad token, bad JSON) carry no tenant data,
 * so any allowed origin may read them.
 */
export function originGuard(services: Services, config: Config): Koa.Middleware {
  return async (ctx, next) => {
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!origin) return next();
    const preflight = ctx.method === 'OPTIONS' && Boolean(ctx.get('access-control-request-method'));
    if (origin === 'null') throw refused(origin);
    const own = origin === ownOrigin(ctx, config);
    const appIds = own ? null : await services.apps.appsAllowing(origin);
    if (appIds && !appIds.size) throw refused(origin);

    if (own || preflight) allowCors(ctx, origin);
    if (preflight) {
      ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
      ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    if (!appIds) return next();

    const check: OriginCheck = { origin, appIds, settled: false };
    ctx.state.originCheck = check;
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'origin_not_allowed')) allowCors(ctx, origin);
      throw err;
    }
    if (!check.settled) allowCors(ctx, origin);
  };
}

/**
 * Finishes the origin check for a request that acts in `appId`: refuses an origin that app does
 * not allow (even when another app allows it), else sets the CORS headers. A no-op without a
 * browser Origin and on the server's own pages.
 */
export function assertOriginAllowedFor(ctx: Koa.Context, appId: string): void {
  const check = ctx.state.originCheck as OriginCheck | undefined;
  if (!check) return;
  if (!check.appIds.has(appId)) throw refused(check.origin);
  check.settled = true;
  allowCors(ctx, check.origin);
}
