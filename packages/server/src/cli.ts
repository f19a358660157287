#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { ConfigError, loadConfig } from './config.js';
import { lockDataDir, type LockOwner } from './db/data-dir-lock.js';
import { createDb } from './db/knex.js';
import { migrate } from './db/migrate.js';
import { start } from './index.js';
import { AppsService } from './services/apps/apps-service.js';

const USAGE = `Usage: confab-server [command]

Commands:
  start                                   run the server (default)
  migrate                                 apply pending database migrations and exit
  apps:create --name N --origin URL...    create an app; prints its id and secret
  apps:list                               list apps

Configuration comes from the environment (see the README).`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Runs `work` on the migrated database; `applied` names the migrations this call applied. */
async function withDb<T>(command: LockOwner, work: (db: ReturnType<typeof createDb>, applied: string[]) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // The embedded database belongs to one process at a time: refuse while a server holds it.
  const lock = config.databaseUrl ? null : lockDataDir(config.dataDir, command);
  try {
    const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrate(db);
      return await work(db, applied);
    } finally {
      await db.destroy();
    }
  } finally {
    lock?.release();
  }
}

/** Where to look in demo mode; the password is shown once, by the start that generated it. */
function demoLines(url: string, demo: { passwordFile: string; newPassword: string | null }): string {
  const agent = demo.newPassword
    ? `user "agent", password "${demo.newPassword}" (kept in ${demo.passwordFile}; shown only this once)`
    : `user "agent", password in ${demo.passwordFile}`;
  return `Demo mode: visitor page ${url}/, agent inbox ${url}/inbox\n  inbox sign-in: ${agent}\n`;
}

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
    case 'start': {
      // Whoever read our stdout is gone (a closed pipe): keep serving and still drain on SIGTERM instead of crashing.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      });
      const server = await start(loadConfig());
      process.stdout.write(`Confab listening on ${server.url}\n${server.demo ? demoLines(server.url, server.demo) : ''}`);
      let stopping = false;
      // The first signal drains (see the README, "Stopping"); a second one exits at once.
      const shutdown = (signal: NodeJS.Signals) => {
        if (stopping) {
          server.logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
          process.exit(1);
        }
        stopping = true;
        server.stop(signal).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      return;
    }
    case 'migrate': {
      const applied = await withDb('migrate', async (_db, done) => done);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date\n');
      return;
    }
    case 'apps:create': {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, origin: { type: 'string', multiple: true } } });
      if (!values.name) fail('apps:create needs --name NAME (and --origin URL for each site that embeds chat)');
      const app = await withDb('apps:create', (db) => new AppsService(db).create({ name: values.name!, origins: values.origin ?? [] }));
      process.stdout.write(
        `App created\n  id:      ${app.id}\n  secret:  ${app.secret}\n  origins: ${app.allowedOrigins.join(', ') || '(none)'}\n`,
      );
      return;
    }
    case 'apps:list': {
      const apps = await withDb('apps:list', (db) => new AppsService(db).list());
      for (const app of apps) process.stdout.write(`${app.id}\t${app.name}\t${app.allowedOrigins.join(',')}\n`);
      return;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`Unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message);
  const message = (err as { message?: string })?.message ?? String(err);
  fail(`confab-server: ${message}`);
});
