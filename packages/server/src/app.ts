import { createServer, type Server } from 'node:http';

import { LIMITS } from '@confab/protocol';
import Router from '@koa/router';
import type { Redis } from 'ioredis';
import Koa from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';

import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { NotFoundError, toBodyError } from './errors.js';
import { mountFavicon } from './http/favicon.js';
import { errorHandler } from './http/middleware/errors.js';
import { inFlight } from './http/middleware/in-flight.js';
import { originGuard } from './http/middleware/origin.js';
import { requestLog } from './http/middleware/request-log.js';
import { buildOpenApi } from './http/openapi.js';
import { mountRoutes, type RouteDef } from './http/route.js';
import { adminRoutes, adminSupportRoutes } from './http/routes/admin.js';
import { assignmentRoutes } from './http/routes/assignment.js';
import { authRoutes } from './http/routes/auth.js';
import { dataRightsRoutes } from './http/routes/data-rights.js';
import { mountDemo } from './http/routes/demo.js';
import { mountDocs } from './http/routes/docs.js';
import { inboundRoutes } from './http/routes/inbound.js';
import { labelRoutes } from './http/routes/labels.js';
import { mailRoutes } from './http/routes/mail.js';
import { messageRoutes } from './http/routes/messages.js';
import { moderationRoutes } from './http/routes/moderation.js';
import { noteRoutes } from './http/routes/notes.js';
import { opsRoutes } from './http/routes/ops.js';
import { reportRoutes } from './http/routes/reports.js';
import { retentionRoutes } from './http/routes/retention.js';
import { roomRoutes } from './http/routes/rooms.js';
import { safetyRoutes } from './http/routes/safety.js';
import { supportRoutes } from './http/routes/support.js';
import { unsubscribeRoutes } from './http/routes/unsubscribe.js';
import { uploadRoutes } from './http/routes/uploads.js';
import { userRoutes } from './http/routes/users.js';
import { widgetAssets } from './http/widget-assets.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createRealtime, type Realtime } from './realtime/server.js';
import type { ChatServer } from './realtime/types.js';
import { createMemoryMessageCache, createRedisMessageCache } from './redis/message-cache.js';
import { createMemoryPresence, createRedisPresence, PRESENCE_TTL_MS } from './redis/presence.js';
import { createMemoryRevokedSessions, createRedisRevokedSessions } from './redis/revoked-sessions.js';
import { createMemoryRoomCache } from './redis/room-cache.js';
import { createRedisRoomCache } from './redis/room-cache-redis.js';
import { createMemoryThrottle, createRedisThrottle } from './redis/throttle.js';
import { recentRevocations, revocationWindowMs } from './services/auth/revocations.js';
import { Housekeeping } from './services/housekeeping.js';
import { createServices, type Services } from './services/index.js';
import { AgentNotifier } from './services/mail/agent-notify.js';
import { ContinuityMailer } from './services/mail/continuity.js';
import { MailSender, type MailSenderOptions } from './services/mail/sender.js';
import type { MailScheduleOptions } from './services/mail/settings.js';
import { createMailTransport } from './services/mail/transport.js';
import { createStorage } from './services/uploads/storage-url.js';
import { type DispatcherOptions, WebhookDispatcher } from './services/webhooks/dispatcher.js';
import { Drain, gracefulClose } from './shutdown.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  config: Config;
  db: Db;
  /** Connected Redis, or null for the single-node in-process implementations. */
  redis: Redis | null;
  logger: Logger;
  /** Prefix of every Redis key (lets test files share one Redis). */
  redisPrefix?: string;
  /** How long a connection stays online in Redis presence without a heartbeat. */
  presenceTtlMs?: number;
  /** Webhook delivery timing (tests shorten the retry delays). */
  webhooks?: Partial<DispatcherOptions>;
  /** Mail timing (tests shorten the poll and retry delays, and the settings' minutes). */
  mail?: Partial<MailSenderOptions & MailScheduleOptions>;
}

