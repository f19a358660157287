import type { Knex } from 'knex';

import { type Db, isEmbedded } from './knex.js';
import * as initial from './migrations/001-initial.js';
import * as roomVersions from './migrations/002-room-versions.js';
import * as support from './migrations/003-support.js';
import * as refreshGrace from './migrations/004-refresh-grace.js';
import * as revokedSessions from './migrations/005-revoked-sessions.js';
import * as activityIndex from './migrations/006-activity-index.js';
import * as labels from './migrations/007-labels.js';
import * as search from './migrations/008-search.js';
import * as ratings from './migrations/009-ratings.js';
import * as notes from './migrations/010-notes.js';
import * as autoAssign from './migrations/011-auto-assign.js';
import * as reports from './migrations/012-reports.js';
import * as mail from './migrations/013-mail.js';
import * as mailContinuity from './migrations/014-mail-continuity.js';
import * as myMessages from './migrations/015-my-messages.js';
import * as moderation from './migrations/016-moderation.js';
import * as uploadsAtScale from './migrations/017-uploads-at-scale.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Migrations are listed here rather than read from disk, so they run the same from src and dist. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-room-versions': roomVersions,
  '003-support': support,
  '004-refresh-grace': refreshGrace,
  '005-revoked-sessions': revokedSessions,
  '006-activity-index': activityIndex,
  '007-labels': labels,
  '008-search': search,
  '009-ratings': ratings,
  '010-notes': notes,
  '011-auto-assign': autoAssign,
  '012-reports': reports,
  '013-mail': mail,
  '014-mail-continuity': mailContinuity,
  '015-my-messages': myMessages,
  '016-moderation': moderation,
  '017-uploads-at-scale': uploadsAtScale,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS[name];
    if (!migration) throw new Error(`Unknown migration ${name}`);
    return migration;
  },
};

const LOCK_WAIT_MS = 60_000;

/**
 * Applies every pending migration; returns the names applied. Nodes starting together wait for
 * the one holding knex's migration lock instead of failing.
 */
export async function migrate(db: Db): Promise<string[]> {
  if (isEmbedded(db)) return latest(db);
  // knex's own lock lives in a table that the first node must create, so nodes starting together
  // on an empty database would race to create it: a PostgreSQL advisory lock (per schema, held by
  // this transaction while the migrations run on other pool connections) lets one go at a time.
  return db.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('confab:migrate:' || current_schema()))");
    return latest(db);
  });
}

async function latest(db: Db): Promise<string[]> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
      return applied;
    } catch (err) {
      if ((err as Error).name !== 'MigrationLocked' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Names of migrations not yet applied (a node that does not migrate refuses to start on them). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource: source })) as [unknown[], string[]];
  return pending;
}

export async function rollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}
