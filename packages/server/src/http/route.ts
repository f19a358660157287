import { createHash, timingSafeEqual } from 'node:crypto';

import type Router from '@koa/router';
import type Joi from 'joi';
import type Koa from 'koa';

import type { Config } from '../config.js';
import type { App } from '../db/models/index.js';
import { AppError, ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError } from '../errors.js';
import type { Actor } from '../services/actor.js';
import type { Services } from '../services/index.js';
import { validateInput } from '../services/validation.js';
import { assertOriginAllowedFor } from './middleware/origin.js';

/**
 * Who may call a route:
 * - `user`: a Confab access token;
 * - `app`: no user yet, the app named by `X-Confab-App` (a guest's token, if sent, is picked up);
 * - `admin`: the operator's `ADMIN_TOKEN`;
 * - `none`: anyone.
 */
export type RouteAuth = 'user' | 'app' | 'admin' | 'none';

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteContext<P = Record<string, string>, Q = Record<string, unknown>, B = Record<string, unknown>> {
  input: RouteInput<P, Q, B>;
  /** The caller, on `user` routes (and on `app` routes when a valid token came along). */
  actor: Actor;
  app: App;
  services: Services;
  config: Config;
  koa: Koa.Context;
  /** Overrides the route's success status for this reply. */
  status(code: number): void;
}

export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.Schema;
  /** Success status; 204 routes return nothing. */
  status?: number;
  /** Name of the response schema in the OpenAPI components. */
  response?: string;
  /** The body is a `multipart/form-data` file upload, which the handler reads itself (after auth). */
  multipart?: boolean;
  /** The reply is a file, not JSON. */
  binary?: boolean;
  /** Also accept the access token as `?access_token=` (for `<img src>`, which cannot send headers). */
  tokenInQuery?: boolean;
  /** Throttle keys (beyond the route and IP) for the auth rate, e.g. IP and username tried, or the caller. */
  throttle?: (ctx: Koa.Context, body: Record<string, unknown>) => string[];
  // Handlers are typed at their definition through `route()`.
  handler: (ctx: RouteContext<any, any, any>) => Promise<unknown>;
}

/** Declares a route; `P`, `Q` and `B` are the validated params, query and body. */
export function route<P = Record<string, string>, Q = Record<string, unknown>, B = Record<string, unknown>>(
  def: Omit<RouteDef, 'handler'> & { handler: (ctx: RouteContext<P, Q, B>) => Promise<unknown> },
): RouteDef {
  return def as RouteDef;
}

function validate<T>(schema: Joi.Schema | undefined, value: unknown, where: 'params' | 'query' | 'body'): T {
  if (!schema) return {} as T;
  if (where !== 'params') return validateInput<T>(schema, value, where);
  try {
    return validateInput<T>(schema, value, where);
  } catch {
    // A malformed id in the path names nothing that can exist.
    throw new NotFoundError('Resource');
  }
}

function bearer(ctx: Koa.Context): string | null {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/** Compares through fixed-length digests, so the time taken says nothing about the admin token. */
function isAdminToken(token: string | null, adminToken: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return token !== null && timingSafeEqual(digest(token), digest(adminToken));
}

async function resolveApp(ctx: Koa.Context, services: Services): Promise<App> {
  const id = ctx.get('x-confab-app');
  if (!id) throw new AppError('bad_request', 'Name the app with the X-Confab-App header');
  const app = await services.apps.find(id);
  if (!app) throw new NotFoundError('App');
  return app;
}

async function throttleAuth(
  ctx: Koa.Context,
  def: RouteDef,
  body: Record<string, unknown>,
  services: Services,
  config: Config,
): Promise<void> {
  if (!config.authRate) return;
  const keys = [`auth:${def.path}:ip:${ctx.ip}`, ...(def.throttle?.(ctx, body) ?? [])];
  for (const key of keys) {
    const { allowed, retryAfterMs } = await services.throttle.consume(key, config.authRate);
    if (!allowed) throw new RateLimitedError(retryAfterMs);
  }
}

/** Wires route definitions into the router: auth → throttle → validation → handler → reply. */
export function mountRoutes(router: Router, routes: RouteDef[], services: Services, config: Config): void {
  for (const def of routes) {
    router[def.method](def.path, async (ctx) => {
      const token = bearer(ctx) ?? (def.tokenInQuery && typeof ctx.query.access_token === 'string' ? ctx.query.access_token : null);
      let actor: Actor | null = null;
      let app: App | null = null;
      if (def.auth === 'user') {
        if (!token) throw new UnauthorizedError();
        actor = await services.auth.authenticate(token);
        assertOriginAllowedFor(ctx, actor.appId);
        ctx.state.actor = actor;
        app = await services.apps.get(actor.appId);
      } else if (def.auth === 'app') {
        app = await resolveApp(ctx, services);
        assertOriginAllowedFor(ctx, app.id);
        // A guest's token on sign-in lets their conversations follow them; a stale one is ignored.
        if (token) actor = await services.auth.authenticate(token).catch(() => null);
        if (actor && actor.appId !== app.id) actor = null;
      } else if (def.auth === 'admin') {
        if (!config.adminToken) throw new ForbiddenError('The admin API is disabled: set ADMIN_TOKEN');
        if (!isAdminToken(token, config.adminToken)) throw new UnauthorizedError('Admin token required');
      }
      ctx.state.appId = app?.id;

      const rawBody = ctx.request.body as unknown;
      if (def.body && ctx.request.length && !ctx.is('application/json')) {
        throw new AppError('unsupported_media_type', 'Send the body as application/json');
      }
      const params = validate(def.params, ctx.params, 'params');
      const query = validate(def.query, ctx.query, 'query');
      if (def.auth === 'app' || def.throttle) {
        await throttleAuth(ctx, def, (rawBody ?? {}) as Record<string, unknown>, services, config);
      }
      const body = validate(def.body, rawBody, 'body');

      let status = def.status ?? 200;
      const result = await def.handler({
        input: { params, query, body },
        actor: actor as Actor,
        app: app as App,
        services,
        config,
        koa: ctx,
        status: (code) => {
          status = code;
        },
      });
      ctx.status = status;
      if (status !== 204) ctx.body = result ?? null;
    });
  }
}
