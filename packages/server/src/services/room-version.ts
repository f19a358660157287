import type { RoomKind, SupportStatus, SystemEventDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { Message } from '../db/models/index.js';
import { NotFoundError } from '../errors.js';

export interface BumpedRoom {
  id: string;
  appId: string;
  kind: RoomKind;
  directKey: string | null;
  lastSeq: number;
  version: number;
  /** Support conversations: their status and who started them. */
  status: SupportStatus | null;
  createdBy: string | null;
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
    .returning(['id', 'app_id', 'kind', 'direct_key', 'last_seq', 'version', 'status', 'created_by']);
  if (!row) throw new NotFoundError('Room');
  return {
    id: row.id,
    appId: row.appId,
    kind: row.kind,
    directKey: row.directKey,
    lastSeq: Number(row.lastSeq),
    version: Number(row.version),
    status: row.status,
    createdBy: row.createdBy,
  };
}

export interface SystemMessageInput {
  senderId: string | null;
  text: string;
  meta: SystemEventDto;
}

/** Appends a system message (an assignment, a status change, the away reply) inside `trx`. */
export async function appendSystemMessage(
  trx: Knex.Transaction,
  appId: string,
  roomId: string,
  input: SystemMessageInput,
): Promise<Message> {
  const room = await bumpRoom(trx, appId, roomId, true);
  return Message.query(trx).insertAndFetch({
    roomId,
    seq: room.lastSeq,
    version: room.version,
    createdVersion: room.version,
    senderId: input.senderId,
    type: 'system',
    meta: input.meta,
    text: input.text,
  });
}
