import type {
  MemberDto,
  MessageDto,
  PageDto,
  PresenceEvent,
  ReactionUpdatedEvent,
  ReadStateDto,
  ReceiptDto,
  RoomDto,
  RoomReadEvent,
  TypingEvent,
} from '@confab/protocol';
import { Emitter } from './emitter.js';
import { ChatError } from './errors.js';
import { newClientId } from './ids.js';
import type { RoomContext } from './room-context.js';
import { initialRoomState, listMessages, mergeMessages, type Receipt, type RoomState, type Unsent, withReactions } from './room-state.js';
import { createStore, type ReadableStore } from './store.js';
import { Typing } from './typing.js';

/** Events of one room; each `on()` returns its unsubscribe. */
export type RoomEvents = {
  'message:created': (message: MessageDto) => void;
  'message:updated': (message: MessageDto) => void;
  'message:deleted': (message: MessageDto) => void;
  'reaction:updated': (event: ReactionUpdatedEvent) => void;
  typing: (event: TypingEvent) => void;
  'room:read': (event: RoomReadEvent) => void;
  'room:delivered': (event: RoomReadEvent) => void;
  'room:updated': (room: RoomDto) => void;
  presence: (event: PresenceEvent) => void;
};

export interface SendOptions {
  /** Ids of files uploaded with `POST /v1/uploads`. */
  attachments?: string[];
  /** The message this one answers. */
  replyTo?: string;
}

const DELIVERED_EVERY_MS = 300;
const PAGE = 50;

/**
 * One room: its live state (`room.state`), history, sending with an offline outbox, reactions,
 * typing and receipts. Get it with `client.room(id)`: one object per room and client.
 *
 * @example
 * const room = await client.room(roomId).watch();
 * room.state.subscribe((s) => render(s.messages));
 * await room.send('Olá!');
 */
export class Room {
  private readonly store = createStore<RoomState>(initialRoomState);
  private readonly events = new Emitter<RoomEvents>();
  private readonly stored = new Map<string, MessageDto>();
  private readonly unsent = new Map<string, Unsent>();
  private readonly typists = new Typing(
    (typing) => {
      if (this.ctx.socket.connected && this.store.get().watching) {
        this.ctx.socket.request('typing', { roomId: this.id, typing }).catch(() => undefined);
      }
    },
    (userIds) => this.render({ typing: userIds }),
  );
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;
  private myReadSeq = 0;

  constructor(
    readonly id: string,
    private readonly ctx: RoomContext,
  ) {}

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
   * latest page and the receipts, and rejoins with catch-up after every reconnect.
   */
  async watch(): Promise<this> {
    if (!this.store.get().watching) {
      this.update({ watching: true });
      this.ctx.watch(this);
    }
    await this.ctx.whenOnline();
    await this.join();
    return this;
  }

  /** Stops following the room (its state stays as it was). */
  async unwatch(): Promise<void> {
    this.update({ watching: false });
    this.ctx.unwatch(this);
    if (this.ctx.socket.connected) await this.ctx.socket.request('room:leave', { roomId: this.id }).catch(() => undefined);
  }

  /** Loads the page before the oldest message held; resolves with how many arrived. */
  async loadOlder(limit = PAGE): Promise<number> {
    const oldest = Math.min(...[...this.stored.values()].map((m) => m.seq));
    const page = await this.ctx.http.request<PageDto<MessageDto>>('GET', `/v1/rooms/${this.id}/messages`, {
      auth: true,
      query: { limit, before: Number.isFinite(oldest) ? oldest : undefined },
    });
    mergeMessages(this.stored, page.items);
    this.render({ hasOlder: page.hasMore });
    return page.items.length;
  }

