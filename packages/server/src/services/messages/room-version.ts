import type { Knex } from 'knex';
import { NotFoundError } from '../../errors.js';

export interface BumpedRoom {
  id: string;
  kind: string;
  directKey: string | null;
  lastSeq: number;
  version: number;
}

/**
 * Bumps the room's change counter (and its seq, for a new message) and takes the room row lock
 * until commit: writers of one room queue here, so seq and version follow commit order.
 */
export async function bumpRoom(trx: Knex.Transaction, appId: string, roomId: string, newMessage: boolean): Promise<BumpedRoom> {
  const changes: Record<string, unknown> = { version: trx.raw('version + 1') };
  if (newMessage) {
    changes.lastSeq = trx.raw('last_seq + 1');
    changes.lastMessageAt = trx.fn.now();
  }
  const [row] = await trx('rooms')
    .where({ id: roomId, appId })
    .update(changes)
    .returning(['id', 'kind', 'direct_key', 'last_seq', 'version']);
  if (!row) throw new NotFoundError('Room');
  return { id: row.id, kind: row.kind, directKey: row.directKey, lastSeq: Number(row.lastSeq), version: Number(row.version) };
}
