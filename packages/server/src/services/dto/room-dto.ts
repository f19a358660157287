import type { MembershipDto, RoomDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { allOf } from '../../db/knex.js';
import type { Membership, RoomRecord, User } from '../../db/models/index.js';
import { single } from '../lists.js';
import { SUMMARY_COLUMNS, toUserSummary } from './user-dto.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toMembershipDto(m: Membership): MembershipDto {
  return {
    roomId: m.roomId,
    userId: m.userId,
    role: m.role,
    joinedAt: iso(m.joinedAt)!,
    deliveredSeq: Number(m.deliveredSeq),
    readSeq: Number(m.readSeq),
    muted: m.muted,
    mutedUntil: m.mutedUntil && new Date(m.mutedUntil) > new Date() ? iso(m.mutedUntil) : null,
  };
}

/**
 * Wire form of rooms as `viewerId` sees them: member counts, the viewer's membership and,
 * for direct rooms, the other person. Batched: three queries whatever the number of rooms.
 */
export async function toRoomDtos(db: Knex, rooms: RoomRecord[], viewerId: string | null): Promise<RoomDto[]> {
  if (!rooms.length) return [];
  const ids = rooms.map((r) => r.id);
  const directIds = rooms.filter((r) => r.kind === 'direct').map((r) => r.id);
  const [counts, mine, peers] = await allOf<[{ roomId: string; count: number }[], Membership[], (User & { roomId: string })[]]>(
    db,
    async () => db('memberships').whereIn('room_id', ids).groupBy('room_id').select('room_id', db.raw('count(*)::int as count')),
    async () => (viewerId ? db('memberships').whereIn('room_id', ids).where('user_id', viewerId) : []),
    async () =>
      directIds.length
        ? db('memberships as m')
            .join('users as u', 'u.id', 'm.user_id')
            .whereIn('m.room_id', directIds)
            .modify((q) => {
              if (viewerId) q.whereNot('m.user_id', viewerId);
            })
            .select('m.room_id', ...SUMMARY_COLUMNS.map((c) => `u.${c}`))
        : [],
  );
  const countBy = new Map<string, number>(counts.map((c) => [c.roomId, Number(c.count)]));
  const mineBy = new Map(mine.map((m) => [m.roomId, m]));
  const peerBy = new Map(peers.map((p) => [p.roomId, p]));
  return rooms.map((r) => {
    const dto: RoomDto = {
      id: r.id,
      kind: r.kind,
      name: r.name,
      slug: r.slug,
      createdBy: r.createdBy,
      lastSeq: Number(r.lastSeq),
      lastMessageAt: iso(r.lastMessageAt),
      createdAt: iso(r.createdAt)!,
      memberCount: countBy.get(r.id) ?? 0,
      slowModeSeconds: Number(r.slowModeSeconds ?? 0),
    };
    if (viewerId) dto.membership = mineBy.has(r.id) ? toMembershipDto(mineBy.get(r.id)!) : null;
    if (r.kind === 'direct' && viewerId) {
      const peer = peerBy.get(r.id);
      dto.peer = peer ? toUserSummary(peer) : null;
    }
    if (r.kind === 'support') {
      dto.support = {
        status: r.status ?? 'open',
        assigneeId: r.assigneeId,
        visitor: r.visitor ?? {},
        resolvedAt: iso(r.resolvedAt ?? null),
      };
    }
    return dto;
  });
}

/** Wire form of one room as `viewerId` sees it (see toRoomDtos). */
export async function toRoomDto(db: Knex, room: RoomRecord, viewerId: string | null): Promise<RoomDto> {
  return single(await toRoomDtos(db, [room], viewerId));
}
