import type {
  ConversationRatingDto,
  MessageDto,
  RoomDto,
  SupportConversationDto,
  SupportLabelRefDto,
  UserSummaryDto,
} from '@confab/protocol';
import type { Knex } from 'knex';

import { allOf } from '../../db/knex.js';
import type { RoomRecord, User } from '../../db/models/index.js';
import { single, zip } from '../lists.js';
import { loadConversationLabels } from './label-dto.js';
import { loadLastMessages } from './message-dto.js';
import { loadRatings } from './rating-dto.js';
import { toRoomDtos } from './room-dto.js';
import { SUMMARY_COLUMNS, toUserSummary } from './user-dto.js';

/**
 * Support conversations as `viewerId` sees them: the room, its visitor and assignee, and the
 * last message. Batched: a fixed number of queries whatever the number of conversations.
 */
export async function toConversationDtos(db: Knex, rooms: RoomRecord[], viewerId: string | null): Promise<SupportConversationDto[]> {
  if (!rooms.length) return [];
  const roomIds = rooms.map((r) => r.id);
  const userIds = [...new Set(rooms.flatMap((r) => [r.createdBy, r.assigneeId]).filter((id): id is string => !!id))];
  const [roomDtos, users, lastMessages, labels, ratings] = await allOf<
    [RoomDto[], User[], Map<string, MessageDto>, Map<string, SupportLabelRefDto[]>, Map<string, ConversationRatingDto>]
  >(
    db,
    () => toRoomDtos(db, rooms, viewerId),
    async () =>
      userIds.length
        ? db('users')
            .whereIn('id', userIds)
            .select(...SUMMARY_COLUMNS, 'email')
        : [],
    () => loadLastMessages(db, rooms),
    () => loadConversationLabels(db, roomIds),
    () => loadRatings(db, roomIds),
  );
  const summaries = new Map<string, UserSummaryDto>(users.map((u) => [u.id, toUserSummary(u)]));
  const byId = new Map(users.map((u) => [u.id, u]));
  return zip(rooms, roomDtos).map(([record, room]) => {
    const visitorId = record.createdBy ?? '';
    const visitor = summaries.get(visitorId);
    const user = byId.get(visitorId);
    return {
      ...room,
      support: room.support!,
      visitor: visitor ? { ...visitor, email: user?.email ?? null } : null,
      assignee: summaries.get(record.assigneeId ?? '') ?? null,
      lastMessage: lastMessages.get(room.id) ?? null,
      labels: labels.get(room.id) ?? [],
      rating: ratings.get(room.id) ?? null,
    };
  });
}

/** One support conversation as `viewerId` sees it (see toConversationDtos). */
export async function toConversationDto(db: Knex, room: RoomRecord, viewerId: string | null): Promise<SupportConversationDto> {
  return single(await toConversationDtos(db, [room], viewerId));
}

/** How a person is named in system messages. */
export function displayName(user: Pick<User, 'name' | 'username'> | null | undefined): string {
  return user?.name || user?.username || 'An agent';
}
