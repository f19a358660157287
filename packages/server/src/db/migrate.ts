import type { Knex } from 'knex';
import { dbErrorCode } from '../errors.js';
import type { Db } from './knex.js';
import * as initial from './migrations/001-initial.js';
import * as roomVersions from './migrations/002-room-versions.js';
import * as support from './migrations/003-support.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Migrations are listed here rather than read from disk, so they run the same from src and dist. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-room-versions': roomVersions,
  '003-support': support,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};

const LOCK_WAIT_MS = 60_000;

/**
 * Another node holds the migration lock, or created knex's own bookkeeping tables (which exist
 * before there is a lock to take) at the same moment as we did: wait and look again.
 */
function lostMigrationRace(err: unknown): boolean {
  if ((err as Error).name === 'MigrationLocked') return true;
  const code = dbErrorCode(err);
  return /knex_migrations/.test((err as Error).message ?? '') && (code === '23505' || code === '42P07');
}

/**
 * Applies every pending migration; returns the names applied. Nodes starting together wait for
 * the one holding knex's migration lock instead of failing.
 */
export async function migrate(db: Db): Promise<string[]> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
      return applied;
    } catch (err) {
      if (!lostMigrationRace(err) || Date.now() > deadline) throw err;
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
