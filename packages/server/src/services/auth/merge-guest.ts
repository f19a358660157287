import type { Knex } from 'knex';

import { bumpRoom } from '../room-version.js';
import { endSessionsOfMergedGuest } from './revocations.js';

export interface MergedGuest {
  /** Messages that changed sender, each with the room version of that change. */
  moved: { id: string; roomId: string; version: number }[];
  roomIds: string[];
  /** The guest's sessions, ended: their access tokens must be refused from now on. */
  sessionIds: string[];
}

/**
 * Moves everything a guest owns to the user they signed in as, then removes the guest:
 * a visitor who later signs in keeps their conversations.
 */
export async function mergeGuestInto(trx: Knex.Transaction, appId: string, guestId: string, userId: string): Promise<MergedGuest> {
  const roomIds: string[] = await trx('memberships').where({ userId: guestId }).pluck('room_id');
  await trx.raw(
    `insert into memberships (room_id, user_id, role, joined_at, delivered_seq, read_seq, muted)
     select room_id, ?, role, joined_at, delivered_seq, read_seq, muted from memberships where user_id = ?
     on conflict (room_id, user_id) do update set
       delivered_seq = greatest(memberships.delivered_seq, excluded.delivered_seq),
       read_seq = greatest(memberships.read_seq, excluded.read_seq)`,
    [userId, guestId],
  );
  // A client id is unique per sender: drop the guest's where the user already used it.
  await trx.raw(
    `update messages g set client_id = null where g.sender_id = ? and g.client_id is not null
       and exists (select 1 from messages u where u.sender_id = ? and u.client_id = g.client_id)`,
    [guestId, userId],
  );
  // Each moved message is a change of its room (a new version), so watchers and catch-ups see it.
  const moved: MergedGuest['moved'] = [];
  const messages: { id: string; roomId: string }[] = await trx('messages')
    .where({ senderId: guestId })
    .orderBy(['room_id', 'seq'])
    .select('id', 'room_id');
  for (const message of messages) {
    const { version } = await bumpRoom(trx, appId, message.roomId, false);
    await trx('messages').where({ id: message.id }).update({ senderId: userId, version });
    moved.push({ id: message.id, roomId: message.roomId, version });
  }
  await trx.raw(
    `insert into reactions (message_id, user_id, emoji, created_at)
     select message_id, ?, emoji, created_at from reactions where user_id = ? on conflict do nothing`,
    [userId, guestId],
  );
  await trx('rooms').where({ createdBy: guestId }).update({ createdBy: userId });
  await trx('attachments').where({ uploaderId: guestId }).update({ uploaderId: userId });
  const sessionIds = await endSessionsOfMergedGuest(trx, guestId, userId);
  // Memberships and reactions of the guest go with it (on delete cascade).
  await trx('users').where({ id: guestId, kind: 'guest' }).delete();
  return { moved, roomIds, sessionIds };
}
