import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import knexModule, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import objection from 'objection';
import pg from 'pg';

const { knexSnakeCaseMappers } = objection;

// bigint (seq, counts) as numbers, like PGlite does: seqs stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface DbOptions {
  /** PostgreSQL connection string; when absent, embedded PGlite is used. */
  databaseUrl: string | null;
  /** Where PGlite keeps its files; `null` keeps the database in memory (tests). */
  dataDir: string | null;
  /** A schema to work in (created if missing): lets test files share one database. */
  schema?: string;
  poolMax?: number;
}

export type Db = Knex;

/**
 * knex-pglite names a delete's command `DEL` (its method name), which knex's postgres dialect
 * does not recognise as a delete, so `.delete()` would not return the count of deleted rows.
 */
interface ResponseProcessor {
  processResponse(obj: { method?: string }, runner: unknown): unknown;
}
const PgLiteClient = ClientPgLite as unknown as new (config: Knex.Config) => ResponseProcessor;

class EmbeddedClient extends PgLiteClient {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

export function createDb(options: DbOptions): Db {
  const common: Knex.Config = { ...knexSnakeCaseMappers(), acquireConnectionTimeout: 30_000 };
  if (options.databaseUrl) {
    return knexModule.knex({
      ...common,
      client: 'pg',
      connection: options.databaseUrl,
      searchPath: options.schema ? [options.schema] : undefined,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        afterCreate: options.schema
          ? (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
              conn.query(`create schema if not exists "${options.schema}"`, (err) => done(err ?? null, conn));
            }
          : undefined,
      },
    });
  }
  let connection: Knex.StaticConnectionConfig = {} as Knex.StaticConnectionConfig;
  if (options.dataDir) {
    const dir = join(options.dataDir, 'pg');
    mkdirSync(dir, { recursive: true });
    connection = { filename: dir };
  }
  return knexModule.knex({ ...common, client: EmbeddedClient as unknown as typeof ClientPgLite, dialect: 'postgres', connection });
}

/** True when this database is the embedded single-connection PGlite. */
export function isEmbedded(db: Db): boolean {
  return db.client.config.client === (EmbeddedClient as unknown);
}

/**
 * Runs independent queries together on the pool, but one after another inside a transaction,
 * whose single connection takes one query at a time.
 */
export async function allOf<T extends unknown[]>(db: Knex, ...work: { [K in keyof T]: () => PromiseLike<T[K]> }): Promise<T> {
  if (!(db as Knex.Transaction).isTransaction) return (await Promise.all(work.map((w) => w()))) as T;
  const out: unknown[] = [];
  for (const w of work) out.push(await w());
  return out as T;
}