  /**
   * Sends a message. It shows at once as `pending`, waits in the outbox while offline, and is
   * retried with the same clientId until the server acknowledges it (so it is stored once).
   * Resolves with the stored message; a refused one stays in the list as `failed` with `retry()`.
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
      retry: () => this.dispatch(unsent),
    };
    this.unsent.set(clientId, unsent);
    this.typists.stop();
    this.render();
    return this.dispatch(unsent);
  }

  async edit(messageId: string, text: string): Promise<MessageDto> {
    const message = await this.ctx.http.request<MessageDto>('PATCH', `/v1/messages/${messageId}`, { auth: true, body: { text } });
    this.receive([message]);
    return message;
  }

  async delete(messageId: string): Promise<MessageDto> {
    const message = await this.ctx.http.request<MessageDto>('DELETE', `/v1/messages/${messageId}`, { auth: true });
    this.receive([message]);
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
    const newest = this.newestSeq();
    if (newest <= this.myReadSeq) return;
    const state = await this.ctx.http.request<ReadStateDto>('POST', `/v1/rooms/${this.id}/read`, { auth: true, body: { seq: newest } });
    this.myReadSeq = Math.max(this.myReadSeq, state.seq);
    this.setReceipt(state.userId, { readSeq: state.seq, deliveredSeq: state.deliveredSeq });
  }

  async members(): Promise<MemberDto[]> {
    return (await this.ctx.http.request<PageDto<MemberDto>>('GET', `/v1/rooms/${this.id}/members`, { auth: true })).items;
  }

  /** Every member's delivered and read watermarks (also kept live in `state.receipts`). */
  async receipts(): Promise<Record<string, Receipt>> {
    const page = await this.ctx.http.request<PageDto<ReceiptDto>>('GET', `/v1/rooms/${this.id}/receipts`, { auth: true });
    const receipts = Object.fromEntries(page.items.map((r) => [r.userId, { deliveredSeq: r.deliveredSeq, readSeq: r.readSeq }]));
    const me = this.ctx.userId();
    if (me && receipts[me]) this.myReadSeq = Math.max(this.myReadSeq, receipts[me].readSeq);
    this.render({ receipts });
    return receipts;
  }

  /** @internal (re)joins after connecting: catch-up from the newest message held. */
  async join(): Promise<void> {
    const since = this.stored.size ? this.newestSeq() : undefined;
    const result = await this.ctx.socket.request('room:join', { roomId: this.id, since });
    mergeMessages(this.stored, result.messages);
    let more = since !== undefined && result.hasMore;
    while (more) {
      const page = await this.ctx.http.request<PageDto<MessageDto>>('GET', `/v1/rooms/${this.id}/messages`, {
        auth: true,
        query: { after: this.newestSeq(), limit: 100 },
      });
      mergeMessages(this.stored, page.items);
      more = page.hasMore;
    }
    this.myReadSeq = Math.max(this.myReadSeq, result.room.membership?.readSeq ?? 0);
    const presence = Object.fromEntries(result.presence.map((p) => [p.userId, p]));
    this.render({ room: result.room, presence, ...(since === undefined ? { hasOlder: result.hasMore } : {}) });
    await this.receipts().catch(() => undefined);
  }

  /** @internal routes a server event of this room here. */
  handle(event: keyof RoomEvents, payload: unknown): void {
    switch (event) {
      case 'message:created':
      case 'message:updated':
      case 'message:deleted': {
        const message = payload as MessageDto;
        if (message.senderId === this.ctx.userId() && message.clientId) this.unsent.delete(message.clientId);
        this.receive([message]);
        if (event === 'message:created' && message.senderId !== this.ctx.userId()) this.acknowledge();
        break;
      }
      case 'reaction:updated': {
        const { messageId, reactions, version } = payload as ReactionUpdatedEvent;
        const message = this.stored.get(messageId);
        if (message) this.stored.set(messageId, withReactions(message, reactions, version));
        this.render();
        break;
      }
      case 'typing':
        this.typists.show(payload as TypingEvent);
        break;
      case 'room:read':
      case 'room:delivered': {
        const { userId, seq } = payload as RoomReadEvent;
        if (userId === this.ctx.userId() && event === 'room:read') this.myReadSeq = Math.max(this.myReadSeq, seq);
        this.setReceipt(userId, event === 'room:read' ? { readSeq: seq, deliveredSeq: seq } : { deliveredSeq: seq });
        break;
      }
      case 'room:updated':
        this.render({ room: { ...(payload as RoomDto), membership: this.store.get().room?.membership } });
        // Members may have come or gone: their receipts decide your messages' ticks.
        if (this.store.get().watching) this.receipts().catch(() => undefined);
        break;
      case 'presence': {
        const p = payload as PresenceEvent;
        this.render({ presence: { ...this.store.get().presence, [p.userId]: p } });
        break;
      }
    }
    this.events.emit(event, payload as never);
  }

