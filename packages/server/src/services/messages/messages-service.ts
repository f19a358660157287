import type { MessageDto, MessageSendInput, ReactionUpdatedEvent } from '@confab/protocol';
import type { Knex } from 'knex';

import { parseRate, type Rate } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { Message, type User } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import type { MessageCache } from '../../redis/message-cache.js';
import type { Throttle } from '../../redis/throttle.js';
import type { Actor } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import type { DomainEvents } from '../events.js';
import { first, zip } from '../lists.js';
import { accessMembership, findMembership, findRoom, requireMember, staffReaches } from '../rooms/access.js';
import { directMembers } from '../rooms/direct-key.js';
import { reopenOnVisitorMessage } from '../support/reopen.js';
import type { Outbox } from '../webhooks/outbox.js';
import { toMessageDto, toMessageDtos } from './message-dto.js';
import { type BumpedRoom, bumpRoom } from './room-version.js';

export interface WrittenMessage {
  message: Message;
  /** System messages the send caused (a conversation reopened), after it in seq order. */
  followUps: Message[];
  room: BumpedRoom;
  /** Wire forms of message and follow-ups, when the outbox already built them. */
  dtos: MessageDto[] | null;
}

export interface SendResult {
  message: MessageDto;
  /** False when this was a retry of a send already stored (same sender and clientId). */
  created: boolean;
}

/** Thrown inside a transaction to roll it back with an answer (a retried send, an unchanged reaction). */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

export async function rollbackable<T, R>(work: () => Promise<T>): Promise<T | Rollback<R>> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Rollback) return err as Rollback<R>;
    throw err;
  }
}

/**
 * Writes to messages: idempotent gap-free sends, edits, deletes, reactions. Each commits, then
 * updates the recent-message cache, then announces the change (persist before fan-out).
 */
