import { LIMITS, type PageDto, type PinDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { Message } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { Actor } from '../actor.js';
import { toMessageDtos } from '../dto/message-dto.js';
import type { DomainEvents } from '../events.js';
import { zip } from '../lists.js';
import { canModerate, findMembership, findRoom, requireMember } from '../rooms/access.js';
import type { ModerationLog } from './audit.js';

type PinnedRow = Message & { pinnedBy: string | null; pinnedAt: Date };

/**
 * A room's pinned messages, pinned and unpinned by its moderators (`canModerate`). A pinned message
 * that is later deleted leaves the list: listing skips tombstones, and the next pin in the room
 * removes their pin rows (so they never count against `LIMITS.pinsPerRoomMax`). Every change is in
 * the audit log and reaches the room as `room:pins` with the whole list.
 */
export class PinsService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly log: ModerationLog,
  ) {}

  /** Newest pin first; members only. */
  async list(actor: Actor, roomId: string): Promise<PageDto<PinDto>> {
    const { room } = await requireMember(this.db, actor, roomId);
    return { items: await this.pinsOf(this.db, room.id), hasMore: false };
  }

  /** Idempotent: pinning a pinned message answers its pin and records nothing. */
  async pin(actor: Actor, roomId: string, messageId: string): Promise<PinDto> {
    const room = await this.moderated(actor, roomId);
    const outcome = await this.db.transaction(async (trx) => {
      // The room row lock serialises pins of one room, so the cap holds under concurrent pins.
      await trx('rooms').where({ id: room.id }).forUpdate().first('id');
      const message = await this.messageOf(trx, room.id, messageId);
      if (message.deletedAt) throw new ConflictError('The message was deleted');
      const existing = await trx('message_pins').where({ roomId: room.id, messageId: message.id }).first('message_id');
      if (existing) return null;
      await trx('message_pins')
        .where({ roomId: room.id })
        .whereIn('message_id', trx('messages').where({ roomId: room.id }).whereNotNull('deleted_at').select('id'))
        .delete();
      const [counted] = (await trx('message_pins').where({ roomId: room.id }).count({ count: '*' })) as { count: number | string }[];
      if (Number(counted?.count ?? 0) >= LIMITS.pinsPerRoomMax) {
        throw new ConflictError(`A room holds at most ${LIMITS.pinsPerRoomMax} pinned messages; unpin one first`);
      }
      await trx('message_pins').insert({ roomId: room.id, messageId: message.id, pinnedBy: actor.id });
      const entry = await this.log.record(trx, {
        appId: actor.appId,
        roomId: room.id,
        actorId: actor.id,
        action: 'message.pinned',
        targetUserId: message.senderId,
        messageId: message.id,
      });
      return { entry, pins: await this.pinsOf(trx, room.id) };
    });
    if (outcome) this.announce(actor.appId, room.id, outcome);
    const pins = outcome?.pins ?? (await this.pinsOf(this.db, room.id));
    const pin = pins.find((p) => p.message.id === messageId.toLowerCase());
    if (!pin) throw new ConflictError('The message was deleted');
    return pin;
  }

  /** `message:pin` names only the message: its room is looked up (within the caller's app). */
  async pinMessage(actor: Actor, messageId: string): Promise<PinDto> {
    return this.pin(actor, await this.roomOfMessage(actor, messageId), messageId);
  }

  async unpinMessage(actor: Actor, messageId: string): Promise<void> {
    return this.unpin(actor, await this.roomOfMessage(actor, messageId), messageId);
  }

  /** Idempotent: unpinning a message that is not pinned changes nothing. */
  async unpin(actor: Actor, roomId: string, messageId: string): Promise<void> {
    const room = await this.moderated(actor, roomId);
    const outcome = await this.db.transaction(async (trx) => {
      const message = await this.messageOf(trx, room.id, messageId);
      const removed = await trx('message_pins').where({ roomId: room.id, messageId: message.id }).delete();
      if (!removed) return null;
      const entry = await this.log.record(trx, {
        appId: actor.appId,
        roomId: room.id,
        actorId: actor.id,
        action: 'message.unpinned',
        targetUserId: message.senderId,
        messageId: message.id,
      });
      return { entry, pins: await this.pinsOf(trx, room.id) };
    });
    if (outcome) this.announce(actor.appId, room.id, outcome);
  }

  private announce(appId: string, roomId: string, outcome: { entry: Parameters<ModerationLog['announce']>[1]; pins: PinDto[] }) {
    this.log.announce(appId, outcome.entry);
    this.events.emit('room.pins', { appId, roomId, pins: outcome.pins });
  }

  /** The room, when the caller moderates it: non-members of a private room learn nothing more than `forbidden`. */
  private async moderated(actor: Actor, roomId: string) {
    const room = await findRoom(this.db, actor, roomId);
    const membership = await findMembership(this.db, room.id, actor.id);
    if (!canModerate(actor, room, membership)) throw new ForbiddenError('Only the room’s moderators can pin messages');
    return room;
  }

  /** A message of this room; one of another room (or app) does not exist here. */
  private async messageOf(db: Knex, roomId: string, messageId: string): Promise<Message> {
    const message = await Message.query(db).findOne({ id: messageId, roomId });
    if (!message) throw new NotFoundError('Message');
    return message;
  }

  private async roomOfMessage(actor: Actor, messageId: string): Promise<string> {
    const row = (await this.db('messages as m')
      .join('rooms as r', 'r.id', 'm.room_id')
      .where({ 'm.id': messageId, 'r.app_id': actor.appId })
      .first('m.room_id')) as { roomId: string } | undefined;
    if (!row) throw new NotFoundError('Message');
    return row.roomId;
  }

  private async pinsOf(db: Knex, roomId: string): Promise<PinDto[]> {
    const rows = (await Message.query(db)
      .select('messages.*', 'p.pinned_by', 'p.pinned_at')
      .join('message_pins as p', 'p.message_id', 'messages.id')
      .where('p.room_id', roomId)
      .whereNull('messages.deleted_at')
      .orderBy([
        { column: 'p.pinned_at', order: 'desc' },
        { column: 'p.message_id', order: 'desc' },
      ])
      .limit(LIMITS.pinsPerRoomMax)) as PinnedRow[];
    return zip(rows, await toMessageDtos(db, rows)).map(([row, message]) => ({
      roomId,
      message,
      pinnedBy: row.pinnedBy,
      pinnedAt: new Date(row.pinnedAt).toISOString(),
    }));
  }
}
