import type {
  DeleteMessageQuery,
  MemberDto,
  MessageDto,
  MessageReportDto,
  ModerationEntryDto,
  PinDto,
  PresenceEvent,
  ReactionUpdatedEvent,
  RoomDto,
  RoomPinsEvent,
  RoomReadEvent,
  RoomReceiptsEvent,
  RoomSyncEvent,
  TypingEvent,
  UserErasedEvent,
} from '@confab/protocol';

import { Emitter } from './emitter.js';
import { ChatError } from './errors.js';
import { newClientId } from './ids.js';
import type { RoomContext } from './room-context.js';
import { initialRoomModel, reduceRoom, type RoomAction, type RoomModel, viewRoom } from './room-model.js';
import { createRoomModeration, type RoomModerationApi } from './room-moderation.js';
import type { Receipt, RoomState, Unsent } from './room-state.js';
import { RoomSync } from './room-sync.js';
import { tooLong } from './send-limits.js';
import { createStore, type ReadableStore } from './store.js';
import { Typing } from './typing.js';

/** Events of one room; each `on()` returns its unsubscribe. */
export type RoomEvents = {
  'message:created': (message: MessageDto) => void;
  'message:updated': (message: MessageDto) => void;
  'message:deleted': (message: MessageDto) => void;
  'reaction:updated': (event: ReactionUpdatedEvent) => void;
  typing: (event: TypingEvent) => void;
  /** Your read watermark moved on another device. */
  'room:read': (event: RoomReadEvent) => void;
  /** Members' delivered and read watermarks moved (coalesced). */
  'room:receipts': (event: RoomReceiptsEvent) => void;
  /** The server's hint after an outage between nodes (the room catches up by itself). */
  'room:sync': (event: RoomSyncEvent) => void;
  'room:updated': (room: RoomDto) => void;
  presence: (event: PresenceEvent) => void;
  /** The pinned messages changed (`state.pins` has them). */
  'room:pins': (event: RoomPinsEvent) => void;
  /** A moderation action in the room; one that removed you stops the room (`state.removed`). */
  'room:moderation': (entry: ModerationEntryDto) => void;
  /** Moderators: a message of the room was reported. */
  'moderation:report': (report: MessageReportDto) => void;
  /** Someone's data was erased: their messages held are tombstones now. */
  'user:erased': (event: UserErasedEvent) => void;
};

export interface SendOptions {
  /** Ids of files uploaded with `POST /v1/uploads`. */
  attachments?: string[];
  /** The message this one answers. */
  replyTo?: string;
}

const PAGE = 50;

/**
 * One room: its live state (`room.state`), history, sending through an offline send queue, reactions,
 * typing and receipts. Get it with `client.room(id)`: one object per room and client. Its state
 * changes only through `reduceRoom` (room-model.ts); `RoomSync` keeps it equal to the server's.
 *
 * @example
 * const room = await client.room(roomId).watch();
 * room.state.subscribe((s) => render(s.messages));
 * await room.send('Olá!');
 */
export class Room {
  private current: RoomModel = initialRoomModel;
  private readonly store = createStore<RoomState>(viewRoom(initialRoomModel, null, ''));
  private readonly events = new Emitter<RoomEvents>();
  private readonly live: RoomSync;
  private readonly typists = new Typing(
    (typing) => {
      if (this.ctx.socket.connected && this.current.watching) {
        this.ctx.socket.request('typing', { roomId: this.id, typing }).catch(() => undefined);
      }
    },
    (userIds) => this.apply({ type: 'typing', userIds }),
  );

  /** Owners' and moderators' actions: roles, mutes, kicks, bans, slow mode, pins, the audit log (room-moderation.ts). */
  readonly moderation: RoomModerationApi;

  constructor(
    readonly id: string,
    private readonly ctx: RoomContext,
  ) {
    const self = { id, model: () => this.current, apply: (action: RoomAction) => this.apply(action) };
    this.live = new RoomSync(self, ctx);
    this.moderation = createRoomModeration(self, ctx.http);
    this.apply({ type: 'blocked', userIds: ctx.blocks.get() });
    ctx.blocks.subscribe((userIds) => this.apply({ type: 'blocked', userIds }));
  }

  /** Immutable snapshots of the room: messages, typing, receipts, presence, unread count. */
  get state(): ReadableStore<RoomState> {
    return this.store;
  }

  get unreadCount(): number {
    return this.store.get().unreadCount;
  }

