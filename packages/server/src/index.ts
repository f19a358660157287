import type { AddressInfo } from 'node:net';

import { type ConfabApp, createApp } from './app.js';
import { bounded } from './bounded.js';
import type { Config } from './config.js';
import { type DataDirLock, lockDataDir } from './db/data-dir-lock.js';
import { createDb, type Db } from './db/knex.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis, redisReady } from './redis/client.js';
import { demoPassword, ensureDemo } from './services/apps/demo.js';
import { quitRedis, STEP_TIMEOUT_MS } from './shutdown.js';

export interface RunningServer {
  app: ConfabApp;
  db: Db;
  url: string;
  logger: Logger;
  /** In demo mode: where the agent's password is kept, and the password itself only when this start generated it. */
  demo: { passwordFile: string; newPassword: string | null } | null;
  /** Graceful stop (the app drains), then Redis, the database and DATA_DIR; rejects when part of it failed. */
  stop(reason?: string): Promise<void>;
}

/** Boots one server node: database (migrated), Redis when configured, demo data, then listens. */
export async function start(config: Config): Promise<RunningServer> {
  // Embedded PGlite: one process per data directory, so this node holds DATA_DIR until it stops.
  const lock = config.databaseUrl ? null : lockDataDir(config.dataDir, 'start');
  try {
    return await boot(config, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function boot(config: Config, lock: DataDirLock | null): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (config.migrateOnStart) {
    const applied = await migrate(db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  } else {
    const pending = await pendingMigrations(db);
    if (pending.length) {
      await db.destroy();
      throw new Error(
        `the database needs migrations (${pending.join(', ')}): run "confab-server migrate" first, or set MIGRATE_ON_START=1`,
      );
    }
  }

  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  let redisDown = false;
  if (redis) {
    // Start anyway when Redis is down: everything falls back to this node (see /readyz) and
    // catches up by itself when Redis comes.
    await redisReady(redis).catch((err: Error) => {
      redisDown = true;
      logger.warn({ err: err.message }, 'starting without redis');
    });
  }

  const app = createApp({ config, db, redis, logger, redisPrefix: config.redisPrefix });
  // Waiting for the adapter's connections is pointless when Redis just failed to answer.
  if (!redisDown) await app.realtime.ready();
  let demo: RunningServer['demo'] = null;
  if (config.demo) {
    const { password, file, generated } = demoPassword(config.dataDir);
    const { created, reset } = await ensureDemo(db, app.services.apps, password);
    // The password itself goes to the operator's terminal (cli), never to the log.
    if (created) logger.info({ passwordFile: file }, 'demo app "demo" and agent "agent" created');
    if (reset) logger.info({ passwordFile: file }, 'demo agent "agent" given the password kept in DATA_DIR');
    demo = { passwordFile: file, newPassword: generated ? password : null };
  }
  await new Promise<void>((resolve, reject) => {
    app.http.once('error', reject);
    app.http.listen(config.port, config.host, () => resolve());
  });
  const { port } = app.http.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = config.publicUrl ?? `http://${host}:${port}`;

  let stopping: Promise<void> | null = null;
  const stop = (reason?: string) =>
    (stopping ??= (async () => {
      const failures: unknown[] = [];
      const attempt = (work: () => Promise<void> | void) =>
        Promise.resolve()
          .then(work)
          .catch((err: unknown) => void failures.push(err));
      await attempt(() => app.close(reason));
      if (redis) await attempt(() => quitRedis(redis));
      await attempt(() => bounded(db.destroy(), STEP_TIMEOUT_MS, 'closing the database pool'));
      await attempt(() => lock?.release());
      if (failures.length) {
        for (const err of failures) logger.error({ err }, 'cleanup at shutdown failed');
        throw failures[0];
      }
    })());
  return { app, db, url, logger, demo, stop };
}
