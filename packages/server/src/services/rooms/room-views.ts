import type { RoomDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Membership, RoomRecord, type User } from '../../db/models/index.js';
import { NotFoundError } from '../../errors.js';
import { toMembershipDto, toRoomDtos } from '../dto/room-dto.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import { GroupCommit } from '../group-commit.js';
import { zip } from '../lists.js';

interface View {
  roomId: string;
  viewerId: string;
}

const BATCH = { maxBatch: 2_000, maxFlights: 2 };

/**
 * Rooms as their viewers see them (toRoomDtos), for concurrent joins: one batch reads its rooms,
 * their member counts, the viewers' memberships and the direct rooms' members in four queries,
 * however many viewers and rooms it holds. Read after the requests were made, never before.
 */
export class RoomViews {
  private readonly batches = new GroupCommit<View, RoomDto>((batch) => this.read(batch), BATCH);

  constructor(private readonly db: Db) {}

  get(roomId: string, viewerId: string): Promise<RoomDto> {
    return this.batches.submit({ roomId, viewerId });
  }

  private async read(batch: View[]): Promise<PromiseSettledResult<RoomDto>[]> {
    const roomIds = [...new Set(batch.map((v) => v.roomId))];
    const rooms = await RoomRecord.query(this.db).whereIn('id', roomIds);
    const direct = rooms.filter((r) => r.kind === 'direct').map((r) => r.id);
    const [shared, mine, people] = await Promise.all([
      toRoomDtos(this.db, rooms, null),
      Membership.query(this.db).whereRaw(
        `(room_id, user_id) in (${batch.map(() => '(?::uuid, ?::uuid)').join(', ')})`,
        batch.flatMap((v) => [v.roomId, v.viewerId]),
      ),
      direct.length
        ? (this.db('memberships as m')
            .join('users as u', 'u.id', 'm.user_id')
            .whereIn('m.room_id', direct)
            .select('m.room_id', ...SUMMARY_COLUMNS.map((c) => `u.${c}`)) as Promise<(User & { roomId: string })[]>)
        : Promise.resolve([]),
    ]);
    const byId = new Map(zip(rooms, shared).map(([record, dto]) => [record.id, dto]));
    const memberships = new Map(mine.map((m) => [`${m.roomId}:${m.userId}`, m]));
    return batch.map(({ roomId, viewerId }): PromiseSettledResult<RoomDto> => {
      const room = byId.get(roomId);
      if (!room) return { status: 'rejected', reason: new NotFoundError('Room') };
      const membership = memberships.get(`${roomId}:${viewerId}`);
      const dto: RoomDto = { ...room, membership: membership ? toMembershipDto(membership) : null };
      if (room.kind === 'direct') {
        const peer = people.find((p) => p.roomId === roomId && p.id !== viewerId);
        dto.peer = peer ? toUserSummary(peer) : null;
      }
      return { status: 'fulfilled', value: dto };
    });
  }
}