  on<K extends keyof RoomEvents>(event: K, listener: RoomEvents[K]): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Starts following the room live: joins it (now, or as soon as the connection is up), loads the
   * latest page, the receipts and (group and public rooms) the pins and your block list, and
   * rejoins with catch-up after every reconnect. Messages of people you blocked (`client.blocks`)
   * are left out of `state.messages`, in the history and live.
   */
  async watch(): Promise<this> {
    if (!this.current.watching) {
      this.apply({ type: 'watching', watching: true });
      this.ctx.watch(this);
    }
    await this.ctx.whenOnline();
    await this.live.join();
    // Only shared rooms hide blocked people's messages and have pins (support rooms are spared the requests).
    const kind = this.current.room?.kind;
    if (kind === 'group' || kind === 'public') await Promise.all([this.ctx.loadBlocks(), this.pins().catch(() => undefined)]);
    return this;
  }

  /** Stops following the room (its state stays as it was). */
  async unwatch(): Promise<void> {
    this.stopWatching();
    if (this.ctx.socket.connected) await this.ctx.socket.request('room:leave', { roomId: this.id }).catch(() => undefined);
  }

  /** Loads the page before the oldest message held; resolves with how many arrived. */
  async loadOlder(limit = PAGE): Promise<number> {
    const { floor, seqs } = this.current;
    const oldest = floor ?? Math.min(...seqs);
    const page = await this.ctx.http.call('GET /v1/rooms/:id/messages', {
      params: { id: this.id },
      query: { limit, before: Number.isFinite(oldest) ? oldest : undefined },
    });
    this.apply({ type: 'older', page });
    return page.items.length;
  }

  /**
   * Sends a message. It shows at once as `pending`, waits in the send queue while offline, and is
   * retried with the same clientId until the server acknowledges it (so it is stored once).
   * Resolves with the stored message; a refused one stays in the list as `failed` with `retry()`.
   * Text past `LIMITS.messageTextMax` is refused here, without a round trip (`validation_failed`).
   */
  send(text: string, options: SendOptions = {}): Promise<MessageDto> {
    const clientId = newClientId();
    const unsent: Unsent = {
      clientId,
      text,
      attachments: options.attachments ?? [],
      replyTo: options.replyTo,
      createdAt: new Date().toISOString(),
      failed: null,
      retry: () => this.dispatch(clientId),
    };
    this.apply({ type: 'unsent', unsent });
    this.typists.stop();
    return this.dispatch(clientId);
  }

  async edit(messageId: string, text: string): Promise<MessageDto> {
    const message = await this.ctx.http.call('PATCH /v1/messages/:id', { params: { id: messageId }, body: { text } });
    this.apply({ type: 'messages', messages: [message] });
    return message;
  }

  /**
   * Deletes a message: your own, or (owners, moderators, admins) anyone's, with a `reason` kept in
   * the audit log. It stays in the list as a tombstone (`deletedAt` set, no text).
   * @example await room.delete(message.id, { reason: 'Spam' });
   */
  async delete(messageId: string, options: DeleteMessageQuery = {}): Promise<MessageDto> {
    const message = await this.ctx.http.call('DELETE /v1/messages/:id', { params: { id: messageId }, query: options });
    this.apply({ type: 'messages', messages: [message] });
    return message;
  }

  react(messageId: string, emoji: string): Promise<ReactionUpdatedEvent> {
    return this.reaction('PUT', messageId, emoji);
  }

  unreact(messageId: string, emoji: string): Promise<ReactionUpdatedEvent> {
    return this.reaction('DELETE', messageId, emoji);
  }

  /** Tells the others you are typing; call it on every keystroke (it sends at most every 2.5 s). */
  typing(): void {
    this.typists.keystroke();
  }

  /** Marks everything held as read (moves your read watermark to the newest message). */
  async markRead(): Promise<void> {
    const newest = this.current.lastSeq;
    if (newest <= this.current.myReadSeq) return;
    const state = await this.ctx.http.call('POST /v1/rooms/:id/read', { params: { id: this.id }, body: { seq: newest } });
    this.apply({ type: 'read', seq: state.seq });
  }

  /** The pinned messages, newest pin first, fetched now (`state.pins` keeps them live while watched). */
  async pins(): Promise<readonly PinDto[]> {
    const { items } = await this.ctx.http.call('GET /v1/rooms/:id/pins', { params: { id: this.id } });
    this.apply({ type: 'pins', pins: items });
    return items;
  }

  async members(): Promise<MemberDto[]> {
    return (await this.ctx.http.call('GET /v1/rooms/:id/members', { params: { id: this.id } })).items;
  }