export class MessagesService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly throttle: Throttle,
    private readonly apps: AppsService,
    private readonly cache: MessageCache,
    private readonly defaultRate: Rate | null,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Stores a message with the room's next seq; a retry with the same clientId returns the stored
   * message and creates nothing (also when the retry races the original).
   */
  async send(actor: Actor, roomId: string, input: Omit<MessageSendInput, 'roomId'>): Promise<SendResult> {
    const previous = await Message.query(this.db).findOne({ senderId: actor.id, clientId: input.clientId });
    if (previous) return this.retried(actor, roomId, previous);
    await this.consumeRate(actor);

    const outcome = await rollbackable<WrittenMessage, Message>(() => this.db.transaction((trx) => this.write(trx, actor, roomId, input)));
    if (outcome instanceof Rollback) return this.retried(actor, roomId, outcome.value);
    const { room } = outcome;
    const dto = first(
      await this.announceCreated(actor.appId, [outcome.message, ...outcome.followUps], [], directMembers(room), outcome.dtos),
    );
    if (room.kind === 'support')
      this.events.emit('support.changed', { appId: actor.appId, roomId, roomChanged: outcome.followUps.length > 0 });
    return { message: dto, created: true };
  }

  /**
   * The body of a send, inside the caller's transaction: takes the room lock, checks membership,
   * stores the message with the next seq (throws `Rollback` with the stored one on a raced retry),
   * links attachments, reopens a resolved conversation and queues webhooks.
   */
  async write(trx: Knex.Transaction, actor: Actor, roomId: string, input: Omit<MessageSendInput, 'roomId'>): Promise<WrittenMessage> {
    const room = await bumpRoom(trx, actor.appId, roomId, true);
    if (!(await accessMembership(trx, actor, room))) throw new ForbiddenError('You are not a member of this room');
    const raced = await Message.query(trx).findOne({ senderId: actor.id, clientId: input.clientId });
    if (raced) throw new Rollback(raced);
    if (input.replyTo) await this.assertInRoom(trx, input.replyTo, roomId);
    const message = await Message.query(trx).insertAndFetch({
      roomId,
      seq: room.lastSeq,
      version: room.version,
      createdVersion: room.version,
      senderId: actor.id,
      clientId: input.clientId,
      text: input.text,
      replyToId: input.replyTo ?? null,
    });
    if (input.attachments?.length) await this.attach(trx, actor, message.id, input.attachments);
    // The sender has seen their own message.
    await trx('memberships')
      .where({ roomId, userId: actor.id })
      .update({
        readSeq: trx.raw('greatest(read_seq, ?)', [room.lastSeq]),
        deliveredSeq: trx.raw('greatest(delivered_seq, ?)', [room.lastSeq]),
      });
    const followUps = room.kind === 'support' ? await reopenOnVisitorMessage(trx, actor, room) : [];
    const dtos = await this.outbox.enqueueMessages(trx, actor.appId, [message, ...followUps], []);
    return { message, followUps, room, dtos };
  }

  /**
   * Publishes messages created in a committed transaction, in seq order: cache first, then the
   * event (persist before fan-out). `dtos`: their wire forms when already built.
   */
  async announceCreated(
    appId: string,
    messages: Message[],
    knownUsers: User[] = [],
    notifyUserIds: string[] = [],
    dtos: MessageDto[] | null = null,
  ): Promise<MessageDto[]> {
    const wire = dtos ?? (await toMessageDtos(this.db, messages, knownUsers));
    for (const [message, dto] of zip(messages, wire)) {
      const version = Number(message.version);
      await this.cache.apply(dto.roomId, version, dto);
      this.events.emit('message.created', { appId, roomId: dto.roomId, version, message: dto, notifyUserIds });
    }
    return wire;
  }

  /**
   * Announces stored messages again, for a retried send: the node that stored them may have died
   * before announcing. Late, never lost; clients merge by id, so hearing one twice is harmless.
   * The cache is left alone: it already holds them, or it is behind the room and misses anyway.
   */
  replay(appId: string, dtos: MessageDto[], notifyUserIds: string[] = []): void {
    for (const dto of dtos)
      this.events.emit('message.created', { appId, roomId: dto.roomId, version: dto.version, message: dto, notifyUserIds, replay: true });
  }

  /** Wire forms of messages by id, in seq order. */
  async dtosOf(ids: string[]): Promise<MessageDto[]> {
    if (!ids.length) return [];
    return toMessageDtos(this.db, await Message.query(this.db).whereIn('id', ids).orderBy(['room_id', 'seq']));
  }

  async edit(actor: Actor, messageId: string, text: string): Promise<MessageDto> {
    const message = await this.findMessage(actor, messageId);
    await requireMember(this.db, actor, message.roomId);
    if (message.senderId !== actor.id || message.type === 'system') throw new ForbiddenError('You can only edit your own messages');
    const updated = await this.db.transaction(async (trx) => {
      const room = await bumpRoom(trx, actor.appId, message.roomId, false);
      const current = await Message.query(trx).findById(messageId);
      if (!current || current.deletedAt) throw new ConflictError('The message was deleted');
      return Message.query(trx).patchAndFetchById(messageId, { text, editedAt: new Date(), version: room.version });
    });
    return this.announce('message.updated', actor, updated);
  }

  /**
   * Soft delete: the tombstone keeps its seq; text and reactions go. Room owners, and staff where
   * their role reaches (support conversations, public rooms, their own rooms), may delete anyone's.
   */
  async delete(actor: Actor, messageId: string): Promise<MessageDto> {
    const message = await this.findMessage(actor, messageId);
    const room = await findRoom(this.db, actor, message.roomId);
    const membership = await findMembership(this.db, message.roomId, actor.id);
    const staff = staffReaches(actor, room, membership);
    if (!membership && !staff) throw new ForbiddenError('You are not a member of this room');
    const moderator = staff || membership?.role === 'owner';
    if (message.senderId !== actor.id && !moderator) throw new ForbiddenError('You can only delete your own messages');
    if (message.deletedAt) return await toMessageDto(this.db, message);
    const deleted = await this.db.transaction(async (trx) => {
      const room = await bumpRoom(trx, actor.appId, message.roomId, false);
      await trx('reactions').where({ messageId }).delete();
      return Message.query(trx).patchAndFetchById(messageId, { text: '', deletedAt: new Date(), version: room.version });
    });
    return this.announce('message.deleted', actor, deleted);
  }

  /** Adds (`on`) or removes a reaction; idempotent, and only a real change is announced. */
  async react(actor: Actor, messageId: string, emoji: string, on: boolean): Promise<ReactionUpdatedEvent> {
    const message = await this.findMessage(actor, messageId);
    await requireMember(this.db, actor, message.roomId);
    if (message.deletedAt) throw new ConflictError('The message was deleted');
    const outcome = await rollbackable<Message, null>(() =>
      this.db.transaction(async (trx) => {
        const room = await bumpRoom(trx, actor.appId, message.roomId, false);
        const changed = on
          ? (await trx('reactions').insert({ messageId, userId: actor.id, emoji }).onConflict().ignore().returning('emoji')).length
          : await trx('reactions').where({ messageId, userId: actor.id, emoji }).delete();
        if (!changed) throw new Rollback(null);
        return Message.query(trx).patchAndFetchById(messageId, { version: room.version });
      }),
    );
    if (outcome instanceof Rollback) {
      const dto = await toMessageDto(this.db, message);
      return { roomId: message.roomId, messageId, version: dto.version, reactions: dto.reactions };
    }
    const version = Number(outcome.version);
    const dto = await toMessageDto(this.db, outcome);
    await this.cache.apply(dto.roomId, version, dto);
    const event = { roomId: dto.roomId, messageId, version, reactions: dto.reactions };
    this.events.emit('reaction.updated', { appId: actor.appId, ...event });
    return event;
  }

  private async announce(name: 'message.updated' | 'message.deleted', actor: Actor, message: Message): Promise<MessageDto> {
    const version = Number(message.version);
    const dto = await toMessageDto(this.db, message);
    await this.cache.apply(dto.roomId, version, dto);
    this.events.emit(name, { appId: actor.appId, roomId: dto.roomId, version, message: dto });
    return dto;
  }

  private async retried(actor: Actor, roomId: string, previous: Message): Promise<SendResult> {
    if (previous.roomId !== roomId) throw new ConflictError('This clientId was already used for a message in another room');
    const { room } = await requireMember(this.db, actor, roomId);
    const dto = await toMessageDto(this.db, previous, []);
    this.replay(actor.appId, [dto], directMembers(room));
    return { message: dto, created: false };
  }

  async consumeRate(actor: Actor): Promise<void> {
    const app = await this.apps.get(actor.appId);
    const override = app.settings?.messageRate ? parseRate(app.settings.messageRate) : undefined;
    const rate = override === undefined ? this.defaultRate : override;
    if (!rate) return;
    const { allowed, retryAfterMs } = await this.throttle.consume(`msg:${actor.id}`, rate);
    if (!allowed) {
      this.events.emit('message.throttled', { appId: actor.appId, userId: actor.id });
      throw new RateLimitedError(retryAfterMs);
    }
  }

  private async assertInRoom(trx: Knex.Transaction, messageId: string, roomId: string): Promise<void> {
    const target = await trx('messages').where({ id: messageId, roomId }).first('id');
    if (!target)
      throw new ValidationError('replyTo must be a message of this room', [
        { path: 'body.replyTo', message: 'not a message of this room' },
      ]);
  }

  private async attach(trx: Knex.Transaction, actor: Actor, messageId: string, ids: string[]): Promise<void> {
    const updated = await trx('attachments')
      .whereIn('id', ids)
      .where({ uploaderId: actor.id, appId: actor.appId })
      .whereNull('message_id')
      .update({ messageId });
    if (updated !== ids.length) {
      throw new ValidationError('Attachments must be your own uploads, not yet sent', [
        { path: 'body.attachments', message: 'unknown or already sent attachment' },
      ]);
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
}
