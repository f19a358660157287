import type { ConversationRatingDto } from '@confab/protocol';
import type { Knex } from 'knex';

export interface RatingRow {
  roomId: string;
  resolvedAt: Date | string;
  score: number;
  comment: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

const iso = (t: Date | string) => new Date(t).toISOString();

export function toRatingDto(row: RatingRow): ConversationRatingDto {
  return {
    conversationId: row.roomId,
    score: Number(row.score),
    comment: row.comment,
    resolvedAt: iso(row.resolvedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/**
 * The rating of each room's current resolution, by room id, in one query: a room that is not
 * resolved (its `resolved_at` is null) or was resolved again since it was rated has none.
 */
export async function loadRatings(db: Knex, roomIds: string[]): Promise<Map<string, ConversationRatingDto>> {
  if (!roomIds.length) return new Map();
  const rows: RatingRow[] = await db('conversation_ratings as cr')
    .join('rooms as r', (j) => j.on('r.id', 'cr.room_id').andOn('r.resolved_at', 'cr.resolved_at'))
    .whereIn('cr.room_id', roomIds)
    .select('cr.room_id', 'cr.resolved_at', 'cr.score', 'cr.comment', 'cr.created_at', 'cr.updated_at');
  return new Map(rows.map((row) => [row.roomId, toRatingDto(row)]));
}
