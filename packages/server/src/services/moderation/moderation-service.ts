import type { AssignableRoomRole, MemberDto, ModerationEntryDto, PageDto, RoomDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { Membership, RoomRecord } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import { type Actor, requireStaff } from '../actor.js';
import { toRoomDto } from '../dto/room-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { canManage, findMembership, findRoom, staffReaches } from '../rooms/access.js';
import type { ModerationLog } from './audit.js';
import { assertOutranks, findPerson, lockMembership, memberDto, roomPowers } from './powers.js';
import type { ModerationLogInput } from './schemas.js';

/**
 * Moderation of group and public rooms: roles, mutes, kicks and slow mode (bans: room-bans.ts).
 * Each action checks the caller's powers (powers.ts), writes its change and its audit-log entry in
 * one transaction registered with the room cache, then announces the entry.
 */
export class ModerationService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly roomCache: RoomCache,
    private readonly log: ModerationLog,
  ) {}

  /** Owners (and app admins) make members moderators and back; the owner's own role stays. */
  async setRole(actor: Actor, roomId: string, userId: string, role: AssignableRoomRole): Promise<MemberDto> {
    const powers = await roomPowers(this.db, actor, roomId, canManage);
    const person = await findPerson(this.db, actor, userId);
    const { room } = powers;
    const scope = { appId: actor.appId, roomIds: [room.id], userIds: [person.id] };
    const { membership, entry } = await registeredWrite(
      this.roomCache,
      scope,
      () =>
        this.db.transaction(async (trx) => {
          const current = await lockMembership(trx, room.id, person.id);
          if (!current) throw new NotFoundError('Membership');
          if (current.role === 'owner') throw new ForbiddenError("The owner's role cannot be changed");
          const membership = await Membership.query(trx).patchAndFetchById([room.id, person.id], { role });
          const entry = await this.log.record(trx, {
            appId: actor.appId,
            roomId: room.id,
            actorId: actor.id,
            action: 'member.role',
            targetUserId: person.id,
            details: { role },
          });
          return { membership, entry };
        }),
      () => ({ [room.id]: { members: { [person.id]: role } } }),
    );
    this.log.announce(actor.appId, entry);
    return memberDto(membership, person);
  }

  /** The member reads but cannot write until `durationSeconds` from now (sends refuse with `details.mutedUntil`). */
  async mute(actor: Actor, roomId: string, userId: string, durationSeconds: number, reason?: string): Promise<MemberDto> {
    const until = new Date(Date.now() + durationSeconds * 1000);
    return this.setMute(actor, roomId, userId, until, reason);
  }

  async unmute(actor: Actor, roomId: string, userId: string): Promise<MemberDto> {
    return this.setMute(actor, roomId, userId, null);
  }

  private async setMute(actor: Actor, roomId: string, userId: string, until: Date | null, reason?: string): Promise<MemberDto> {
    const powers = await roomPowers(this.db, actor, roomId);
    const person = await findPerson(this.db, actor, userId);
    const { room } = powers;
    // The member's own view of the room (its list entry) shows the mute.
    const scope = { appId: actor.appId, roomIds: [room.id], userIds: [person.id] };
    const { membership, entry } = await registeredWrite(this.roomCache, scope, () =>
      this.db.transaction(async (trx) => {
        const current = await lockMembership(trx, room.id, person.id);
        if (!current) throw new NotFoundError('Membership');
        assertOutranks(powers, person, current);
        const wasMuted = current.mutedUntil !== null && new Date(current.mutedUntil).getTime() > Date.now();
        const membership = await Membership.query(trx).patchAndFetchById([room.id, person.id], { mutedUntil: until });
        // Lifting a mute that had ended changes nothing worth a line in the log.
        if (!until && !wasMuted) return { membership, entry: null };
        const entry = await this.log.record(trx, {
          appId: actor.appId,
          roomId: room.id,
          actorId: actor.id,
          action: until ? 'member.muted' : 'member.unmuted',
          targetUserId: person.id,
          reason,
          details: { until: until?.toISOString() ?? null },
        });
        return { membership, entry };
      }),
    );
    if (entry) this.log.announce(actor.appId, entry);
    return memberDto(membership, person);
  }

  /** Removes the member (their sockets leave the room); they may join a public room again. */
  async kick(actor: Actor, roomId: string, userId: string, reason?: string): Promise<void> {
    const powers = await roomPowers(this.db, actor, roomId);
    const person = await findPerson(this.db, actor, userId);
    const { room } = powers;
    const entry = await registeredWrite(
      this.roomCache,
      { appId: actor.appId, roomIds: [room.id], userIds: [person.id] },
      () =>
        this.db.transaction(async (trx) => {
          const current = await lockMembership(trx, room.id, person.id);
          if (!current) throw new NotFoundError('Membership');
          assertOutranks(powers, person, current);
          await trx('memberships').where({ roomId: room.id, userId: person.id }).delete();
          return this.log.record(trx, {
            appId: actor.appId,
            roomId: room.id,
            actorId: actor.id,
            action: 'member.kicked',
            targetUserId: person.id,
            reason,
          });
        }),
      () => ({ [room.id]: { members: { [person.id]: null } } }),
    );
    this.events.emit('member.removed', { appId: actor.appId, roomId: room.id, userId: person.id });
    this.log.announce(actor.appId, entry);
  }

  /** One message per `seconds` per member (0: off); the room hears `room:updated`. */
  async setSlowMode(actor: Actor, roomId: string, seconds: number): Promise<RoomDto> {
    const { room } = await roomPowers(this.db, actor, roomId);
    const { updated, entry } = await registeredWrite(this.roomCache, { appId: actor.appId, roomIds: [room.id] }, () =>
      this.db.transaction(async (trx) => {
        const updated = await RoomRecord.query(trx).patchAndFetchById(room.id, { slowModeSeconds: seconds, updatedAt: new Date() });
        const entry = await this.log.record(trx, {
          appId: actor.appId,
          roomId: room.id,
          actorId: actor.id,
          action: 'room.slow_mode',
          details: { seconds },
        });
        return { updated, entry };
      }),
    );
    const memberIds: string[] = await this.db('memberships').where({ roomId: room.id }).pluck('user_id');
    this.events.emit('room.updated', { appId: actor.appId, room: await toRoomDto(this.db, updated, null), memberIds });
    this.log.announce(actor.appId, entry);
    return toRoomDto(this.db, updated, actor.id);
  }

  /** A room's audit log: for its owners and moderators, and the app's staff where their role reaches. */
  async roomLog(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<ModerationEntryDto>> {
    const room = await findRoom(this.db, actor, roomId);
    const mine = await findMembership(this.db, room.id, actor.id);
    const moderates = mine?.role === 'owner' || mine?.role === 'moderator' || staffReaches(actor, room, mine);
    if (!moderates) throw new ForbiddenError("Only the room's moderators can read its moderation log");
    return this.log.list(actor.appId, room.id, page);
  }

  /** The whole app's audit log (or one room's): for its admins and agents. */
  async appLog(actor: Actor, input: ModerationLogInput): Promise<PageDto<ModerationEntryDto>> {
    requireStaff(actor, "Only the app's agents and admins can read its moderation log");
    const roomId = input.roomId ? (await findRoom(this.db, actor, input.roomId)).id : undefined;
    return this.log.list(actor.appId, roomId, input);
  }
}