  private dispatch(unsent: Unsent): Promise<MessageDto> {
    unsent.failed = null;
    this.render();
    const input = { roomId: this.id, clientId: unsent.clientId, text: unsent.text, attachments: unsent.attachments, replyTo: unsent.replyTo };
    return this.ctx.outbox
      .push(() => this.ctx.socket.request('message:send', input))
      .then(
        ({ message }) => {
          this.unsent.delete(unsent.clientId);
          this.receive([message]);
          return message;
        },
        (err: unknown) => {
          unsent.failed = err instanceof ChatError ? err : new ChatError('internal', String(err), 0);
          this.render();
          throw unsent.failed;
        },
      );
  }

  private async reaction(method: 'PUT' | 'DELETE', messageId: string, emoji: string): Promise<ReactionUpdatedEvent> {
    const path = `/v1/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
    const event = await this.ctx.http.request<ReactionUpdatedEvent>(method, path, { auth: true });
    this.handle('reaction:updated', event);
    return event;
  }

  private receive(messages: MessageDto[]): void {
    const me = this.ctx.userId();
    // Your own messages are read by you (the server moved your watermark when it stored them).
    for (const m of messages) {
      if (m.senderId !== me) continue;
      this.myReadSeq = Math.max(this.myReadSeq, m.seq);
      if (m.clientId) this.unsent.delete(m.clientId);
    }
    if (mergeMessages(this.stored, messages)) this.render();
  }

  /** Tells the server this device got the newest message (batched), moving the delivered watermark. */
  private acknowledge(): void {
    if (this.deliveredTimer || !this.store.get().watching) return;
    this.deliveredTimer = setTimeout(() => {
      this.deliveredTimer = null;
      this.ctx.socket.request('room:delivered', { roomId: this.id, seq: this.newestSeq() }).catch(() => undefined);
    }, DELIVERED_EVERY_MS);
  }

  private setReceipt(userId: string, receipt: Partial<Receipt>): void {
    const current = this.store.get().receipts[userId] ?? { deliveredSeq: 0, readSeq: 0 };
    const next = {
      deliveredSeq: Math.max(current.deliveredSeq, receipt.deliveredSeq ?? 0),
      readSeq: Math.max(current.readSeq, receipt.readSeq ?? 0),
    };
    this.render({ receipts: { ...this.store.get().receipts, [userId]: next } });
  }

  private newestSeq(): number {
    let newest = 0;
    for (const m of this.stored.values()) newest = Math.max(newest, m.seq);
    return newest;
  }

  private update(patch: Partial<RoomState>): void {
    this.store.set((s) => ({ ...s, ...patch }));
  }

  /** Rebuilds the derived parts of the state (message list with statuses, unread count). */
  private render(patch: Partial<RoomState> = {}): void {
    this.store.set((s) => {
      const next = { ...s, ...patch };
      const lastSeq = Math.max(next.room?.lastSeq ?? 0, this.newestSeq());
      return {
        ...next,
        messages: listMessages(this.stored, this.unsent, this.ctx.userId(), next.receipts, this.id),
        unreadCount: Math.max(0, lastSeq - this.myReadSeq),
      };
    });
  }
}
