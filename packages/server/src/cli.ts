#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createDb } from './db/knex.js';
import { migrate } from './db/migrate.js';
import { AppsService } from './services/apps/apps-service.js';
import { start } from './index.js';

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

async function withDb<T>(work: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
    case 'start': {
      const server = await start(loadConfig());
      process.stdout.write(`Confab listening on ${server.url}\n`);
      const shutdown = (signal: string) => {
        server.logger.info({ signal }, 'shutting down');
        server.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return;
    }
    case 'migrate': {
      const applied = await withDb(migrate);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date\n');
      return;
    }
    case 'apps:create': {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, origin: { type: 'string', multiple: true } } });
      if (!values.name) fail('apps:create needs --name NAME (and --origin URL for each site that embeds chat)');
      const app = await withDb((db) => new AppsService(db).create({ name: values.name!, origins: values.origin ?? [] }));
      process.stdout.write(`App created\n  id:      ${app.id}\n  secret:  ${app.secret}\n  origins: ${app.allowedOrigins.join(', ') || '(none)'}\n`);
      return;
    }
    case 'apps:list': {
      const apps = await withDb((db) => new AppsService(db).list());
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
