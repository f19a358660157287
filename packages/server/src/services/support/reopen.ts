import type { Knex } from 'knex';

import type { Message } from '../../db/models/index.js';
import { type Actor, isStaff } from '../actor.js';
import { appendSystemMessage, type BumpedRoom } from '../messages/room-version.js';

/**
 * A visitor writing into a resolved (or pending) conversation reopens it: inside the send's
 * transaction, so the status and the "reopened" note commit with the message.
 */
export async function reopenOnVisitorMessage(trx: Knex.Transaction, actor: Actor, room: BumpedRoom): Promise<Message[]> {
  if (room.kind !== 'support' || room.status === 'open' || isStaff(actor)) return [];
  await trx('rooms').where({ id: room.id }).update({ status: 'open', resolvedAt: null, updatedAt: trx.fn.now() });
  const note = await appendSystemMessage(trx, room.appId, room.id, {
    senderId: actor.id,
    text: 'Conversation reopened',
    meta: { event: 'reopened', actorId: actor.id },
  });
  return [note];
}
