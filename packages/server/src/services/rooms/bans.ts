import type { Knex } from 'knex';

import { AppError } from '../../errors.js';

/** A room ban counts until it expires (`expires_at` null: until lifted). */
export const ACTIVE_BAN = '(expires_at is null or expires_at > now())';

/** The active bans of `userIds` from the room: when each ends (null: never), by user id. */
export async function activeRoomBans(db: Knex, roomId: string, userIds: readonly string[]): Promise<Map<string, Date | null>> {
  if (!userIds.length) return new Map();
  const rows = (await db('room_bans')
    .where({ roomId })
    .whereIn('user_id', userIds)
    .whereRaw(ACTIVE_BAN)
    .select('user_id', 'expires_at')) as { userId: string; expiresAt: Date | null }[];
  return new Map(rows.map((r) => [r.userId, r.expiresAt]));
}

/**
 * Refuses (`forbidden`, `details.bannedUntil`, null for ever) when any of `userIds` is banned from
 * the room. Called in the joining transaction after the memberships were inserted: their foreign
 * key waits for a ban in flight (which locks the room row), so a ban and a join never both win.
 */
export async function refuseBanned(db: Knex, roomId: string, userIds: readonly string[], self: boolean): Promise<void> {
  const bans = await activeRoomBans(db, roomId, userIds);
  const [banned] = bans.entries();
  if (!banned) return;
  const [userId, until] = banned;
  const bannedUntil = until ? new Date(until).toISOString() : null;
  if (self) throw new AppError('forbidden', 'You are banned from this room', { bannedUntil });
  throw new AppError('forbidden', 'This person is banned from this room', { userId, bannedUntil });
}
