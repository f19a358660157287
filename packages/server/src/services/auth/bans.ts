import type { Knex } from 'knex';

import { AppError } from '../../errors.js';

/**
 * Refuses a session to someone banned from the app (`forbidden`, `details.bannedUntil`, null for
 * ever); an expired ban no longer counts. The user row is key-share-locked first and the ban read in a
 * second statement: an app ban locks that row before it ends the user's sessions, so a sign-in
 * racing it either sees the ban or commits its session before the ban ends them all.
 */
export async function refuseBannedUser(trx: Knex.Transaction, userId: string): Promise<void> {
  // Key-share: it waits for the ban's row lock (FOR UPDATE), not for ordinary updates of the user (last seen).
  await trx('users').where({ id: userId }).forKeyShare().first('id');
  const ban = (await trx('user_bans').where({ userId }).whereRaw('(expires_at is null or expires_at > now())').first('expires_at')) as
    { expiresAt: Date | null } | undefined;
  if (!ban) return;
  const bannedUntil = ban.expiresAt ? new Date(ban.expiresAt).toISOString() : null;
  throw new AppError('forbidden', 'This account is banned from this app', { bannedUntil });
}
