import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AuthSessionDto, ErrorBody, ErrorResponse } from '@confab/protocol';
import type { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';

import { type AppOptions, type ConfabApp, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { migrate } from '../../src/db/migrate.js';
import type { App } from '../../src/db/models/index.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createRedis, redisReady } from '../../src/redis/client.js';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** The `error` of an `{ error }` reply body; undefined for any other body (a success, text, none). */
export function replyError(body: unknown): ErrorBody | undefined {
  return (body as Partial<ErrorResponse> | null | undefined)?.error;
}

/** Asserts a reply's status (and, when given, its error code), showing the body when they differ. */
export function expectStatus(res: ApiResponse, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (code) expect(replyError(res.body)?.code).toBe(code);
}

export interface RequestOptions {
  token?: string;
  app?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding) when a string. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  /** Database schema and Redis prefix shared by the nodes of one test cluster. */
  schema: string;
  redisPrefix: string;
  config: Config;
  db: Db;
  redis: Redis | null;
  app: ConfabApp;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /**
   * Stops this node as a restart does (every socket dropped, in-process state gone) and, after
   * `downMs`, starts a fresh one on the same port over the same database and Redis.
   */
  restart(downMs?: number): Promise<void>;
  /** A tenant with its own secret and allowed origins. */
  createTenant(origins?: string[]): Promise<App>;
  guest(app: App | string, name?: string): Promise<AuthSessionDto>;
  /** A member signed in through a host-signed token (fast: no password hashing). */
  member(app: App, externalId?: string, claims?: Record<string, unknown>): Promise<AuthSessionDto>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  logger?: Logger;
  /** Another node of the same cluster: same database schema, secret and Redis prefix, own connections. */
  peer?: TestServer;
  presenceTtlMs?: number;
  /** Redis URL for this node (default REDIS_URL): lets a test point a cluster at a private Redis. */
  redisUrl?: string;
  /** Webhook delivery timing (e.g. short retry delays). */
  webhooks?: AppOptions['webhooks'];
  /** Mail sender timing (e.g. short poll and retry delays). */
  mail?: AppOptions['mail'];
}

/**
 * A real server on an ephemeral port: PostgreSQL (own schema) and Redis (own key prefix) when
 * DATABASE_URL / REDIS_URL are set, embedded PGlite and in-process parts otherwise.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { peer } = options;
  const env = {
    NODE_ENV: 'test',
    JWT_SECRET: peer?.config.jwtSecret ?? randomBytes(32).toString('hex'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'confab-test-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    MESSAGE_RATE: 'unlimited',
    AUTH_RATE: 'unlimited',
    CONFAB_DEMO: '0',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    REDIS_URL: options.redisUrl ?? process.env.REDIS_URL ?? '',
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = options.logger ?? createLogger(config.logLevel);
  if (peer && !config.databaseUrl) throw new Error('A second node needs DATABASE_URL (PGlite is one process, one connection)');
  const schema = peer?.schema ?? `t_${randomBytes(6).toString('hex')}`;
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: null, schema });
  if (!peer) await migrate(db);
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  if (redis) await redisReady(redis);
  const redisPrefix = peer?.redisPrefix ?? `confab:${schema}:`;
  const boot = async (port: number) => {
    const node = createApp({
      config,
      db,
      redis,
      logger,
      redisPrefix,
      presenceTtlMs: options.presenceTtlMs,
      webhooks: options.webhooks,
      mail: options.mail,
    });
    await node.realtime.ready();
    await new Promise<void>((resolve) => node.http.listen(port, '127.0.0.1', resolve));
    return node;
  };
  let app = await boot(0);
  const port = (app.http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const request = async <T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.app) headers['x-confab-app'] = opts.app;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers };
  };

  const expectOk = <T>(res: ApiResponse<T>, what: string): T => {
    if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  return {
    url,
    schema,
    redisPrefix,
    config,
    db,
    redis,
    get app() {
      return app;
    },
    request,
    restart: async (downMs = 0) => {
      await app.close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      app = await boot(port);
    },
    createTenant: (origins = ['http://localhost:*']) =>
      app.services.apps.create({ name: `Tenant ${randomBytes(3).toString('hex')}`, origins }),
    guest: async (tenant, name = 'Visitor') =>
      expectOk(
        await request<AuthSessionDto>('POST', '/v1/auth/guest', { app: typeof tenant === 'string' ? tenant : tenant.id, body: { name } }),
        'guest',
      ),
    member: async (tenant, externalId = `ext-${randomBytes(4).toString('hex')}`, claims = {}) => {
      const token = jwt.sign({ name: `User ${externalId}`, ...claims }, tenant.secret, {
        algorithm: 'HS256',
        subject: externalId,
        audience: tenant.id,
        expiresIn: '1h',
      });
      return expectOk(await request<AuthSessionDto>('POST', '/v1/auth/exchange', { app: tenant.id, body: { token } }), 'exchange');
    },
    close: async () => {
      await app.close();
      if (redis) {
        if (!peer && redis.status === 'ready') {
          const keys = await redis.keys(`${redisPrefix}*`);
          if (keys.length) await redis.del(...keys);
        }
        redis.disconnect();
      }
      if (config.databaseUrl && !peer) await db.raw(`drop schema if exists "${schema}" cascade`);
      await db.destroy();
    },
  };
}
