import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';

import {
  type FileDownload,
  type FileUpload,
  type HttpMethod,
  type RawBody,
  REST_ROUTES,
  type RouteAuth,
  type RouteBody,
  type RouteKey,
  type RouteParams,
  type RouteQuery,
  type RouteResponse,
  type RouteSpec,
  splitRouteKey,
} from '@confab/protocol';
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

export type { RouteAuth };

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteContext<P, Q, B, A extends RouteAuth = RouteAuth> {
  input: RouteInput<P, Q, B>;
  /**
   * The caller, on `user` routes (and on `app` routes when a valid token came along); on `link`
   * routes null when a signed link came instead of a token (the handler checks the link).
   */
  actor: A extends 'link' ? Actor | null : Actor;
  app: App;
  services: Services;
  config: Config;
  koa: Koa.Context;
  /** Overrides the route's success status for this reply (one of the table's `alsoStatus`). */
  status(code: number): void;
}

type Throttle = (ctx: Koa.Context, body: Record<string, unknown>) => string[];

/** A mounted operation: its entry in the protocol's route table plus what the server adds. */
export interface RouteDef {
  key: RouteKey;
  spec: RouteSpec;
  method: Lowercase<HttpMethod>;
  path: string;
  auth: RouteAuth;
  /** Success status; 204 routes return nothing. */
  status: number;
  tag: string;
  summary: string;
  description: string;
  params?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.ObjectSchema;
  /** The body is a `multipart/form-data` file upload, which the handler reads itself (after auth). */
  multipart: boolean;
  /** The body is raw bytes of the table's content type (an email), which the handler reads itself (after auth). */
  raw: boolean;
  /** The reply is a file, not JSON. */
  binary: boolean;
  /** Throttle keys (beyond the route and IP) for the auth rate, e.g. IP and username tried, or the caller. */
  throttle?: Throttle;
  // Method syntax: each handler is checked against its own table entry by `route()`, then erased here.
  handler(ctx: RouteContext<unknown, unknown, unknown>): Promise<unknown>;
}

type IsAny<T> = 0 extends 1 & T ? true : false;
type AuthOf<K extends RouteKey> = (typeof REST_ROUTES)[K]['auth'];
/** What the handler sees: the joi schema's output type when it is typed (defaults applied), else the table's. */
type Validated<V, Wire> = IsAny<V> extends true ? Wire : V;
/** A JSON body; uploads and raw bodies are read by their handler, not validated by a schema. */
type JsonBody<K extends RouteKey> = RouteBody<K> extends FileUpload | RawBody ? undefined : RouteBody<K>;
/** What a handler resolves to: the bytes (or a stream) of a file download, the table's response otherwise. */
export type HandlerResult<K extends RouteKey> = RouteResponse<K> extends FileDownload ? Uint8Array | Readable : RouteResponse<K>;

/** A schema is required exactly when the table has that input, and typed with (a narrowing of) its type. */
type Slot<Name extends string, Wire, V> = [Wire] extends [undefined] ? { [N in Name]?: never } : { [N in Name]: Joi.ObjectSchema<V> };

export type RouteDeclaration<K extends RouteKey, P, Q, B> = {
  tag: string;
  /** One line, for the operation list. */
  summary: string;
  /** What a developer needs: what it does, who may call it, notable errors. */
  description: string;
  throttle?: Throttle;
  handler: (
    ctx: RouteContext<Validated<P, RouteParams<K>>, Validated<Q, RouteQuery<K>>, Validated<B, JsonBody<K>>, AuthOf<K>>,
  ) => Promise<HandlerResult<K>>;
} & Slot<'params', RouteParams<K>, P> &
  Slot<'query', RouteQuery<K>, Q> &
  Slot<'body', JsonBody<K>, B>;

/** A declaration with its types erased: the fields `route()` copies into the RouteDef. */
type ErasedDeclaration = Pick<RouteDef, 'tag' | 'summary' | 'description' | 'params' | 'query' | 'body' | 'throttle' | 'handler'>;

/**
 * Declares the server side of the table entry `key`: method, path, auth, status and shapes come from
 * `@confab/protocol`'s REST_ROUTES, and the handler must answer the entry's response type.
 */
export function route<
  K extends RouteKey,
  P extends RouteParams<K> = RouteParams<K>,
  Q extends RouteQuery<K> = RouteQuery<K>,
  B extends JsonBody<K> = JsonBody<K>,
>(key: K, declaration: RouteDeclaration<K, P, Q, B>): RouteDef {
  const spec: RouteSpec = REST_ROUTES[key];
  const { method, path } = splitRouteKey(key);
  const { tag, summary, description, params, query, body, throttle, handler } = declaration as unknown as ErasedDeclaration;
  return {
    key,
    spec,
    method: method.toLowerCase() as Lowercase<HttpMethod>,
    path,
    auth: spec.auth,
    status: spec.status ?? 200,
    tag,
    summary,
    description,
    params,
    query,
    body,
    multipart: spec.body?.kind === 'multipart',
    raw: spec.body?.kind === 'raw',
    binary: spec.response === 'binary',
    throttle,
    handler,
  };
}

/** The validated input, or `undefined` for an input the table says the route has none of. */
function validate(schema: Joi.Schema | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  if (where !== 'params') return validateInput<unknown>(schema, value, where);
  try {
    return validateInput<unknown>(schema, value, where);
  } catch {
    // A malformed id in the path names nothing that can exist.
    throw new NotFoundError('Resource');
  }
}

function bearer(ctx: Koa.Context): string | null {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
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

/** `inbound` routes: HTTP Basic with the app id and its inbound secret (a mail provider posting). */
async function resolveInboundApp(ctx: Koa.Context, services: Services): Promise<App> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.get('authorization'));
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const app = colon > 0 ? await services.inbound.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
  if (!app) {
    ctx.set('WWW-Authenticate', 'Basic realm="confab-inbound"');
    throw new UnauthorizedError('The app id and its inbound secret are required (HTTP Basic), and the app must have one set');
  }
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
      // Tokens come in the Authorization header only: a URL ends up in logs, history and Referer.
      const token = bearer(ctx);
      let actor: Actor | null = null;
      let app: App | null = null;
      if (def.auth === 'user' || (def.auth === 'link' && token)) {
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
      } else if (def.auth === 'inbound') {
        app = await resolveInboundApp(ctx, services);
      } else if (def.auth === 'admin') {
        if (!config.adminToken) throw new ForbiddenError('The admin API is disabled: set ADMIN_TOKEN');
        if (!isAdminToken(token, config.adminToken)) throw new UnauthorizedError('Admin token required');
      }
      ctx.state.appId = app?.id;

      const rawBody = ctx.request.body as unknown;
      if (def.body && ctx.request.length && !ctx.is('application/json')) {
        throw new AppError('unsupported_media_type', 'Send the body as application/json');
      }
      const raw = def.spec.body?.kind === 'raw' ? def.spec.body : null;
      if (raw && !ctx.is(raw.contentType)) throw new AppError('unsupported_media_type', `Send the body as ${raw.contentType}`);
      const params = validate(def.params, ctx.params, 'params');
      const query = validate(def.query, ctx.query, 'query');
      if (def.auth === 'app' || def.throttle) {
        await throttleAuth(ctx, def, (rawBody ?? {}) as Record<string, unknown>, services, config);
      }
      const body = validate(def.body, rawBody, 'body');

      let status = def.status;
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
