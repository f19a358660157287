import type { Knex } from 'knex';
import type { QueryBuilder } from 'objection';

import type { RoomRecord } from '../../db/models/index.js';
import { decodeCursor, encodeCursor } from '../pagination.js';

// Millisecond precision, like the cursor that carries it (an ISO string). Truncated in UTC, so the
// expression is immutable and matches the index of migration 006 (the inbox and room list read
// their page from it instead of sorting every room of the app).
export const ACTIVITY = "timezone('UTC', date_trunc('milliseconds', timezone('UTC', coalesce(rooms.last_message_at, rooms.created_at))))";

export type WithActivity<T> = T & { activityAt: Date };

/** Orders rooms by last activity, newest first, one row past `limit`, continuing after `cursor`. */
export function byActivity<Q extends QueryBuilder<RoomRecord, RoomRecord[]>>(db: Knex, query: Q, limit: number, cursor?: string): Q {
  query
    .select(db.raw(`${ACTIVITY} as activity_at`))
    .orderByRaw(`${ACTIVITY} desc, rooms.id desc`)
    .limit(limit + 1);
  if (cursor) {
    const [at, id] = decodeCursor(cursor, ['iso-date', 'uuid']);
    query.whereRaw(`(${ACTIVITY}, rooms.id) < (?::timestamptz, ?)`, [at, id]);
  }
  return query;
}

/** The cursor continuing after `last`, when there is more. */
export function activityCursor(last: WithActivity<RoomRecord> | undefined, hasMore: boolean): { nextCursor?: string } {
  return hasMore && last ? { nextCursor: encodeCursor([new Date(last.activityAt).toISOString(), last.id]) } : {};
}
