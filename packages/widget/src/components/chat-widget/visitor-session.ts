import '../conversation-elements.js';

import { type AttachmentDto, type ChatClient, ChatError, createClient, createStore, type MessageDto, type Store } from '@confab/sdk';

import { asChatError } from '../../lib/chat-error.js';
import { define } from '../../lib/define.js';
import type { VisitStorage } from '../../lib/storage.js';
import { TabAttention } from '../../lib/tab-attention.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import { ConversationList } from './conversation-list.js';
import { ConversationMenu } from './conversation-menu.js';
import { EmailCard } from './email-card.js';
import { ConversationRating } from './rating.js';
import { VisitorConversations } from './visitor-conversations.js';
import { VisitorMail } from './visitor-mail.js';
import { INITIAL_VISITOR, type VisitorEnd, type VisitorHooks, type VisitorState } from './visitor-state.js';

// The visitor's list of conversations and the rating card come with the session: only a visitor who opened the chat needs it.
// Their strings were registered by conversation-elements.ts, imported first.
define('confab-conversation-list', ConversationList);
define('confab-rating', ConversationRating);
define('confab-conversation-menu', ConversationMenu);
define('confab-email-card', EmailCard);

export interface VisitorOptions {
  server: string;
  app: string;
  /** A public room to join instead of talking to the support team. */
  room: string | null;
  /** A host-signed user token (`user-token`). */
  userToken: string | null;
  requireName: boolean;
  requireEmail: boolean;
}

/**
 * The visitor's side of `<chat-widget>`, loaded when the chat first opens (or at once when an
 * earlier visit was stored): the SDK client, whose session every tab of the site shares, signing
 * in, resuming and ending it, and the team's availability. Which conversation is open, and the
 * list of them, are its `conversations`.
 */
export class VisitorSession {
  readonly client: ChatClient;
  readonly state: Store<VisitorState> = createStore<VisitorState>(INITIAL_VISITOR);
  /** The support conversations (or the public room) the visitor sees. */
  readonly conversations: VisitorConversations;
  /** The visitor's email for transcripts and replies by email (visitor-mail.ts). */
  readonly mail: VisitorMail;
  /** Which tabs show the chat: one chime per browser, none while someone reads. */
  private readonly attention: TabAttention;
  /** Storage is written only once the visitor has opened the chat. */
  private persist = false;
  private began: Promise<void> | null = null;
  private resuming: Promise<boolean> | null = null;
  private readonly offs: (() => void)[] = [];
  /** Connected once: a later `online` is a reconnect, after which availability and the list are asked again. */
  private wasOnline = false;
  private settingsAsked = false;
  /** Host-signed tokens come from the attribute or identify(); renewals may sign in with it again. */
  private readonly userTokenProvider = async () => {
    if (!this.options.userToken) throw new ChatError('unauthorized', 'No user token', 401);
    return this.options.userToken;
  };

  constructor(
    private readonly options: VisitorOptions,
    private readonly storage: VisitStorage,
    private readonly hooks: VisitorHooks,
  ) {
    storage.migrateSession();
    this.client = createClient({ url: options.server, app: options.app, storageKey: storage.sessionKey });
    this.attention = new TabAttention(storage.sessionKey);
    // A session stored by an earlier page or another tab is already the visitor's.
    this.set({ user: this.client.user });
    this.offs.push(
      this.client.on('connection:changed', (connection) => {
        this.set({ connection });
        if (connection !== 'online') return;
        if (this.wasOnline) this.caughtUp();
        this.wasOnline = true;
      }),
      this.client.on('session:changed', (session, fromOtherTab) => {
        if (!session) return; // ended: the conversation stays on screen until the visitor goes on
        const before = this.state.get().user;
        this.set({ user: session.user });
        if (fromOtherTab && before?.id !== session.user.id) void this.follow();
      }),
      this.client.on('session:ended', ({ reason, error }) => {
        if (reason !== 'logout') this.end(reason, error);
      }),
      this.client.on('support:availability', (availability) => {
        const settings = this.state.get().settings;
        if (settings) this.set({ settings: { ...settings, ...availability } });
      }),
    );
    this.mail = new VisitorMail(this.client, storage);
    this.conversations = new VisitorConversations({
      client: this.client,
      state: this.state,
      storage,
      hooks,
      supportMode: this.supportMode,
      persisting: () => this.persist,
    });
  }

  get supportMode(): boolean {
    return !this.options.room;
  }

  /** Picks up a stored visit (this tab's earlier page, or another tab) without opening the chat; false when none. */
  resume(): Promise<boolean> {
    this.resuming ??= this.resumeStored();
    return this.resuming;
  }

  /** The visitor opened the chat: restore or start what is needed to show it. */
  begin(): Promise<void> {
    this.began ??= this.start().catch((err) => this.fail(asChatError(err)));
    return this.began;
  }

  /** Whether a message that just arrived should chime: not your own, one tab per browser, nobody reading. */
  shouldNotify(message: MessageDto): boolean {
    const mine = message.senderId !== null && message.senderId === this.state.get().user?.id;
    return !mine && this.client.primaryTab && !this.attention.anyoneLooking();
  }

  /** This tab shows the conversation to someone (visible page, chat open), or stopped. */
  setLooking(looking: boolean): void {
    this.attention.set(looking);
  }

  private async resumeStored(): Promise<boolean> {
    if (!this.client.user) return false;
    this.persist = true;
    this.loadSettings();
    this.set({ phase: 'loading' });
    try {
      await this.signIn();
      await this.attach();
      this.set({ phase: 'ready', error: null, ended: null });
    } catch (err) {
      this.failed(asChatError(err));
    }
    return true;
  }

