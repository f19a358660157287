import { LIMITS } from '@confab/protocol';
import Joi from 'joi';
import type { Knex } from 'knex';

import { ValidationError } from '../errors.js';

export const limitSchema = Joi.number().integer().min(1).max(LIMITS.pageMax).default(LIMITS.pageDefault);
export const cursorSchema = Joi.string().max(512);

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What one element of a cursor's key must be. */
export type CursorKind = 'iso-date' | 'uuid' | 'string' | 'int';

interface CursorKindType {
  'iso-date': string;
  uuid: string;
  string: string;
  int: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What toISOString writes for the years PostgreSQL's timestamptz and JavaScript's Date share.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True when `v` names a real instant: no month 13, no February 30 rolled over into March. */
function isoRoundTrips(v: string): boolean {
  const time = Date.parse(v);
  return !Number.isNaN(time) && new Date(time).toISOString() === v;
}

const CURSOR_KINDS: Record<CursorKind, (value: unknown) => boolean> = {
  'iso-date': (v) => typeof v === 'string' && ISO_DATE.test(v) && !v.startsWith('0000') && isoRoundTrips(v),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  string: (v) => typeof v === 'string' && !v.includes('\u0000'),
  int: (v) => Number.isSafeInteger(v),
};

/**
 * Reads a cursor back into its key, checked element by element against `kinds`, so a forged
 * cursor is a 422 here and never a malformed value for the database.
 */
export function decodeCursor<const K extends readonly CursorKind[]>(cursor: string, kinds: K): { [I in keyof K]: CursorKindType[K[I]] } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // falls through to the error
  }
  if (Array.isArray(key) && key.length === kinds.length && kinds.every((kind, i) => CURSOR_KINDS[kind](key[i]))) {
    return key as unknown as { [I in keyof K]: CursorKindType[K[I]] };
  }
  throw new ValidationError('Invalid cursor', [{ path: 'query.cursor', message: 'cursor is not one this API returned' }]);
}

/** Fetches `limit + 1` rows to learn whether there is more without a count. */
export function splitPage<T>(rows: T[], limit: number): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where a newest-first list's rows live, and how its cursor (the last row's `key`) finds its row again. */
export interface NewestFirst {
  /** The table, and the alias the query gives it (if any). */
  table: string;
  alias?: string;
  /** The uuid column that, with `created_at`, orders the rows. */
  key: string;
  /** A column and value the cursor's row must also have (its app, its room): a cursor never reaches another list. */
  scope: [column: string, value: string];
}

/**
 * One page of `query`, newest first by (`created_at`, `key`). The next page starts below the
 * cursor's row at that row's own time, read in SQL (a JavaScript Date would drop its
 * microseconds); a cursor naming no row of the list ends it.
 */
export async function newestFirstPage<R>(
  query: Knex.QueryBuilder,
  spec: NewestFirst,
  page: { limit: number; cursor?: string },
  keyOf: (row: R) => string,
): Promise<{ items: R[]; hasMore: boolean; nextCursor?: string }> {
  const at = spec.alias ? `${spec.alias}.` : '';
  query
    .orderBy([
      { column: `${at}created_at`, order: 'desc' },
      { column: `${at}${spec.key}`, order: 'desc' },
    ])
    .limit(page.limit + 1);
  if (page.cursor) {
    const [key] = decodeCursor(page.cursor, ['uuid']);
    const anchor = `select created_at, ${spec.key} from ${spec.table} where ${spec.key} = ? and ${spec.scope[0]} = ?`;
    query.whereRaw(`(${at}created_at, ${at}${spec.key}) < (${anchor})`, [key, spec.scope[1]]);
  }
  const { items, hasMore } = splitPage((await query) as R[], page.limit);
  const last = items.at(-1);
  return { items, hasMore, ...(hasMore && last ? { nextCursor: encodeCursor([keyOf(last)]) } : {}) };
}
