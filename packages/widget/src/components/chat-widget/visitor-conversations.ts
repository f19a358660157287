import { LIMITS } from '@confab/protocol';
import type { ChatClient, ConversationRatingDto, RateConversationInput, Room, Store, VisitorInfo } from '@confab/sdk';

import { asChatError } from '../../lib/chat-error.js';
import type { VisitStorage } from '../../lib/storage.js';
import { chooseConversation, fromRoomList, sortConversations, unreadTotal, withMessage, withRoom, withStarted } from './conversations.js';
import type { ConversationSummary, VisitorHooks, VisitorState } from './visitor-state.js';

/** How many of the visitor's rooms the list asks for (visitors have a handful of conversations). */
const LIST_LIMIT = 50;

/** What VisitorConversations shares with the VisitorSession that owns it. */
export interface VisitorConversationsContext {
  client: ChatClient;
  state: Store<VisitorState>;
  storage: VisitStorage;
  hooks: VisitorHooks;
  /** Talking to the support team: a public room has no list of conversations. */
  supportMode: boolean;
  /** Storage is written only once the visitor has opened the chat. */
  persisting(): boolean;
}

/**
 * The visitor's conversations, for their VisitorSession: the list (fresh from the server and kept
 * so by its events), which one is open, and the room being watched, whose live unread count is
 * read into the list and the launcher badge. The pure list steps are in conversations.ts.
 */
export class VisitorConversations {
  private readonly offs: (() => void)[];
  private roomOffs: (() => void)[] = [];
  /** Counts the list's live changes, so that a page read before one of them is not shown over it. */
  private changes = 0;

  constructor(private readonly ctx: VisitorConversationsContext) {
    const { client, state } = ctx;
    this.offs = [
      // A conversation's status or assignee changed (an agent resolved it; the visitor's message reopened it).
      client.on('room:updated', (room) => {
        if (room.kind !== 'support') return;
        this.changes++;
        const list = withRoom(state.get().conversations, room);
        if (list) this.setConversations(list);
        else if (state.get().phase === 'ready') this.relist();
      }),
      client.on('room:created', (room) => {
        if (room.kind !== 'support') return;
        this.changes++;
        if (state.get().phase === 'ready') this.relist(); // started in another tab
      }),
    ];
  }

  /**
   * Support mode, once signed in: loads the list and opens what the panel should show (the stored
   * conversation, the only one, the list of several, or an empty one).
   */
  async choose(): Promise<void> {
    const { client, storage } = this.ctx;
    const { conversations, complete } = await this.refresh();
    const stored = storage.read()?.conversationId;
    if (stored && !complete && !conversations.some((c) => c.id === stored)) {
      try {
        this.set({ view: 'thread' });
        await this.watch(client.room(stored));
        return;
      } catch (err) {
        const code = asChatError(err).code;
        if (code !== 'not_found' && code !== 'forbidden') throw err;
      }
    }
    const { open, view } = chooseConversation(conversations, stored);
    if (open) {
      this.remember(open.id);
      this.set({ view });
      await this.watch(client.room(open.id));
      return;
    }
    // Not this user's conversation (another visitor's storage), or none chosen yet.
    this.detach();
    if (stored) storage.write({ conversationId: undefined });
    this.set({ room: null, view });
    this.countUnread();
  }

  /** Opens one of the visitor's conversations (writing into a resolved one reopens it: the server does). */
  async open(id: string): Promise<void> {
    this.remember(id);
    this.set({ view: 'thread' });
    try {
      await this.watch(this.ctx.client.room(id));
    } catch (err) {
      this.ctx.hooks.error(asChatError(err));
    }
  }

  /** An empty conversation: the visitor's next message starts it. */
  startNew(): void {
    this.detach();
    this.remember(undefined);
    this.set({ room: null, view: 'thread' });
    this.countUnread();
  }

  /** Back to the list of conversations, fresh from the server (the one left stays watched for its unread count). */
  showList(): void {
    this.remember(undefined);
    this.set({ view: 'list' });
    this.relist();
  }

