import type { MemberDto, MembershipRole, UserRole } from '@confab/protocol';
import type { Knex } from 'knex';

import { Membership, type RoomRecord, type User } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { Actor } from '../actor.js';
import { toMembershipDto } from '../dto/room-dto.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import { canModerate, findMembership, findRoom, staffReaches } from '../rooms/access.js';

/**
 * Who may act on whom (docs/moderation.md): nobody acts on someone of equal or higher rank, so
 * moderators are peers and nobody moderates themselves. App staff outrank every room role (an
 * admin outranks an agent); in a room, owners outrank moderators, who outrank members. A caller's
 * staff rank counts only in rooms their role reaches (`staffReaches`); a target's always does.
 */
const ROOM_RANK: Record<MembershipRole, number> = { member: 0, agent: 0, moderator: 1, owner: 2 };
const STAFF_RANK: Record<UserRole, number> = { user: 0, agent: 3, admin: 4 };

export function rankOf(appRole: UserRole, membership: Pick<Membership, 'role'> | null): number {
  return Math.max(STAFF_RANK[appRole], membership ? ROOM_RANK[membership.role] : 0);
}

/** The caller's powers in one group or public room. */
export interface RoomPowers {
  room: RoomRecord;
  /** The caller's own membership (null: staff acting from outside). */
  mine: Membership | null;
  /** The caller's rank here (see `rankOf`). */
  rank: number;
}

/**
 * The room (`not_found` for another app's) and the caller's membership, for a moderation action:
 * direct and support rooms have none (`forbidden`), nor do callers without `allowed` powers.
 * `lock`: takes the room row lock until commit (a ban, so that a join racing it waits).
 */
export async function roomPowers(
  db: Knex,
  actor: Actor,
  roomId: string,
  allowed: (actor: Actor, room: RoomRecord, mine: Membership | null) => boolean = canModerate,
  lock = false,
): Promise<RoomPowers> {
  const room = await findRoom(db, actor, roomId, lock);
  if (room.kind !== 'group' && room.kind !== 'public') throw new ForbiddenError(`A ${room.kind} room has no moderation`);
  const mine = await findMembership(db, room.id, actor.id);
  if (!allowed(actor, room, mine)) throw new ForbiddenError('Only the moderators of this room can do this');
  const rank = Math.max(staffReaches(actor, room, mine) ? STAFF_RANK[actor.role] : 0, mine ? ROOM_RANK[mine.role] : 0);
  return { room, mine, rank };
}

type Person = Pick<User, 'id' | 'role' | 'kind' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;

/** A person of the caller's app; anyone else does not exist for them. */
export async function findPerson(db: Knex, actor: Actor, userId: string): Promise<Person> {
  const person = (await db('users').where({ id: userId, appId: actor.appId }).first(SUMMARY_COLUMNS)) as Person | undefined;
  if (!person) throw new NotFoundError('User');
  return person;
}

/** The target's membership, row-locked until commit (its role and mute do not move under the check). */
export async function lockMembership(trx: Knex.Transaction, roomId: string, userId: string): Promise<Membership | null> {
  return (await Membership.query(trx).findOne({ roomId, userId }).forUpdate()) ?? null;
}

/** Refuses acting on someone of equal or higher rank (yourself included). */
export function assertOutranks(powers: RoomPowers, target: Pick<User, 'id' | 'role'>, membership: Pick<Membership, 'role'> | null): void {
  if (rankOf(target.role, membership) >= powers.rank) {
    throw new ForbiddenError('You cannot do this to someone of equal or higher rank in this room');
  }
}

/** One member as the members list shows them. */
export function memberDto(membership: Membership, person: Person): MemberDto {
  return { ...toMembershipDto(membership), user: toUserSummary(person) };
}
