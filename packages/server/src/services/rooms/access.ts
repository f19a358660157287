import type { Knex } from 'knex';

import { Membership, RoomRecord } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { type Actor, isStaff } from '../actor.js';

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

/**
 * The caller's membership of `room`. Every agent of the app may work on any support conversation:
 * the first time they open one they become its member (role `agent`), so they hear its events.
 */
export async function accessMembership(db: Knex, actor: Actor, room: Pick<RoomRecord, 'id' | 'kind'>): Promise<Membership | null> {
  const membership = await findMembership(db, room.id, actor.id);
  if (membership || room.kind !== 'support' || !isStaff(actor)) return membership;
  await db('memberships').insert({ roomId: room.id, userId: actor.id, role: 'agent' }).onConflict(['room_id', 'user_id']).ignore();
  return findMembership(db, room.id, actor.id);
}

/** The room and the caller's membership; only members read or write a room. */
export async function requireMember(db: Knex, actor: Actor, roomId: string): Promise<{ room: RoomRecord; membership: Membership }> {
  const room = await findRoom(db, actor, roomId);
  const membership = await accessMembership(db, actor, room);
  if (!membership) {
    throw new ForbiddenError(room.kind === 'public' ? 'Join this room before reading or writing it' : 'You are not a member of this room');
  }
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
