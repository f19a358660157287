import type { AttachmentDto, MessageDto, ReactionDto, UserSummaryDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { allOf } from '../../db/knex.js';
import { type Attachment, Message, type RoomRecord, type User } from '../../db/models/index.js';
import { single } from '../lists.js';
import { SUMMARY_COLUMNS, toUserSummary } from './user-dto.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function attachmentUrl(id: string): string {
  return `/v1/uploads/${id}`;
}

export function toAttachmentDto(a: Attachment): AttachmentDto {
  return {
    id: a.id,
    name: a.filename,
    type: a.mime,
    size: Number(a.size),
    width: a.width,
    height: a.height,
    url: attachmentUrl(a.id),
    thumbnail: a.thumbKey && a.thumbWidth && a.thumbHeight ? { width: a.thumbWidth, height: a.thumbHeight } : null,
  };
}

/** Reactions of the given messages, grouped by emoji in order of first use. */
export async function loadReactions(db: Knex, messageIds: string[]): Promise<Map<string, ReactionDto[]>> {
  const byMessage = new Map<string, ReactionDto[]>();
  if (!messageIds.length) return byMessage;
  const rows: { messageId: string; emoji: string; userIds: string[] }[] = await db('reactions')
    .select('message_id', 'emoji', db.raw('array_agg(user_id::text order by created_at, user_id) as user_ids'))
    .whereIn('message_id', messageIds)
    .groupBy('message_id', 'emoji')
    .orderByRaw('min(created_at), emoji');
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    list.push({ emoji: row.emoji, count: row.userIds.length, userIds: row.userIds });
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/** Wire form of messages, with senders, reactions and attachments loaded in three batched queries. */
export async function toMessageDtos(db: Knex, messages: Message[], knownUsers: User[] = []): Promise<MessageDto[]> {
  if (!messages.length) return [];
  const ids = messages.map((m) => m.id);
  const users = new Map(knownUsers.map((u) => [u.id, u]));
  const missing = [...new Set(messages.map((m) => m.senderId))].filter((id): id is string => id !== null && !users.has(id));
  const [senders, reactions, attachments] = await allOf<[User[], Map<string, ReactionDto[]>, Attachment[]]>(
    db,
    async () =>
      missing.length
        ? db('users')
            .whereIn('id', missing)
            .select(...SUMMARY_COLUMNS)
        : [],
    () => loadReactions(db, ids),
    () => db('attachments').whereIn('message_id', ids).orderBy('created_at'),
  );
  for (const s of senders) users.set(s.id, s);
  const files = new Map<string, AttachmentDto[]>();
  for (const a of attachments) {
    const list = files.get(a.messageId!) ?? [];
    list.push(toAttachmentDto(a));
    files.set(a.messageId!, list);
  }
  return messages.map((m) => {
    const sender = m.senderId ? users.get(m.senderId) : undefined;
    return messageDto(m, sender ? toUserSummary(sender) : null, files.get(m.id) ?? [], reactions.get(m.id) ?? []);
  });
}

/**
 * Wire form of one message from what the caller already holds (a send builds it from the rows it
 * wrote, without reading them back). Deleted messages keep their place (seq) but carry no content.
 */
export function messageDto(m: Message, sender: UserSummaryDto | null, files: AttachmentDto[], reactions: ReactionDto[]): MessageDto {
  const deleted = m.deletedAt !== null;
  const type = m.type ?? 'text';
  return {
    id: m.id,
    roomId: m.roomId,
    seq: Number(m.seq),
    version: Number(m.version),
    clientId: m.clientId,
    senderId: m.senderId,
    sender,
    type,
    ...(type === 'system' && m.meta ? { system: m.meta } : {}),
    text: deleted ? '' : m.text,
    replyToId: m.replyToId,
    attachments: deleted ? [] : files,
    reactions: deleted ? [] : reactions,
    createdAt: iso(m.createdAt)!,
    editedAt: iso(m.editedAt),
    deletedAt: iso(m.deletedAt),
  };
}

/** Wire form of one message (see toMessageDtos). */
export async function toMessageDto(db: Knex, message: Message, knownUsers: User[] = []): Promise<MessageDto> {
  return single(await toMessageDtos(db, [message], knownUsers));
}

/** The last message of each room that has one, by room id (one query, then one batch of DTOs). */
export async function loadLastMessages(db: Knex, rooms: Pick<RoomRecord, 'id' | 'lastSeq'>[]): Promise<Map<string, MessageDto>> {
  const withMessages = rooms.filter((r) => Number(r.lastSeq) > 0);
  if (!withMessages.length) return new Map();
  const rows = await Message.query(db).whereIn(['room_id', 'seq'], withMessages.map((r) => [r.id, Number(r.lastSeq)]) as never);
  return new Map((await toMessageDtos(db, rows)).map((m) => [m.roomId, m]));
}
