import type Koa from 'koa';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { originAllowed } from '../../services/apps/origins.js';
import { peekTokenApp } from '../../services/auth/tokens.js';
import type { Services } from '../../services/index.js';

const ALLOW_HEADERS = 'Authorization, Content-Type, X-Confab-App, X-Request-Id';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSE_HEADERS = 'Retry-After, X-Request-Id';

function ownOrigin(ctx: Koa.Context, config: Config): string {
  return config.publicUrl ? new URL(config.publicUrl).origin : `${ctx.protocol}://${ctx.host}`;
}

/**
 * Browsers' requests must come from an origin the app allows (the server's own pages always may).
 * CORS headers reflect only allowed origins. Preflights carry neither token nor app header, so
 * they pass when any app allows the origin; the real request is then checked against its app.
 */
export function originGuard(services: Services, config: Config): Koa.Middleware {
  return async (ctx, next) => {
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!origin) return next();
    const preflight = ctx.method === 'OPTIONS' && Boolean(ctx.get('access-control-request-method'));
    let allowed: boolean;
    if (origin === 'null') {
      allowed = false;
    } else if (origin === ownOrigin(ctx, config)) {
      allowed = true;
    } else {
      const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      const appId = (token && peekTokenApp(token)) || ctx.get('x-confab-app');
      const app = appId && !preflight ? await services.apps.find(appId) : null;
      allowed = app ? originAllowed(app.allowedOrigins, origin) : await services.apps.anyAppAllows(origin);
    }
    if (!allowed) throw new AppError('origin_not_allowed', `Origin ${origin} is not allowed for this app`);

    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (preflight) {
      ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
      ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
