import type { MemberDto, PageDto, RoomDto, RoomListItemDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Membership, RoomRecord, User } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { appScope, registeredWrite, type RoomCache, roomScope, userScope } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import { loadLastMessages } from '../dto/message-dto.js';
import { toMembershipDto, toRoomDto, toRoomDtos } from '../dto/room-dto.js';
import { toUserSummary } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import { zip } from '../lists.js';
import { refuseBlockedDirect } from '../moderation/blocks.js';
import { splitPage } from '../pagination.js';
import { accessMembership, canManage, findMembership, findRoom } from './access.js';
import { activityCursor, byActivity, type WithActivity } from './activity.js';
import { refuseBanned } from './bans.js';
import { directKeyOf } from './direct-key.js';
import type { AddMembersInput, CreateRoomInput, UpdateRoomInput } from './schemas.js';

/** Rooms whose changes a cached room list watches one by one. */
const LIST_ROOMS_TRACKED = 200;
/** A cached list also goes after this long (people's names and avatars in it are not watched). */
const LIST_TTL_MS = 60_000;

/** Rooms and membership. Every query is scoped to the caller's app. */
export class RoomsService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly roomCache: RoomCache,
  ) {}

  /**
   * The caller's rooms, most recent activity first, each with its last message and unread count.
   * The first page comes from the room cache while none of the caller's rooms (nor their own
   * memberships) changed since it was read.
   */
  async list(actor: Actor, input: { limit: number; cursor?: string }): Promise<PageDto<RoomListItemDto>> {
    if (input.cursor) return this.listFromDb(actor, input);
    const key = `rooms:${actor.id}:${input.limit}`;
    const cached = await this.roomCache.readDerived(key, [appScope(actor.appId), userScope(actor.id)]);
    if ('value' in cached) return JSON.parse(cached.value) as PageDto<RoomListItemDto>;
    const list = await this.listFromDb(actor, input);
    if (cached.stamp) {
      const roomIds: string[] = await this.db('memberships')
        .where({ userId: actor.id })
        .limit(LIST_ROOMS_TRACKED + 1)
        .pluck('room_id');
      // Past a few hundred rooms, any change in the app is cheaper to watch than each room.
      const rooms = roomIds.length > LIST_ROOMS_TRACKED ? [appScope(actor.appId)] : roomIds.map(roomScope);
      await this.roomCache.fillDerived(key, cached.stamp, [userScope(actor.id), ...rooms], JSON.stringify(list), LIST_TTL_MS);
    }
    return list;
  }

  private async listFromDb(actor: Actor, input: { limit: number; cursor?: string }): Promise<PageDto<RoomListItemDto>> {
    const query = RoomRecord.query(this.db)
      .select('rooms.*', 'memberships.read_seq as my_read_seq')
      .join('memberships', 'memberships.room_id', 'rooms.id')
      .where('memberships.user_id', actor.id)
      .where('rooms.app_id', actor.appId);
    const rows = (await byActivity(this.db, query, input.limit, input.cursor)) as WithActivity<RoomRecord & { myReadSeq: number }>[];
    const { items, hasMore } = splitPage(rows, input.limit);
    const [dtos, lastMessages] = await Promise.all([toRoomDtos(this.db, items, actor.id), loadLastMessages(this.db, items)]);
    return {
      items: zip(items, dtos).map(([row, dto]) => ({
        ...dto,
        lastMessage: lastMessages.get(dto.id) ?? null,
        unreadCount: Math.max(0, Number(row.lastSeq) - Number(row.myReadSeq)),
      })),
      hasMore,
      ...activityCursor(items[items.length - 1], hasMore),
    };
  }

  async create(actor: Actor, input: CreateRoomInput): Promise<RoomDto> {
    if (actor.kind === 'guest') throw new ForbiddenError('Guests cannot create rooms');
    const memberIds = (input.memberIds ?? []).filter((id) => id !== actor.id);
    const scope = { appId: actor.appId, userIds: [actor.id, ...memberIds] };
    const room = await registeredWrite(this.roomCache, scope, () =>
      this.db.transaction(async (trx) => {
        await this.assertMembersOfApp(trx, actor, memberIds);
        const created = await RoomRecord.query(trx).insertAndFetch({
          appId: actor.appId,
          kind: input.kind,
          name: input.name,
          slug: input.slug ?? null,
          createdBy: actor.id,
        });
        await Membership.query(trx).insert([
          { roomId: created.id, userId: actor.id, role: 'owner' },
          ...memberIds.map((userId) => ({ roomId: created.id, userId, role: 'member' as const })),
        ]);
        return created;
      }),
    ).catch(rethrowSlugConflict);
    const dto = await toRoomDto(this.db, room, actor.id);
    this.events.emit('room.created', { appId: actor.appId, room: dto, memberIds: [actor.id, ...memberIds] });
    return dto;
  }

  /** The 1:1 room of the caller and `userId`, created on first use. */
  async direct(actor: Actor, userId: string): Promise<{ room: RoomDto; created: boolean }> {
    if (userId === actor.id) {
      throw new ValidationError('You cannot open a direct room with yourself', [
        { path: 'body.userId', message: 'userId must be another user' },
      ]);
    }
    if (actor.kind === 'guest') throw new ForbiddenError('Guests talk to the team through support conversations');
    const peer = await User.query(this.db).findOne({ id: userId, appId: actor.appId });
    if (!peer) throw new NotFoundError('User');
    if (peer.kind === 'guest') throw new ForbiddenError('Visitors are reached through support conversations');
    await refuseBlockedDirect(this.db, actor.id, peer.id);
    const directKey = directKeyOf(actor.id, userId);
    const existing = await RoomRecord.query(this.db).findOne({ appId: actor.appId, directKey });
    if (existing) return { room: await toRoomDto(this.db, existing, actor.id), created: false };

    const ticket = await this.roomCache.beginWrite({ appId: actor.appId, userIds: [actor.id, userId] });
    const room = await this.db
      .transaction(async (trx) => {
        const [row] = await trx('rooms')
          .insert({ appId: actor.appId, kind: 'direct', directKey, createdBy: actor.id })
          .onConflict(['app_id', 'direct_key'])
          .ignore()
          .returning('*');
        if (!row) return null; // created concurrently by the other person
        await Membership.query(trx).insert([
          { roomId: row.id, userId: actor.id, role: 'member' },
          { roomId: row.id, userId, role: 'member' },
        ]);
        return RoomRecord.fromJson(row, { skipValidation: true });
      })
      .finally(() => this.roomCache.endWrite(ticket, {}));
    if (!room) return this.direct(actor, userId);
    const dto = await toRoomDto(this.db, room, actor.id);
    this.events.emit('room.created', { appId: actor.appId, room: dto, memberIds: [actor.id, userId] });
    return { room: dto, created: true };
  }

  /** Details: for members, and for anyone of the app when the room is public. */
  async get(actor: Actor, roomId: string): Promise<RoomDto> {
    return await toRoomDto(this.db, await this.requireReader(actor, roomId), actor.id);
  }

  async update(actor: Actor, roomId: string, input: UpdateRoomInput): Promise<RoomDto> {
    const room = await findRoom(this.db, actor, roomId);
    if (room.kind === 'direct' || room.kind === 'support') throw new ForbiddenError(`A ${room.kind} room cannot be renamed`);
    if (!canManage(actor, room, await findMembership(this.db, roomId, actor.id))) {
      throw new ForbiddenError('Only the room owner can change it');
    }
    const updated = await registeredWrite(
      this.roomCache,
      { appId: actor.appId, roomIds: [roomId] },
      async () => await RoomRecord.query(this.db).patchAndFetchById(roomId, { ...input, updatedAt: new Date() }),
    ).catch(rethrowSlugConflict);
    const dto = await toRoomDto(this.db, updated, actor.id);
    this.events.emit('room.updated', { appId: actor.appId, room: withoutMembership(dto), memberIds: await this.memberIds(roomId) });
    return dto;
  }

  async members(actor: Actor, roomId: string): Promise<PageDto<MemberDto>> {
    await this.requireReader(actor, roomId);
    return { items: await this.memberDtos(roomId), hasMore: false };
  }

  /** Members read a room's details and members, and anyone of the app a public room's, but for those banned from it. */
  private async requireReader(actor: Actor, roomId: string): Promise<RoomRecord> {
    const room = await findRoom(this.db, actor, roomId);
    // A ban removed the membership, so a member of a public room is never banned from it.
    if (room.kind === 'public') await refuseBanned(this.db, room.id, [actor.id], true);
    else if (!(await accessMembership(this.db, actor, room, this.roomCache))) throw new ForbiddenError('You are not a member of this room');
    return room;
  }

  /**
   * Adds people to a group or public room. Anyone of the app may join a public room; adding
   * others takes the owner (or an app admin who is a member, or any app admin in a public room).
   */
  async addMembers(actor: Actor, roomId: string, input: AddMembersInput): Promise<PageDto<MemberDto>> {
    const room = await findRoom(this.db, actor, roomId);
    if (room.kind === 'direct' || room.kind === 'support') {
      throw new ForbiddenError(`Members of a ${room.kind} room cannot be changed here`);
    }
    const joiningSelf = input.userIds.length === 1 && input.userIds[0] === actor.id;
    const mine = await findMembership(this.db, roomId, actor.id);
    if (!(joiningSelf && room.kind === 'public') && !canManage(actor, room, mine)) {
      throw new ForbiddenError(
        room.kind === 'public' && !joiningSelf ? 'Only the room owner can add other people' : 'Only the room owner can add people',
      );
    }
    if (joiningSelf && actor.kind === 'guest' && room.kind !== 'public') throw new ForbiddenError('Guests cannot join this room');
    const scope = { appId: actor.appId, roomIds: [roomId], userIds: input.userIds };
    const joined = (added: string[]) => ({ [roomId]: { members: Object.fromEntries(added.map((id) => [id, 'member' as const])) } });
    const added = await registeredWrite(
      this.roomCache,
      scope,
      () =>
        this.db.transaction(async (trx) => {
          if (!joiningSelf) await this.assertMembersOfApp(trx, actor, input.userIds);
          const rows = await trx('memberships')
            .insert(input.userIds.map((userId) => ({ roomId, userId, role: 'member', deliveredSeq: 0, readSeq: 0 })))
            .onConflict(['room_id', 'user_id'])
            .ignore()
            .returning('user_id');
          await refuseBanned(trx, roomId, input.userIds, joiningSelf);
          return rows.map((r: { userId: string }) => r.userId);
        }),
      joined,
    );
    if (added.length) this.events.emit('member.added', { appId: actor.appId, roomId, userIds: added });
    return { items: await this.memberDtos(roomId), hasMore: false };
  }

  /** Leaving is always allowed (but for direct rooms); removing someone else takes the owner. */
  async removeMember(actor: Actor, roomId: string, userId: string): Promise<void> {
    const room = await findRoom(this.db, actor, roomId);
    if (room.kind === 'direct') throw new ForbiddenError('You cannot leave a direct room');
    if (userId !== actor.id && !canManage(actor, room, await findMembership(this.db, roomId, actor.id))) {
      throw new ForbiddenError('Only the room owner can remove people');
    }
    const removed = await registeredWrite(
      this.roomCache,
      { appId: actor.appId, roomIds: [roomId], userIds: [userId] },
      async () => await Membership.query(this.db).delete().where({ roomId, userId }),
      () => ({ [roomId]: { members: { [userId]: null } } }),
    );
    if (!removed) throw new NotFoundError('Membership');
    this.events.emit('member.removed', { appId: actor.appId, roomId, userId });
  }

  /** A room as `viewerId` sees it, or as everyone does (no membership, no peer) when null. */
  async view(appId: string, roomId: string, viewerId: string | null): Promise<RoomDto | null> {
    const room = await RoomRecord.query(this.db).findOne({ id: roomId, appId });
    return room ? await toRoomDto(this.db, room, viewerId) : null;
  }

  /** Rooms a user belongs to (for presence announcements). */
  /** The user's rooms that hear their presence live: those of at most `maxMembers` members. */
  async presenceRoomIdsOf(userId: string, maxMembers: number): Promise<string[]> {
    return this.db('memberships as m')
      .where('m.user_id', userId)
      .whereRaw('(select count(*) from (select 1 from memberships o where o.room_id = m.room_id limit ?) capped) <= ?', [
        maxMembers + 1,
        maxMembers,
      ])
      .pluck('m.room_id');
  }

  async memberIds(roomId: string): Promise<string[]> {
    return this.db('memberships').where({ roomId }).pluck('user_id');
  }

  private async memberDtos(roomId: string): Promise<MemberDto[]> {
    const rows = (await this.db('memberships as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.room_id', roomId)
      .orderBy('m.joined_at')
      .orderBy('m.user_id')
      .select('m.*', 'u.kind', 'u.role as user_role', 'u.name', 'u.last_name', 'u.username', 'u.avatar_url')) as (Membership &
      Pick<User, 'kind' | 'name' | 'lastName' | 'username' | 'avatarUrl'> & { userRole: User['role'] })[];
    return rows.map((r) => ({
      ...toMembershipDto(r),
      user: toUserSummary({
        id: r.userId,
        kind: r.kind,
        role: r.userRole,
        name: r.name,
        lastName: r.lastName,
        username: r.username,
        avatarUrl: r.avatarUrl,
      }),
    }));
  }

  private async assertMembersOfApp(db: Db, actor: Actor, userIds: string[]): Promise<void> {
    if (!userIds.length) return;
    const found: { id: string }[] = await db('users').whereIn('id', userIds).where({ appId: actor.appId, kind: 'member' }).select('id');
    const known = new Set(found.map((u) => u.id));
    const unknown = userIds.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new ValidationError(
        'Some users do not exist in this app (or are visitors)',
        unknown.map((id) => ({ path: 'userIds', message: `unknown user ${id}`, userId: id })),
      );
    }
  }
}

function withoutMembership(room: RoomDto): RoomDto {
  const rest = { ...room };
  delete rest.membership;
  delete rest.peer;
  return rest;
}

function rethrowSlugConflict(err: unknown): never {
  if (dbErrorCode(err) === '23505') throw new ConflictError('That slug is already used by another room');
  throw err;
}