export interface ConfabApp {
  http: Server;
  io: ChatServer;
  realtime: Realtime;
  koa: Koa;
  services: Services;
  metrics: Metrics;
  routes: RouteDef[];
  housekeeping: Housekeeping;
  /**
   * Graceful stop (src/shutdown.ts): stops listening, waits for work in flight (up to
   * SHUTDOWN_TIMEOUT_MS), flushes, tells sockets to reconnect elsewhere; the caller owns db and redis.
   */
  close(reason?: string): Promise<void>;
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
  const presenceTtlMs = options.presenceTtlMs ?? PRESENCE_TTL_MS;
  const throttle = redis ? createRedisThrottle(redis, prefix, logger) : createMemoryThrottle();
  const cache = redis ? createRedisMessageCache(redis, prefix, logger) : createMemoryMessageCache();
  const roomCache = redis ? createRedisRoomCache(redis, prefix, logger) : createMemoryRoomCache({ messages: cache });
  const presence = redis ? createRedisPresence(redis, prefix, logger, presenceTtlMs) : createMemoryPresence();
  const revocations = { load: (ms: number) => recentRevocations(db, ms), windowMs: revocationWindowMs(config.accessTtlSeconds), logger };
  const revokedSessions = redis ? createRedisRevokedSessions(redis, prefix, revocations) : createMemoryRevokedSessions(revocations);
  const storage = createStorage(config, db);
  const services = createServices({ db, config, logger, throttle, cache, roomCache, presence, storage, revokedSessions });
  const metrics = createMetrics();
  const dispatcher = new WebhookDispatcher(db, services.events, logger, metrics, options.webhooks);
  const mailSender = new MailSender(db, services.mail, createMailTransport(config, logger), logger, metrics, options.mail);
  const agentNotifier = new AgentNotifier(db, services.mail, presence, services.unsubscribe.links, logger, options.mail);
  const continuity = new ContinuityMailer(db, services.mail, presence, services.unsubscribe.links, config, logger, options.mail);
  const housekeeping = new Housekeeping(db, storage, logger);
  housekeeping.add({ name: 'retention', run: () => services.retention.run() });
  housekeeping.add({ name: 'erasures', run: () => services.erasure.resumePending() });
  const drain = new Drain();
  const routes: RouteDef[] = [
    ...opsRoutes({ db, redis, metrics, drain }),
    ...authRoutes,
    ...userRoutes,
    ...roomRoutes,
    ...messageRoutes,
    ...safetyRoutes,
    ...moderationRoutes,
    ...retentionRoutes,
    ...dataRightsRoutes,
    ...supportRoutes,
    ...labelRoutes,
    ...assignmentRoutes,
    ...noteRoutes,
    ...mailRoutes,
    ...inboundRoutes,
    ...unsubscribeRoutes,
    ...reportRoutes,
    ...uploadRoutes,
    ...adminRoutes,
    ...adminSupportRoutes,
  ];

  const koa = new Koa({ proxy: config.trustProxy });
  // What escapes the error middleware (a client that cut its body off mid-stream): one log line,
  // not Koa's default stack dump on stderr.
  koa.on('error', (err: Error, ctx?: Koa.Context) =>
    logger.warn({ err: err.message, reqId: ctx?.state.requestId }, 'request failed outside the error middleware'),
  );
  const router = new Router();
  mountRoutes(router, routes, services, config);
  const docs = { version: VERSION, publicUrl: config.publicUrl };
  mountDocs(router, () => buildOpenApi(routes, docs), { ...docs, demo: config.demo });
  mountFavicon(router);
  if (config.demo) mountDemo(router);

  koa.use(inFlight(drain));
  koa.use(requestLog(logger, metrics));
  koa.use(errorHandler(logger, metrics));
  koa.use(securityHeaders());
  koa.use(widgetAssets());
  koa.use(originGuard(services, config));
  koa.use(
    koaBody({
      json: true,
      jsonStrict: true,
      jsonLimit: LIMITS.jsonBodyBytesMax,
      urlencoded: false,
      text: false,
      multipart: false,
      parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE],
      onError: (err) => {
        throw toBodyError(err);
      },
    }),
  );
  koa.use(router.routes());
  koa.use(() => {
    throw new NotFoundError('Route');
  });

  const handle = koa.callback();
  // Why: Koa's handler settles its own failures through ctx.onerror, so its promise never rejects.
  const http = createServer((req, res) => void handle(req, res));
  http.headersTimeout = 20_000;
  http.requestTimeout = 60_000;
  const realtime = createRealtime({
    http,
    services,
    config,
    logger,
    metrics,
    redis,
    redisPrefix: prefix,
    presence,
    presenceIntervalMs: Math.max(100, Math.floor(presenceTtlMs / 3)),
    drain,
  });
  dispatcher.start();
  mailSender.start();
  continuity.start();
  agentNotifier.start();
  housekeeping.start();
  services.assignment.start();
  return {
    http,
    io: realtime.io,
    realtime,
    koa,
    services,
    metrics,
    routes,
    housekeeping,
    close: gracefulClose({
      http,
      drain,
      logger,
      timeoutMs: config.shutdownTimeoutMs,
      steps: {
        webhooks: () => dispatcher.stop(),
        mail: async () => {
          await continuity.stop();
          await agentNotifier.stop();
          await mailSender.stop();
        },
        housekeeping: () => housekeeping.stop(),
        assignment: () => services.assignment.stop(),
        realtime: () => realtime.close(),
        revokedSessions: () => revokedSessions.close(),
        storage: async () => storage.close?.(),
      },
    }),
  };
}
