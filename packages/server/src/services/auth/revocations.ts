import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { Revocation } from '../../redis/revoked-sessions.js';

/** How long a revocation is remembered: as long as an access token lives, plus slack for clocks. */
export const revocationWindowMs = (accessTtlSeconds: number): number => accessTtlSeconds * 1000 + 60_000;

/**
 * The database's record of ended sessions is `refresh_tokens.revoked_at`: every node's registry
 * of revoked sessions (redis/revoked-sessions.ts) loads the recent ones from it.
 */
export async function recentRevocations(db: Db, withinMs: number): Promise<Revocation[]> {
  const rows = (await db('refresh_tokens')
    .where('revoked_at', '>', new Date(Date.now() - withinMs))
    .groupBy('family_id')
    .select('family_id')
    .max({ revokedAt: 'revoked_at' })) as { familyId: string; revokedAt: Date | string }[];
  return rows.map((row) => ({ sessionId: row.familyId, revokedAt: new Date(row.revokedAt).getTime() }));
}

/** The check when the registry cannot tell: the session still has a live refresh token of its user. */
export async function sessionOpenInDb(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const row = await db('refresh_tokens')
    .where({ familyId: sessionId, userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', new Date())
    .first('id');
  return row !== undefined;
}

/** Ends a session in the record; returns whether it was open. */
export async function revokeFamily(trx: Knex.Transaction, familyId: string): Promise<boolean> {
  const revoked = await trx('refresh_tokens').where({ familyId }).whereNull('revoked_at').update({ revokedAt: new Date() });
  return Number(revoked) > 0;
}

/**
 * Before a guest is deleted (merged into the user who signed in): its sessions end, and their rows
 * move to that user as revoked ones, so the record of their end outlives the guest's cascade.
 */
export async function endSessionsOfMergedGuest(trx: Knex.Transaction, guestId: string, userId: string): Promise<string[]> {
  const open = (await trx('refresh_tokens').where({ userId: guestId }).whereNull('revoked_at').distinct('family_id')) as {
    familyId: string;
  }[];
  await trx('refresh_tokens')
    .where({ userId: guestId })
    .update({ userId, revokedAt: trx.raw('coalesce(revoked_at, ?)', [new Date()]), successorSealed: null });
  return open.map((row) => row.familyId);
}