  private async start(): Promise<void> {
    this.persist = true;
    this.loadSettings();
    if (await this.resume()) return;
    this.set({ phase: 'loading' });
    if (this.options.userToken) {
      await this.client.connectUser(this.userTokenProvider);
      await this.attach();
    } else if (this.options.requireName || this.options.requireEmail) {
      this.set({ phase: 'prechat' });
      return;
    } else if (!this.supportMode) {
      await this.client.connectGuest({});
      await this.attach();
    }
    this.set({ phase: 'ready', error: null, ended: null });
  }

  /** The pre-chat form: becomes a visitor with that name and email. */
  async submitPrechat(input: { name?: string; email?: string }): Promise<void> {
    await this.client.connectGuest({ name: input.name || undefined, email: input.email || undefined });
    await this.attach();
    this.set({ phase: 'ready', error: null, ended: null });
  }

  /** Sends a message; in support mode the first one starts the conversation. */
  async send({ text, attachments, replyTo }: ComposerSubmit): Promise<void> {
    const ids = attachments.map((a) => a.id);
    const room = this.state.get().room;
    if (room) {
      await room.send(text, { attachments: ids, replyTo });
      return;
    }
    await this.ensureUser();
    if (!this.supportMode) {
      await this.attach();
      await this.state.get().room?.send(text, { attachments: ids });
      return;
    }
    await this.conversations.start(text, ids);
  }

  async upload(file: File, onProgress: (fraction: number) => void): Promise<AttachmentDto> {
    await this.ensureUser();
    return this.client.uploads.upload(file, file.name, { onProgress: (sent, total) => onProgress(total ? sent / total : 0) });
  }

  /** Signs the visitor in as a user of the host site; their conversations as a visitor come along. */
  async identify(token: string): Promise<void> {
    this.options.userToken = token;
    this.persist = true;
    await this.client.connectUser(this.userTokenProvider);
    await this.attach();
    this.set({ phase: 'ready', error: null, ended: null });
  }

  /**
   * After the session ended: a host user signs in again (their conversations are theirs, the
   * server can tell), a visitor starts over.
   */
  async continueAfterEnd(): Promise<void> {
    if (this.options.userToken) {
      this.set({ phase: 'loading' });
      try {
        await this.identify(this.options.userToken);
      } catch (err) {
        this.failed(asChatError(err));
      }
      return;
    }
    this.storage.clear();
    this.reset();
    await this.begin();
  }

  /** After an error: try again what failed (the session, if any, stays). */
  retry(): Promise<void> {
    this.began = null;
    this.resuming = null;
    return this.begin();
  }

  /** Ends the session on the server (in every tab) and forgets everything stored. */
  async logout(): Promise<void> {
    this.conversations.detach();
    this.options.userToken = null;
    await this.client.logout().catch(() => undefined);
    this.storage.clear();
    this.reset();
  }

  dispose(): void {
    this.conversations.dispose();
    for (const off of this.offs) off();
    this.attention.dispose();
    this.client.close();
  }

  private reset(): void {
    this.began = null;
    this.resuming = null;
    this.mail.forget();
    this.set({ ...INITIAL_VISITOR, settings: this.state.get().settings });
  }

  /** Greeting, reply time and who can answer: extras, the chat works without them. */
  private loadSettings(again = false): void {
    if (!this.supportMode || (this.settingsAsked && !again)) return;
    this.settingsAsked = true;
    this.client.support.settings().then(
      (settings) => this.set({ settings }),
      () => undefined,
    );
  }

  /** Back online after an outage: availability pushes and list changes may have been missed. */
  private caughtUp(): void {
    this.loadSettings(true);
    if (this.state.get().phase === 'ready') this.conversations.relist();
  }

  private async signIn(): Promise<void> {
    if (this.options.userToken) await this.client.connectUser(this.userTokenProvider);
    else await this.client.resume();
  }

  private async ensureUser(): Promise<void> {
    if (!this.client.user) await this.client.connectGuest({});
  }

  /** Another tab signed in (or in as someone else): show what that session holds. */
  private async follow(): Promise<void> {
    if (!this.began && !this.resuming) return; // nothing shown yet: opening the chat resumes it
    if (this.state.get().phase === 'loading') return;
    try {
      await this.client.resume();
      await this.attach();
      this.set({ phase: 'ready', error: null, ended: null });
    } catch (err) {
      this.failed(asChatError(err));
    }
  }

  /** Finds and watches the visitor's conversation (support) or joins the public room. */
  private async attach(): Promise<void> {
    if (this.supportMode) await this.conversations.choose();
    else await this.conversations.watch(await this.client.rooms.join(this.options.room!));
  }

  /** The session is over: say so (the conversation stays on screen behind the notice). */
  private end(reason: VisitorEnd, error: ChatError): void {
    this.set({ phase: 'ended', ended: reason, error: null });
    this.hooks.error(error);
  }

  /** A failure while signing in or loading: a dead session is an end, anything else an error. */
  private failed(error: ChatError): void {
    if (error.status === 401) {
      if (this.state.get().phase !== 'ended') this.end('refused', error);
      return;
    }
    this.fail(error);
  }

  private fail(error: ChatError): void {
    this.set({ phase: 'error', error });
    this.hooks.error(error);
  }

  private set(patch: Partial<VisitorState>): void {
    this.state.set((s) => ({ ...s, ...patch }));
  }
}