  /**
   * Members' delivered and read watermarks, fetched now (the first page: up to 100 members).
   * Small rooms keep them live in `state.receipts`; every room keeps `state.reachedByAll` live.
   */
  async receipts(): Promise<Record<string, Receipt>> {
    const page = await this.ctx.http.call('GET /v1/rooms/:id/receipts', { params: { id: this.id }, query: { limit: 100 } });
    this.apply({ type: 'receipt-list', items: page.items });
    return Object.fromEntries(page.items.map((r) => [r.userId, { deliveredSeq: r.deliveredSeq, readSeq: r.readSeq }]));
  }

  /** @internal (re)joins after connecting: catch-up from the end of the history held without holes. */
  join(): Promise<void> {
    return this.live.join();
  }

  /** @internal routes a server event of this room here. */
  handle(event: keyof RoomEvents, payload: unknown): void {
    switch (event) {
      case 'message:created':
      case 'message:updated':
      case 'message:deleted': {
        const message = payload as MessageDto;
        this.apply({ type: 'messages', messages: [message] });
        if (event === 'message:created' && this.current.watching) this.live.received(message.senderId !== this.ctx.userId());
        break;
      }
      case 'reaction:updated':
        this.apply({ type: 'reaction', event: payload as ReactionUpdatedEvent });
        break;
      case 'typing':
        this.typists.show(payload as TypingEvent);
        break;
      case 'room:read': {
        const { userId, seq } = payload as RoomReadEvent;
        if (userId === this.ctx.userId()) this.apply({ type: 'read', seq });
        break;
      }
      case 'room:receipts':
        this.apply({ type: 'receipts', event: payload as RoomReceiptsEvent });
        break;
      case 'room:sync':
        if (this.current.watching) this.live.sync(payload as RoomSyncEvent);
        break;
      case 'room:updated':
        this.apply({ type: 'room', room: payload as RoomDto });
        if (this.current.watching) this.live.check();
        break;
      case 'presence':
        this.apply({ type: 'presence', event: payload as PresenceEvent });
        break;
      case 'room:pins':
        this.apply({ type: 'pins', pins: (payload as RoomPinsEvent).pins });
        break;
      case 'room:moderation':
        this.apply({ type: 'moderation', entry: payload as ModerationEntryDto });
        if (this.current.removed && this.current.watching) this.stopWatching();
        break;
      case 'user:erased':
        this.apply({ type: 'erased', userId: (payload as UserErasedEvent).userId });
        break;
    }
    this.events.emit(event, payload as never);
  }

  private dispatch(clientId: string): Promise<MessageDto> {
    const unsent = this.current.unsent.get(clientId);
    if (!unsent) return Promise.reject(new ChatError('conflict', 'This message was already sent', 409));
    const refused = tooLong(unsent);
    if (refused) return this.failed(unsent, refused);
    this.apply({ type: 'unsent', unsent: { ...unsent, failed: null } });
    const input = { roomId: this.id, clientId, text: unsent.text, attachments: unsent.attachments, replyTo: unsent.replyTo };
    return this.ctx.sendQueue
      .push(() => this.ctx.socket.request('message:send', input))
      .then(
        ({ message }) => {
          this.apply({ type: 'messages', messages: [message] });
          return message;
        },
        (err: unknown) => {
          const error = err instanceof ChatError ? err : new ChatError('internal', String(err), 0);
          // Refused for a mute this client had not heard of: the room shows it from now on.
          const until = (error.details as { mutedUntil?: unknown } | undefined)?.mutedUntil;
          if (error.code === 'forbidden' && typeof until === 'string') this.apply({ type: 'muted', until });
          return this.failed(unsent, error);
        },
      );
  }

  private stopWatching(): void {
    this.apply({ type: 'watching', watching: false });
    this.live.stop();
    this.ctx.unwatch(this);
  }

  private failed(unsent: Unsent, error: ChatError): Promise<never> {
    this.apply({ type: 'unsent', unsent: { ...unsent, failed: error } });
    return Promise.reject(error);
  }

  private async reaction(method: 'PUT' | 'DELETE', messageId: string, emoji: string): Promise<ReactionUpdatedEvent> {
    const event = await this.ctx.http.call(`${method} /v1/messages/:id/reactions/:emoji`, { params: { id: messageId, emoji } });
    this.handle('reaction:updated', event);
    return event;
  }

  /** The one way the room changes: reduce, then publish the new snapshot. */
  private apply(action: RoomAction): void {
    const previous = this.current;
    const next = reduceRoom(previous, action, this.ctx.userId());
    if (next === previous) return;
    this.current = next;
    this.store.set((view) => viewRoom(next, this.ctx.userId(), this.id, { model: previous, view }));
  }
}
