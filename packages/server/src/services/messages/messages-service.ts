import type { Knex } from 'knex';
import type { MessageDto, PageDto, ReactionDto, ReadStateDto, ReceiptDto } from '@confab/protocol';
import { parseRate, type Rate } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { Membership, Message, Room } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import { isStaff, type Actor } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import type { DomainEvents } from '../events.js';
import { splitPage } from '../pagination.js';
import { findMembership, requireMember } from '../rooms/access.js';
import { loadReactions, toMessageDtos } from './message-dto.js';
import type { ListMessagesInput, SendMessageInput } from './schemas.js';

export interface SendResult {
  message: MessageDto;
  /** False when this was a retry of a send already stored (same sender and clientId). */
  created: boolean;
}

/** Thrown inside the send transaction to roll it back when a concurrent retry already stored the message. */
class AlreadySent {
  constructor(readonly message: Message) {}
}

/** Messages: history pages, idempotent gap-free sends, edits, deletes, reactions, read state. */
export class MessagesService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly throttle: Throttle,
    private readonly apps: AppsService,
    private readonly defaultRate: Rate | null,
  ) {}

  /**
   * A page of history ordered by seq ascending. Without cursors: the latest page. `before`
   * pages backwards (older), `after` forwards (newer); `nextCursor` continues in that direction.
   */
  async list(actor: Actor, roomId: string, input: ListMessagesInput): Promise<PageDto<MessageDto>> {
    await requireMember(this.db, actor, roomId);
    const forward = input.after !== undefined;
    const query = Message.query(this.db).where('room_id', roomId).limit(input.limit + 1);
    if (input.before !== undefined) query.where('seq', '<', input.before);
    if (forward) query.where('seq', '>', input.after!).orderBy('seq', 'asc');
    else query.orderBy('seq', 'desc');
    const { items, hasMore } = splitPage(await query, input.limit);
    const page = forward ? items : items.reverse();
    const edge = forward ? page[page.length - 1] : page[0];
    return {
      items: await toMessageDtos(this.db, page),
      hasMore,
      ...(hasMore && edge ? { nextCursor: String(edge.seq) } : {}),
    };
  }

  /**
   * Stores a message with the room's next seq. The room row lock serialises writers, so seqs are
   * gap-free; a retry with the same clientId returns the stored message and creates nothing.
   */
  async send(actor: Actor, roomId: string, input: SendMessageInput): Promise<SendResult> {
    const previous = await Message.query(this.db).findOne({ senderId: actor.id, clientId: input.clientId });
    if (previous) return this.retried(actor, roomId, previous);
    await this.consumeRate(actor);

    let message: Message;
    try {
      message = await this.db.transaction(async (trx) => {
        const room = await this.nextSeq(trx, actor, roomId);
        if (!(await findMembership(trx, roomId, actor.id))) throw new ForbiddenError('You are not a member of this room');
        const raced = await Message.query(trx).findOne({ senderId: actor.id, clientId: input.clientId });
        if (raced) throw new AlreadySent(raced);
        if (input.replyTo) await this.assertInRoom(trx, input.replyTo, roomId);
        const stored = await Message.query(trx).insertAndFetch({
          roomId,
          seq: room.lastSeq,
          senderId: actor.id,
          clientId: input.clientId,
          text: input.text,
          replyToId: input.replyTo ?? null,
        });
        if (input.attachments?.length) await this.attach(trx, actor, stored.id, input.attachments);
        // The sender has seen their own message.
        await trx('memberships')
          .where({ roomId, userId: actor.id })
          .update({
            readSeq: trx.raw('greatest(read_seq, ?)', [room.lastSeq]),
            deliveredSeq: trx.raw('greatest(delivered_seq, ?)', [room.lastSeq]),
          });
        return stored;
      });
    } catch (err) {
      if (err instanceof AlreadySent) return this.retried(actor, roomId, err.message);
      throw err;
    }
    const [dto] = await toMessageDtos(this.db, [message], [actor.user]);
    this.events.emit('message.created', { appId: actor.appId, roomId, message: dto });
    return { message: dto, created: true };
  }

  async edit(actor: Actor, messageId: string, text: string): Promise<MessageDto> {
    const message = await this.ownMessage(actor, messageId);
    const updated = await Message.query(this.db).patchAndFetchById(message.id, { text, editedAt: new Date() });
    const [dto] = await toMessageDtos(this.db, [updated]);
    this.events.emit('message.updated', { appId: actor.appId, roomId: message.roomId, message: dto });
    return dto;
  }

  /** Soft delete: the tombstone keeps its seq, text and reactions go. Staff may delete anyone's. */
  async delete(actor: Actor, messageId: string): Promise<MessageDto> {
    const message = await this.findMessage(actor, messageId);
    const membership = await findMembership(this.db, message.roomId, actor.id);
    const moderator = isStaff(actor) || membership?.role === 'owner';
    if (message.senderId !== actor.id && !moderator) throw new ForbiddenError('You can only delete your own messages');
    if (!membership && !isStaff(actor)) throw new ForbiddenError('You are not a member of this room');
    if (message.deletedAt) return (await toMessageDtos(this.db, [message]))[0];
    const deleted = await this.db.transaction(async (trx) => {
      await trx('reactions').where({ messageId }).delete();
      return Message.query(trx).patchAndFetchById(messageId, { text: '', deletedAt: new Date() });
    });
    const [dto] = await toMessageDtos(this.db, [deleted]);
    this.events.emit('message.deleted', { appId: actor.appId, roomId: message.roomId, message: dto });
    return dto;
  }

  async react(actor: Actor, messageId: string, emoji: string, on: boolean): Promise<{ roomId: string; messageId: string; reactions: ReactionDto[] }> {
    const message = await this.findMessage(actor, messageId);
    await requireMember(this.db, actor, message.roomId);
    if (message.deletedAt) throw new ConflictError('The message was deleted');
    const changed = on
      ? (await this.db('reactions').insert({ messageId, userId: actor.id, emoji }).onConflict().ignore().returning('emoji')).length
      : await this.db('reactions').where({ messageId, userId: actor.id, emoji }).delete();
    const reactions = (await loadReactions(this.db, [messageId])).get(messageId) ?? [];
    const event = { roomId: message.roomId, messageId, reactions };
    if (changed) this.events.emit('reaction.updated', { appId: actor.appId, ...event });
    return event;
  }

  /** Moves the caller's read watermark forward (never back, never past the last message). */
  async markRead(actor: Actor, roomId: string, seq: number): Promise<ReadStateDto> {
    const { room, membership } = await requireMember(this.db, actor, roomId);
    const target = Math.min(seq, Number(room.lastSeq));
    const [row] = await this.db('memberships')
      .where({ roomId, userId: actor.id })
      .update({
        readSeq: this.db.raw('greatest(read_seq, ?)', [target]),
        deliveredSeq: this.db.raw('greatest(delivered_seq, ?)', [target]),
      })
      .returning(['read_seq', 'delivered_seq']);
    const state = { roomId, userId: actor.id, seq: Number(row.readSeq), deliveredSeq: Number(row.deliveredSeq) };
    if (state.seq > Number(membership.readSeq)) this.events.emit('room.read', { appId: actor.appId, roomId, userId: actor.id, seq: state.seq });
    return state;
  }

  async receipts(actor: Actor, roomId: string): Promise<PageDto<ReceiptDto>> {
    await requireMember(this.db, actor, roomId);
    const rows = await Membership.query(this.db).where({ roomId }).orderBy('joined_at').orderBy('user_id');
    return {
      items: rows.map((m) => ({ userId: m.userId, deliveredSeq: Number(m.deliveredSeq), readSeq: Number(m.readSeq) })),
      hasMore: false,
    };
  }

  private async retried(actor: Actor, roomId: string, previous: Message): Promise<SendResult> {
    if (previous.roomId !== roomId) throw new ConflictError('This clientId was already used for a message in another room');
    await requireMember(this.db, actor, roomId);
    const [dto] = await toMessageDtos(this.db, [previous], [actor.user]);
    return { message: dto, created: false };
  }

  /** Bumps and locks the room's seq counter: concurrent senders queue here, in seq order. */
  private async nextSeq(trx: Knex.Transaction, actor: Actor, roomId: string): Promise<Room> {
    const [row] = await trx('rooms')
      .where({ id: roomId, appId: actor.appId })
      .update({ lastSeq: trx.raw('last_seq + 1'), lastMessageAt: trx.fn.now() })
      .returning(['id', 'last_seq']);
    if (!row) throw new NotFoundError('Room');
    return Room.fromJson({ id: row.id, lastSeq: Number(row.lastSeq) }, { skipValidation: true });
  }

  private async consumeRate(actor: Actor): Promise<void> {
    const app = await this.apps.get(actor.appId);
    const override = app.settings?.messageRate ? parseRate(app.settings.messageRate) : undefined;
    const rate = override === undefined ? this.defaultRate : override;
    if (!rate) return;
    const { allowed, retryAfterMs } = await this.throttle.consume(`msg:${actor.id}`, rate);
    if (!allowed) throw new RateLimitedError(retryAfterMs);
  }

  private async assertInRoom(trx: Knex.Transaction, messageId: string, roomId: string): Promise<void> {
    const target = await trx('messages').where({ id: messageId, roomId }).first('id');
    if (!target) throw new ValidationError('replyTo must be a message of this room', [{ path: 'body.replyTo', message: 'not a message of this room' }]);
  }

  private async attach(trx: Knex.Transaction, actor: Actor, messageId: string, ids: string[]): Promise<void> {
    const updated = await trx('attachments')
      .whereIn('id', ids)
      .where({ uploaderId: actor.id, appId: actor.appId })
      .whereNull('message_id')
      .update({ messageId });
    if (updated !== ids.length) {
      throw new ValidationError('Attachments must be your own uploads, not yet sent', [{ path: 'body.attachments', message: 'unknown or already sent attachment' }]);
    }
  }

  private async findMessage(actor: Actor, messageId: string): Promise<Message> {
    const message = await Message.query(this.db)
      .select('messages.*')
      .join('rooms', 'rooms.id', 'messages.room_id')
      .where('rooms.app_id', actor.appId)
      .findOne('messages.id', messageId);
    if (!message) throw new NotFoundError('Message');
    return message;
  }

  private async ownMessage(actor: Actor, messageId: string): Promise<Message> {
    const message = await this.findMessage(actor, messageId);
    await requireMember(this.db, actor, message.roomId);
    if (message.senderId !== actor.id) throw new ForbiddenError('You can only edit your own messages');
    if (message.deletedAt) throw new ConflictError('The message was deleted');
    return message;
  }
}
