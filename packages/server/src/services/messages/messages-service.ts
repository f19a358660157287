import type { MessageDto, MessageSendInput, ReactionUpdatedEvent } from '@confab/protocol';
import type { Knex } from 'knex';

import { parseRate, type Rate } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { Message, type User } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { MessageCache } from '../../redis/message-cache.js';
import type { RoomCache, WriteTicket } from '../../redis/room-cache.js';
import type { Throttle } from '../../redis/throttle.js';
import type { Actor } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import { toMessageDto, toMessageDtos } from '../dto/message-dto.js';
import type { DomainEvents } from '../events.js';
import { GroupCommit } from '../group-commit.js';
import { first, single, zip } from '../lists.js';
import type { ModerationLog } from '../moderation/audit.js';
import { Rollback, rollbackable } from '../rollback.js';
import { bumpRoom } from '../room-version.js';
import { findMembership, findRoom, requireMember, staffReaches } from '../rooms/access.js';
import { directMembers } from '../rooms/direct-key.js';
import type { Outbox } from '../webhooks/outbox.js';
import { findStored, sendKey, type SendOutcome, type SendRequest, writeSends, type WrittenSends } from './send-batch.js';
import { cacheChanges, createdDtos } from './sent-batch.js';

export interface WrittenMessage {
  message: Message;
  /** System messages the send caused (a conversation reopened), after it in seq order. */
  followUps: Message[];
}

export interface SendResult {
  message: MessageDto;
  /** False when this was a retry of a send already stored (same sender and clientId). */
  created: boolean;
}

