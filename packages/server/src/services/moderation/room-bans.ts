import type { PageDto, RoomBanDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { User } from '../../db/models/index.js';
import { NotFoundError } from '../../errors.js';
import { registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import { toUserSummary } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { newestFirstPage } from '../pagination.js';
import { ACTIVE_BAN } from '../rooms/bans.js';
import type { ModerationLog } from './audit.js';
import { assertOutranks, findPerson, lockMembership, roomPowers } from './powers.js';

interface BanRow {
  roomId: string;
  userId: string;
  bannedBy: string | null;
  reason: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

type BanWithUser = BanRow & Pick<User, 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toRoomBanDto(row: BanWithUser): RoomBanDto {
  return {
    roomId: row.roomId,
    userId: row.userId,
    user: toUserSummary({ ...row, id: row.userId }),
    bannedBy: row.bannedBy,
    reason: row.reason,
    createdAt: iso(row.createdAt)!,
    expiresAt: iso(row.expiresAt),
  };
}

/**
 * Bans per room: the person is removed (as a kick) and kept out, until `expiresAt` or an unban.
 * Joining (rooms-service) refuses them while the ban lasts; as they are no longer a member, sends,
 * reads, joins and catch-up refuse them already.
 */
export class RoomBans {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly roomCache: RoomCache,
    private readonly log: ModerationLog,
  ) {}

  /** Bans (or re-bans, replacing the end and reason) `userId`; a member is removed first. */
  async ban(actor: Actor, roomId: string, userId: string, input: { durationSeconds?: number; reason?: string }): Promise<RoomBanDto> {
    const { room } = await roomPowers(this.db, actor, roomId);
    const person = await findPerson(this.db, actor, userId);
    const expiresAt = input.durationSeconds ? new Date(Date.now() + input.durationSeconds * 1000) : null;
    const { removed, entry } = await registeredWrite(
      this.roomCache,
      { appId: actor.appId, roomIds: [room.id], userIds: [person.id] },
      () =>
        this.db.transaction(async (trx) => {
          // The room row lock: a join racing the ban waits for it (see refuseBanned), and the powers are read again under it.
          const powers = await roomPowers(trx, actor, room.id, undefined, true);
          const current = await lockMembership(trx, room.id, person.id);
          assertOutranks(powers, person, current);
          await trx('room_bans')
            .insert({ roomId: room.id, userId: person.id, bannedBy: actor.id, reason: input.reason || null, expiresAt })
            .onConflict(['room_id', 'user_id'])
            .merge({ bannedBy: actor.id, reason: input.reason || null, expiresAt, createdAt: trx.fn.now() });
          const removed = current ? Number(await trx('memberships').where({ roomId: room.id, userId: person.id }).delete()) > 0 : false;
          const entry = await this.log.record(trx, {
            appId: actor.appId,
            roomId: room.id,
            actorId: actor.id,
            action: 'member.banned',
            targetUserId: person.id,
            reason: input.reason,
            details: { until: iso(expiresAt) },
          });
          return { removed, entry };
        }),
      () => ({ [room.id]: { members: { [person.id]: null } } }),
    );
    if (removed) this.events.emit('member.removed', { appId: actor.appId, roomId: room.id, userId: person.id });
    this.log.announce(actor.appId, entry);
    const [ban] = await this.rows(this.db, room.id).where('b.user_id', person.id);
    return toRoomBanDto(ban!);
  }

  /** Lifts a ban; `not_found` when there is none. */
  async unban(actor: Actor, roomId: string, userId: string): Promise<void> {
    const powers = await roomPowers(this.db, actor, roomId);
    const person = await findPerson(this.db, actor, userId);
    const { room } = powers;
    assertOutranks(powers, person, null);
    const entry = await this.db.transaction(async (trx) => {
      const where = { roomId: room.id, userId: person.id };
      const lifted = (await trx('room_bans')
        .where(where)
        .select(trx.raw(`${ACTIVE_BAN} as active`))
        .forUpdate()
        .first()) as { active: boolean } | undefined;
      if (!lifted) throw new NotFoundError('Ban');
      await trx('room_bans').where(where).delete();
      // An expired ban no longer counted: removing its row is housekeeping, not an action.
      if (!lifted.active) return null;
      return this.log.record(trx, {
        appId: actor.appId,
        roomId: room.id,
        actorId: actor.id,
        action: 'member.unbanned',
        targetUserId: person.id,
        details: { until: null },
      });
    });
    if (entry) this.log.announce(actor.appId, entry);
  }

  /** The room's bans in force, newest first: for its moderators. */
  async list(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<RoomBanDto>> {
    const { room } = await roomPowers(this.db, actor, roomId);
    const query = this.rows(this.db, room.id).whereRaw(ACTIVE_BAN.replace(/expires_at/g, 'b.expires_at'));
    const { items, ...rest } = await newestFirstPage<BanWithUser>(
      query,
      { table: 'room_bans', alias: 'b', key: 'user_id', scope: ['room_id', room.id] },
      page,
      (row) => row.userId,
    );
    return { items: items.map(toRoomBanDto), ...rest };
  }

  private rows(db: Knex, roomId: string): Knex.QueryBuilder {
    return db('room_bans as b')
      .join('users as u', 'u.id', 'b.user_id')
      .where('b.room_id', roomId)
      .select('b.*', 'u.kind', 'u.role', 'u.name', 'u.last_name', 'u.username', 'u.avatar_url');
  }
}