  /** The visitor's first message starts a support conversation: it joins the list and is watched. */
  async start(text: string, attachments: string[]): Promise<void> {
    const { client, state } = this.ctx;
    const conversation = await client.support.start({
      text: text || undefined,
      attachments: attachments.length ? attachments : undefined,
      visitor: visitorInfo(),
    });
    this.remember(conversation.id);
    this.changes++;
    this.setConversations(withStarted(state.get().conversations, conversation));
    await this.watch(client.room(conversation.id));
  }

  /** The visitor's rating of the conversation's current resolution (null: none yet). */
  async rating(id: string): Promise<ConversationRatingDto | null> {
    return (await this.ctx.client.support.get(id)).rating;
  }

  /** Rates the resolved conversation (again: replaces the rating). */
  rate(id: string, input: RateConversationInput): Promise<ConversationRatingDto> {
    return this.ctx.client.support.rate(id, input);
  }

  /** The list, in the background: when the server cannot be reached, the one held stays. */
  relist(): void {
    this.refresh().catch(() => undefined);
  }

  /** Shows and follows a room (a support conversation or the public room): its messages and unread count. */
  async watch(room: Room): Promise<void> {
    if (this.ctx.state.get().room !== room) {
      this.detach();
      this.roomOffs = [
        room.state.select(
          (s) => s.unreadCount,
          () => this.countUnread(),
        ),
        room.on('message:created', (message) => {
          this.changes++;
          this.setConversations(withMessage(this.ctx.state.get().conversations, message));
          this.ctx.hooks.message(message);
        }),
      ];
      this.set({ room });
      this.countUnread();
    }
    await room.watch();
    this.countUnread();
  }

  /** Stops following the watched room (it stays in the state until replaced). */
  detach(): void {
    for (const off of this.roomOffs) off();
    this.roomOffs = [];
    const room = this.ctx.state.get().room;
    if (room) room.unwatch().catch(() => undefined);
  }

  dispose(): void {
    this.detach();
    for (const off of this.offs) off();
  }

  /** Reloads the visitor's conversations; `complete` when the list holds all of them. */
  private async refresh(): Promise<{ conversations: readonly ConversationSummary[]; complete: boolean }> {
    const { client, state, supportMode } = this.ctx;
    if (!supportMode || !client.user) return { conversations: [], complete: true };
    let seen = this.changes;
    let page = await client.rooms.list({ limit: LIST_LIMIT });
    // A conversation resolved, started or written to while the page was on its way: the page may
    // predate it (and would show it open again), so it is read once more, a few times at most.
    for (let again = 0; again < 3 && this.changes !== seen; again++) {
      seen = this.changes;
      page = await client.rooms.list({ limit: LIST_LIMIT });
    }
    // (The row of the room being watched then takes its live count: it is read as it is shown.)
    this.setConversations(sortConversations(fromRoomList(page.items)));
    return { conversations: state.get().conversations, complete: !page.hasMore };
  }

  private setConversations(conversations: readonly ConversationSummary[]): void {
    this.set({ conversations });
    this.countUnread();
  }

  /** The badge, and the row of the room being watched, from its live count. */
  private countUnread(): void {
    const { room, conversations } = this.ctx.state.get();
    const stale = room && conversations.some((c) => c.id === room.id && c.unread !== room.unreadCount);
    const live = stale ? conversations.map((c) => (c.id === room.id ? { ...c, unread: room.unreadCount } : c)) : conversations;
    this.set({ conversations: live, unread: unreadTotal(live, room) });
  }

  /** The conversation a later page opens on (none: the list or a new one). */
  private remember(conversationId: string | undefined): void {
    if (this.ctx.persisting()) this.ctx.storage.write({ conversationId });
  }

  private set(patch: Partial<VisitorState>): void {
    this.ctx.state.set((s) => ({ ...s, ...patch }));
  }
}

/** What the team is told about where the visitor writes from (each only when well-formed). */
function visitorInfo(): VisitorInfo {
  const info: VisitorInfo = { userAgent: navigator.userAgent.slice(0, 512) };
  if (/^https?:/.test(location.href) && location.href.length <= LIMITS.urlMax) info.pageUrl = location.href;
  if (/^https?:/.test(document.referrer) && document.referrer.length <= LIMITS.urlMax) info.referrer = document.referrer;
  if (/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(navigator.language)) info.locale = navigator.language;
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (timezone && timezone.length <= 64) info.timezone = timezone;
  return info;
}