/** How sends are gathered into one transaction (group commit). */
const SEND_BATCH = { maxBatch: 128, maxFlights: 2 };
/** A batch that lost a deadlock or raced a retry on the unique key is written once more. */
const RETRY_SQLSTATES = new Set(['40P01', '40001', '23505']);

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
    private readonly roomCache: RoomCache,
    /** Removing someone else's message is a moderation action, kept in the audit log. */
    private readonly moderationLog: ModerationLog,
  ) {}

  private readonly sends = new GroupCommit<SendRequest, SendResult>((batch) => this.sendBatch(batch), SEND_BATCH);

  /**
   * Stores a message with the room's next seq; a retry with the same clientId returns the stored
   * message and creates nothing (also when the retry races the original). Concurrent sends share
   * one transaction (see `sendBatch`).
   */
  send(actor: Actor, roomId: string, input: Omit<MessageSendInput, 'roomId'>): Promise<SendResult> {
    return this.sends.submit({ actor, roomId, input });
  }

  /**
   * One batch of sends, each answered on its own: retries of stored messages answer without the
   * throttle, the rest are throttled, then written in one transaction (`writeSends`), then each
   * committed message goes to the cache and out (persist before fan-out).
   */
  private async sendBatch(requests: SendRequest[]): Promise<PromiseSettledResult<SendResult>[]> {
    const results = new Array<PromiseSettledResult<SendResult>>(requests.length);
    const answered: Promise<void>[] = [];
    const answer = (i: number, result: Promise<SendResult>) =>
      answered.push(
        result.then(
          (value) => void (results[i] = { status: 'fulfilled', value }),
          (reason: unknown) => void (results[i] = { status: 'rejected', reason }),
        ),
      );
    const stored = await findStored(this.db, requests);
    const fresh: number[] = [];
    await Promise.all(
      requests.map(async ({ actor, roomId, input }, i) => {
        const previous = stored.get(sendKey(actor.id, input.clientId));
        if (previous) return answer(i, this.retried(actor, roomId, previous));
        await this.consumeRate(actor).then(
          () => fresh.push(i),
          (err: unknown) => answer(i, Promise.reject(err)),
        );
      }),
    );
    fresh.sort((a, b) => a - b);
    if (fresh.length) {
      const written = this.writeBatch(fresh.map((i) => requests[i]!));
      fresh.forEach((i, n) =>
        answer(
          i,
          written.then((sent) => sent[n]!),
        ),
      );
    }
    await Promise.all(answered);
    return results;
  }

  /**
   * Writes fresh sends in one transaction (once more after a deadlock), registered with the room
   * cache around it, then announces what committed.
   */
  private async writeBatch(requests: SendRequest[]): Promise<Promise<SendResult>[]> {
    const scope = {
      appIds: [...new Set(requests.map((r) => r.actor.appId))],
      roomIds: [...new Set(requests.map((r) => r.roomId.toLowerCase()))],
      userIds: [...new Set(requests.map((r) => r.actor.id))],
    };
    const ticket = await this.roomCache.beginWrite(scope);
    let written: (WrittenSends & { dtos: Map<number, MessageDto[]> }) | undefined;
    for (let attempt = 1; !written; attempt++) {
      try {
        written = await this.db.transaction(async (trx) => {
          // Checked for stored messages just before; a retry raced in between fails the first attempt on its unique key.
          const sent = await writeSends(trx, requests, { checkStored: attempt > 1 });
          const dtos = createdDtos(sent.outcomes);
          const events = [...dtos.entries()].flatMap(([i, wire]) =>
            wire.map((message) => ({ appId: requests[i]!.actor.appId, type: 'message.created' as const, data: { message } })),
          );
          await this.outbox.enqueueMany(trx, events);
          return { ...sent, dtos };
        });
      } catch (err) {
        if (attempt > 1 || !RETRY_SQLSTATES.has(dbErrorCode(err) ?? '')) {
          await this.roomCache.endWrite(ticket, null);
          throw err;
        }
      }
    }
    const { outcomes, dtos } = written;
    await this.publishCreated(requests, outcomes, dtos, () => this.roomCache.endWrite(ticket, cacheChanges(written)));
    return outcomes.map((outcome, i): Promise<SendResult> => {
      const { actor, roomId } = requests[i]!;
      switch (outcome.kind) {
        case 'created':
          return Promise.resolve({ message: first(dtos.get(i)!), created: true });
        case 'stored':
          return this.retried(actor, roomId, outcome.message);
        case 'same': {
          const original = outcomes[outcome.of]!;
          if (original.kind === 'failed') return Promise.reject(original.error);
          if (original.kind === 'created') return Promise.resolve({ message: first(dtos.get(outcome.of)!), created: false });
          return this.retried(actor, roomId, (original as { message: Message }).message);
        }
        case 'failed':
          return Promise.reject(outcome.error);
      }
    });
  }

  /** Caches first (messages, then rooms: `cached`), then the events, in seq order; support conversations tell the inbox. */
  private async publishCreated(
    requests: SendRequest[],
    outcomes: SendOutcome[],
    dtos: Map<number, MessageDto[]>,
    cached: () => Promise<void>,
  ): Promise<void> {
    const applied: Promise<void>[] = [];
    for (const wire of dtos.values()) for (const dto of wire) applied.push(this.cache.apply(dto.roomId, dto.version, dto));
    await Promise.all(applied);
    await cached();
    outcomes.forEach((outcome, i) => {
      if (outcome.kind !== 'created') return;
      const { appId } = requests[i]!.actor;
      const notifyUserIds = directMembers(outcome.room);
      for (const message of dtos.get(i)!)
        this.events.emit('message.created', { appId, roomId: message.roomId, version: message.version, message, notifyUserIds });
      if (outcome.room.kind === 'support') {
        this.events.emit('support.changed', { appId, roomId: outcome.room.id, roomChanged: outcome.followUps.length > 0 });
      }
    });
  }

  /**
   * The body of one send inside the caller's transaction (a conversation started with its first
   * message): throws `Rollback` with the stored message on a raced retry, and the send's error.
   */
  async write(trx: Knex.Transaction, actor: Actor, roomId: string, input: Omit<MessageSendInput, 'roomId'>): Promise<WrittenMessage> {
    const outcome = single((await writeSends(trx, [{ actor, roomId, input }])).outcomes);
    if (outcome.kind === 'failed') throw outcome.error;
    if (outcome.kind !== 'created') throw new Rollback((outcome as { message: Message }).message);
    await this.outbox.enqueueMessages(trx, actor.appId, [outcome.message, ...outcome.followUps], []);
    return { message: outcome.message, followUps: outcome.followUps };
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
    const ticket = await this.roomCache.beginWrite({ appId: actor.appId, roomIds: [message.roomId] });
    const updated = await this.db
      .transaction(async (trx) => {
        const room = await bumpRoom(trx, actor.appId, message.roomId, false);
        const current = await Message.query(trx).findById(messageId);
        if (!current || current.deletedAt) throw new ConflictError('The message was deleted');
        return Message.query(trx).patchAndFetchById(messageId, { text, editedAt: new Date(), version: room.version });
      })
      .catch(this.abandon(ticket));
    return this.announce('message.updated', actor, updated, ticket);
  }

  /**
   * Soft delete: the tombstone keeps its seq; text and reactions go. Room owners and moderators, and
   * staff where their role reaches (support conversations, public rooms, their own rooms), may
   * delete anyone's; that is recorded in the audit log (`message.deleted`, with `reason`).
   */
  async delete(actor: Actor, messageId: string, reason?: string): Promise<MessageDto> {
    const message = await this.findMessage(actor, messageId);
    const room = await findRoom(this.db, actor, message.roomId);
    const membership = await findMembership(this.db, message.roomId, actor.id);
    const staff = staffReaches(actor, room, membership);
    if (!membership && !staff) throw new ForbiddenError('You are not a member of this room');
    const moderator = staff || membership?.role === 'owner' || membership?.role === 'moderator';
    const own = message.senderId === actor.id;
    if (!own && !moderator) throw new ForbiddenError('You can only delete your own messages');
    if (message.deletedAt) return await toMessageDto(this.db, message);
    const ticket = await this.roomCache.beginWrite({ appId: actor.appId, roomIds: [message.roomId] });
    const { deleted, entry } = await this.db
      .transaction(async (trx) => {
        const room = await bumpRoom(trx, actor.appId, message.roomId, false);
        await trx('reactions').where({ messageId }).delete();
        const deleted = await Message.query(trx).patchAndFetchById(messageId, { text: '', deletedAt: new Date(), version: room.version });
        const entry = own
          ? null
          : await this.moderationLog.record(trx, {
              appId: actor.appId,
              roomId: message.roomId,
              actorId: actor.id,
              action: 'message.deleted',
              targetUserId: message.senderId,
              messageId,
              reason,
            });
        return { deleted, entry };
      })
      .catch(this.abandon(ticket));
    const dto = await this.announce('message.deleted', actor, deleted, ticket);
    if (entry) this.moderationLog.announce(actor.appId, entry);
    return dto;
  }

  /** Adds (`on`) or removes a reaction; idempotent, and only a real change is announced. */
  async react(actor: Actor, messageId: string, emoji: string, on: boolean): Promise<ReactionUpdatedEvent> {
    const message = await this.findMessage(actor, messageId);
    await requireMember(this.db, actor, message.roomId);
    if (message.deletedAt) throw new ConflictError('The message was deleted');
    const ticket = await this.roomCache.beginWrite({ appId: actor.appId, roomIds: [message.roomId] });
    const outcome = await rollbackable<Message, null>(() =>
      this.db.transaction(async (trx) => {
        const room = await bumpRoom(trx, actor.appId, message.roomId, false);
        const changed = on
          ? (await trx('reactions').insert({ messageId, userId: actor.id, emoji }).onConflict().ignore().returning('emoji')).length
          : await trx('reactions').where({ messageId, userId: actor.id, emoji }).delete();
        if (!changed) throw new Rollback(null);
        return Message.query(trx).patchAndFetchById(messageId, { version: room.version });
      }),
    ).catch(this.abandon(ticket));
    if (outcome instanceof Rollback) {
      await this.roomCache.endWrite(ticket, {});
      const dto = await toMessageDto(this.db, message);
      return { roomId: message.roomId, messageId, version: dto.version, reactions: dto.reactions };
    }
    const version = Number(outcome.version);
    const dto = await toMessageDto(this.db, outcome).catch(this.abandon(ticket));
    await this.cache.apply(dto.roomId, version, dto);
    await this.roomCache.endWrite(ticket, { [dto.roomId]: { version } });
    const event = { roomId: dto.roomId, messageId, version, reactions: dto.reactions };
    this.events.emit('reaction.updated', { appId: actor.appId, ...event });
    return event;
  }

  /** After the commit of a registered write (`ticket`): cache, end of the write, then the event. */
  private async announce(
    name: 'message.updated' | 'message.deleted',
    actor: Actor,
    message: Message,
    ticket: WriteTicket,
  ): Promise<MessageDto> {
    const version = Number(message.version);
    const dto = await toMessageDto(this.db, message).catch(this.abandon(ticket));
    await this.cache.apply(dto.roomId, version, dto);
    await this.roomCache.endWrite(ticket, { [dto.roomId]: { version } });
    this.events.emit(name, { appId: actor.appId, roomId: dto.roomId, version, message: dto });
    return dto;
  }

  /** Ends a registered write that failed, its outcome unknown (the room cache drops the room), and rethrows. */
  private abandon(ticket: WriteTicket): (err: unknown) => Promise<never> {
    return async (err) => {
      await this.roomCache.endWrite(ticket, null);
      throw err;
    };
  }

  private async retried(actor: Actor, roomId: string, previous: Message): Promise<SendResult> {
    if (previous.roomId !== roomId) throw new ConflictError('This clientId was already used for a message in another room');
    const { room } = await requireMember(this.db, actor, roomId);
    const dto = await toMessageDto(this.db, previous);
    this.replay(actor.appId, [dto], directMembers(room));
    return { message: dto, created: false };
  }

  /** Takes one message from the sender's `MESSAGE_RATE` (or the app's own rate), or throws `rate_limited`. */
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
