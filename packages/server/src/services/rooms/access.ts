import type { MembershipRole, MessageDto, RoomKind } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { Membership, RoomRecord } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { type CachedRoom, type MemberRole, registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import { type Actor, isStaff } from '../actor.js';
import { GroupCommit } from '../group-commit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Lookups of one database read (a reconnect storm's joins share a few). */
const LOOKUP_BATCH = { maxBatch: 500, maxFlights: 2 };

/** A room of the caller's app; another tenant's room does not exist for them. */
export async function findRoom(db: Knex, actor: Actor, roomId: string, lock = false): Promise<RoomRecord> {
  const query = RoomRecord.query(db).findOne({ id: roomId, appId: actor.appId });
  if (lock) query.forUpdate();
  const room = await query;
  if (!room) throw new NotFoundError('Room');
  return room;
}

export async function findMembership(db: Knex, roomId: string, userId: string): Promise<Membership | null> {
  return (await Membership.query(db).findOne({ roomId, userId })) ?? null;
}

/** Agents and admins join support conversations as they open them. */
const enrols = (actor: Actor, room: Pick<RoomRecord, 'kind'>) => room.kind === 'support' && isStaff(actor);

/**
 * The caller's membership of `room`. Every agent of the app may work on any support conversation:
 * the first time they open one they become its member (role `agent`), so they hear its events.
 * With `cache`, the enrolment is registered there (outside a transaction; inside one the caller's
 * own write registration covers it).
 */
export async function accessMembership(
  db: Knex,
  actor: Actor,
  room: Pick<RoomRecord, 'id' | 'kind'>,
  cache?: RoomCache,
): Promise<Membership | null> {
  const membership = await findMembership(db, room.id, actor.id);
  if (membership || !enrols(actor, room)) return membership;
  const enrol = async () => {
    await db('memberships').insert({ roomId: room.id, userId: actor.id, role: 'agent' }).onConflict(['room_id', 'user_id']).ignore();
    return findMembership(db, room.id, actor.id);
  };
  if (!cache || (db as Knex.Transaction).isTransaction) return enrol();
  return registeredWrite(cache, enrolScope(actor, room.id), enrol, (enrolled) =>
    enrolled ? { [room.id]: { members: { [actor.id]: enrolled.role } } } : {},
  );
}

const enrolScope = (actor: Actor, roomId: string) => ({ appId: actor.appId, roomIds: [roomId], userIds: [actor.id] });

function notMember(kind: RoomKind): ForbiddenError {
  return new ForbiddenError(kind === 'public' ? 'Join this room before reading or writing it' : 'You are not a member of this room');
}

/** The room and the caller's membership; only members read or write a room. */
export async function requireMember(
  db: Knex,
  actor: Actor,
  roomId: string,
  cache?: RoomCache,
): Promise<{ room: RoomRecord; membership: Membership }> {
  const room = await findRoom(db, actor, roomId);
  const membership = await accessMembership(db, actor, room, cache);
  if (!membership) throw notMember(room.kind);
  return { room, membership };
}

/**
 * Whether the caller's staff role counts in `room`: staff powers reach support conversations and
 * rooms the caller can read (their own, public ones), never other people's direct or group rooms.
 */
export function staffReaches(actor: Actor, room: Pick<RoomRecord, 'kind'>, membership: Membership | null): boolean {
  return isStaff(actor) && (membership !== null || room.kind === 'public' || room.kind === 'support');
}

/** Owners manage a room; app admins manage the rooms of their app that they can reach (above). */
export function canManage(actor: Actor, room: Pick<RoomRecord, 'kind'>, membership: Membership | null): boolean {
  return membership?.role === 'owner' || (actor.role === 'admin' && staffReaches(actor, room, membership));
}

/**
 * Moderators of a group or public room: its owners and moderators, and the app's admins and
 * agents where their role reaches (`staffReaches`). Direct and support rooms have no moderation
 * beyond removing messages (see MessagesService.delete).
 */
export function canModerate(actor: Actor, room: Pick<RoomRecord, 'kind'>, membership: Membership | null): boolean {
  if (room.kind !== 'group' && room.kind !== 'public') return false;
  return membership?.role === 'owner' || membership?.role === 'moderator' || staffReaches(actor, room, membership);
}

/** What a read of a room needs to know: the room's bits and that the caller is a member. */
export interface ReadAccess {
  room: CachedRoom;
  role: MembershipRole;
  /** The cached latest messages at the room's version, when asked for and there (see RoomCache.peek). */
  latest?: MessageDto[] | 'held' | null;
}

interface Lookup {
  roomId: string;
  userId: string;
}

interface LookupRow {
  room: string;
  member: string;
  app: string;
  kind: RoomKind;
  version: number | string;
  role: MembershipRole | null;
}

/**
 * Membership checks of the hot reads (the first history page, joins): from the room cache after
 * one Redis round trip, else from the database, where concurrent checks (of any rooms) share one
 * query, and the answer is cached for the next read.
 */
export class RoomAccess {
  private readonly lookups = new GroupCommit<Lookup, LookupRow | null>((batch) => this.lookup(batch), LOOKUP_BATCH);

  constructor(
    private readonly db: Db,
    readonly cache: RoomCache,
  ) {}

  /**
   * The room and the caller's role; `not_found` for a room of another app, `forbidden` for
   * non-members. `latest`: also the cached latest page, read in the same round trip.
   */
  async reader(actor: Actor, id: string, latest?: { held?: number }): Promise<ReadAccess> {
    // Cache keys and the writers' invalidations use the database's spelling of the id.
    const roomId = id.toLowerCase();
    const peek = await this.cache.peek(roomId, actor.id, latest);
    if (peek.room && peek.role !== undefined && (peek.role || !enrols(actor, peek.room))) {
      if (peek.room.appId !== actor.appId) throw new NotFoundError('Room');
      if (!peek.role) throw notMember(peek.room.kind);
      return { room: peek.room, role: peek.role, latest: peek.latest ?? null };
    }
    if (!UUID.test(roomId)) throw new NotFoundError('Room');
    const row = await this.lookups.submit({ roomId, userId: actor.id });
    if (!row || row.app !== actor.appId) throw new NotFoundError('Room');
    const room: CachedRoom = { id: roomId, appId: row.app, kind: row.kind, version: Number(row.version) };
    let role: MemberRole = row.role;
    if (!role && enrols(actor, room)) role = (await accessMembership(this.db, actor, room, this.cache))?.role ?? null;
    else if (peek.stamp) await this.cache.fill(peek.stamp, room, { [actor.id]: role });
    if (!role) throw notMember(room.kind);
    return { room, role };
  }

  /** One query for a batch of (room, user) checks. */
  private async lookup(batch: Lookup[]): Promise<PromiseSettledResult<LookupRow | null>[]> {
    const result = await this.db.raw(
      `select v.room_id as room, v.user_id as member, r.app_id as app, r.kind as kind, r.version as version, m.role as role
       from (values ${batch.map(() => '(?::uuid, ?::uuid)').join(', ')}) as v(room_id, user_id)
       join rooms r on r.id = v.room_id
       left join memberships m on m.room_id = v.room_id and m.user_id = v.user_id`,
      batch.flatMap((l) => [l.roomId, l.userId]),
    );
    const rows = new Map((result.rows as LookupRow[]).map((row) => [`${row.room}:${row.member}`, row]));
    return batch.map((l) => ({ status: 'fulfilled', value: rows.get(`${l.roomId}:${l.userId}`) ?? null }));
  }
}
