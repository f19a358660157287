import type { AddressInfo } from 'node:net';
import { createApp, type ConfabApp } from './app.js';
import type { Config } from './config.js';
import { createDb, type Db } from './db/knex.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis, redisReady } from './redis/client.js';
import { ensureDemo } from './services/apps/demo.js';

export interface RunningServer {
  app: ConfabApp;
  db: Db;
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

/** Boots one server node: database (migrated), Redis when configured, demo data, then listens. */
export async function start(config: Config): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (config.migrateOnStart) {
    const applied = await migrate(db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  } else {
    const pending = await pendingMigrations(db);
    if (pending.length) {
      await db.destroy();
      throw new Error(`the database needs migrations (${pending.join(', ')}): run "confab-server migrate" first, or set MIGRATE_ON_START=1`);
    }
  }

  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  if (redis) {
    // Start anyway when Redis is down: throttling falls back to per-process limits meanwhile.
    await redisReady(redis).catch((err: Error) => logger.warn({ err: err.message }, 'starting without redis'));
  }

  const app = createApp({ config, db, redis, logger, redisPrefix: config.redisPrefix });
  await app.realtime.ready();
  if (config.demo && (await ensureDemo(db, app.services.apps)).created) {
    logger.info('demo app "demo" and agent "agent" (password "agent") created');
  }
  await new Promise<void>((resolve, reject) => {
    app.http.once('error', reject);
    app.http.listen(config.port, config.host, () => resolve());
  });
  const { port } = app.http.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = config.publicUrl ?? `http://${host}:${port}`;

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      redis?.disconnect();
      await db.destroy();
    })());
  return { app, db, url, logger, stop };
}
