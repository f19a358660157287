import { createServer, type Server } from 'node:http';
import Router from '@koa/router';
import type { Redis } from 'ioredis';
import Koa from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import { LIMITS } from '@confab/protocol';
import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { NotFoundError } from './errors.js';
import { mountDocs } from './http/routes/docs.js';
import { errorHandler } from './http/middleware/errors.js';
import { originGuard } from './http/middleware/origin.js';
import { requestLog } from './http/middleware/request-log.js';
import { buildOpenApi } from './http/openapi.js';
import { mountRoutes, type RouteDef } from './http/route.js';
import { adminRoutes } from './http/routes/admin.js';
import { authRoutes } from './http/routes/auth.js';
import { demoPage } from './http/routes/demo.js';
import { messageRoutes } from './http/routes/messages.js';
import { opsRoutes } from './http/routes/ops.js';
import { roomRoutes } from './http/routes/rooms.js';
import { userRoutes } from './http/routes/users.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createMemoryThrottle, createRedisThrottle } from './redis/throttle.js';
import { createServices, type Services } from './services/index.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  config: Config;
  db: Db;
  /** Connected Redis, or null for the single-node in-process implementations. */
  redis: Redis | null;
  logger: Logger;
  /** Prefix of every Redis key (lets test files share one Redis). */
  redisPrefix?: string;
}

export interface ConfabApp {
  http: Server;
  koa: Koa;
  services: Services;
  metrics: Metrics;
  routes: RouteDef[];
  /** Stops accepting connections; the caller owns and closes db and redis. */
  close(): Promise<void>;
}

function securityHeaders(): Koa.Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}

/** Builds the whole server around its dependencies. Never listens: the caller does. */
export function createApp(options: AppOptions): ConfabApp {
  const { config, db, redis, logger } = options;
  const prefix = options.redisPrefix ?? 'confab:';
  const throttle = redis ? createRedisThrottle(redis, prefix, logger) : createMemoryThrottle();
  const services = createServices({ db, config, throttle });
  const metrics = createMetrics();
  const routes: RouteDef[] = [
    ...opsRoutes({ db, redis, metrics }),
    ...authRoutes,
    ...userRoutes,
    ...roomRoutes,
    ...messageRoutes,
    ...adminRoutes,
  ];

  const koa = new Koa({ proxy: config.trustProxy });
  const router = new Router();
  mountRoutes(router, routes, services, config);
  mountDocs(router, () => buildOpenApi(routes, VERSION));
  if (config.demo) router.get('/', demoPage);

  koa.use(requestLog(logger, metrics));
  koa.use(errorHandler(logger, metrics));
  koa.use(securityHeaders());
  koa.use(originGuard(services, config));
  koa.use(koaBody({
    json: true,
    jsonStrict: true,
    jsonLimit: LIMITS.jsonBodyBytesMax,
    urlencoded: false,
    text: false,
    multipart: false,
    parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE],
  }));
  koa.use(router.routes());
  koa.use(() => {
    throw new NotFoundError('Route');
  });

  const http = createServer(koa.callback());
  http.headersTimeout = 20_000;
  http.requestTimeout = 60_000;
  return {
    http,
    koa,
    services,
    metrics,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        if (!http.listening) return resolve();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
