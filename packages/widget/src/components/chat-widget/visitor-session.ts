import {
  type AttachmentDto,
  type ChatClient,
  ChatError,
  type ConnectionStatus,
  createClient,
  createStore,
  type MessageDto,
  type Room,
  type Store,
  type SupportSettingsDto,
  type UserDto,
  type VisitorInfo,
} from '@confab/sdk';
import { LIMITS } from '@confab/protocol';
import type { VisitStorage } from '../../lib/storage.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import '../conversation-elements.js';

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

export type VisitorPhase = 'idle' | 'loading' | 'prechat' | 'ready' | 'error';

export interface VisitorState {
  phase: VisitorPhase;
  connection: ConnectionStatus;
  /** Greeting and who can answer (support mode). */
  settings: SupportSettingsDto | null;
  user: UserDto | null;
  /** The conversation or public room; null until the visitor's first message in support mode. */
  room: Room | null;
  unread: number;
  error: ChatError | null;
}

export interface VisitorHooks {
  message(message: MessageDto): void;
  error(error: ChatError): void;
}

const INITIAL: VisitorState = { phase: 'idle', connection: 'idle', settings: null, user: null, room: null, unread: 0, error: null };

/**
 * The visitor's side of `<chat-widget>`, loaded when the chat first opens (or at once when an
 * earlier visit was stored): the SDK client, the session kept in storage, the support
 * conversation or public room, and the team's availability.
 */
export class VisitorSession {
  readonly client: ChatClient;
  readonly state: Store<VisitorState> = createStore<VisitorState>(INITIAL);
  /** Storage is written only once the visitor has opened the chat. */
  private persist = false;
  private began: Promise<void> | null = null;
  private readonly offs: (() => void)[] = [];
  private roomOffs: (() => void)[] = [];

  constructor(
    private readonly options: VisitorOptions,
    private readonly storage: VisitStorage,
    private readonly hooks: VisitorHooks,
  ) {
    this.client = createClient({ url: options.server, app: options.app });
    this.offs.push(
      this.client.on('connection:changed', (connection) => this.set({ connection })),
      this.client.on('session:changed', (session) => {
        if (session && this.persist) this.storage.write({ session });
        this.set({ user: session?.user ?? null });
      }),
      this.client.on('support:availability', (availability) => {
        const settings = this.state.get().settings;
        if (settings) this.set({ settings: { ...settings, ...availability } });
      }),
    );
  }

  get supportMode(): boolean {
    return !this.options.room;
  }

  /** Picks up a stored visit without opening the chat (for the unread badge); false when none. */
  async resume(): Promise<boolean> {
    const stored = this.storage.read();
    if (!stored?.session) return false;
    this.persist = true;
    this.set({ phase: 'loading' });
    try {
      if (this.options.userToken) await this.client.connectUser(this.options.userToken);
      else await this.client.connectSession(stored.session);
      await this.attach();
      this.set({ phase: 'ready', error: null });
      return true;
    } catch (err) {
      const error = asChatError(err);
      if (error.status === 401 || error.code === 'not_found' || error.code === 'forbidden') {
        // The stored session ended (logout elsewhere, expired): start over as a new visitor.
        await this.client.logout().catch(() => undefined);
        this.storage.clear();
        this.set({ phase: 'idle', room: null, user: null });
        return false;
      }
      this.fail(error);
      return true;
    }
  }

  /** The visitor opened the chat: restore or start what is needed to show it. */
  begin(): Promise<void> {
    this.began ??= this.start().catch((err) => this.fail(asChatError(err)));
    return this.began;
  }

  private async start(): Promise<void> {
    this.persist = true;
    if (this.supportMode) {
      this.client.support.settings().then(
        (settings) => this.set({ settings }),
        () => undefined, // greeting and availability are extras: the chat works without them
      );
    }
    if (this.client.user) {
      if (this.state.get().phase !== 'ready') this.set({ phase: 'ready' });
      return;
    }
    this.set({ phase: 'loading' });
    if (await this.resume()) return;
    if (this.options.userToken) {
      await this.client.connectUser(this.options.userToken);
      await this.attach();
    } else if (this.options.requireName || this.options.requireEmail) {
      this.set({ phase: 'prechat' });
      return;
    } else if (!this.supportMode) {
      await this.client.connectGuest({});
      await this.attach();
    }
    this.set({ phase: 'ready', error: null });
  }

  /** The pre-chat form: becomes a visitor with that name and email. */
  async submitPrechat(input: { name?: string; email?: string }): Promise<void> {
    await this.client.connectGuest({ name: input.name || undefined, email: input.email || undefined });
    await this.attach();
    this.set({ phase: 'ready', error: null });
  }

  /** Sends a message; in support mode the first one starts the conversation. */
  async send({ text, attachments }: ComposerSubmit): Promise<void> {
    const ids = attachments.map((a) => a.id);
    const room = this.state.get().room;
    if (room) {
      await room.send(text, { attachments: ids });
      return;
    }
    await this.ensureUser();
    if (!this.supportMode) {
      await this.attach();
      await this.state.get().room?.send(text, { attachments: ids });
      return;
    }
    const conversation = await this.client.support.start({ text: text || undefined, attachments: ids.length ? ids : undefined, visitor: visitorInfo() });
    if (this.persist) this.storage.write({ conversationId: conversation.id });
    await this.watch(this.client.room(conversation.id));
  }

  async upload(file: File, onProgress: (fraction: number) => void): Promise<AttachmentDto> {
    await this.ensureUser();
    return this.client.uploads.upload(file, file.name, { onProgress: (sent, total) => onProgress(total ? sent / total : 0) });
  }

  /** Signs the visitor in as a user of the host site; their conversations as a visitor come along. */
  async identify(token: string): Promise<void> {
    this.options.userToken = token;
    this.persist = true;
    await this.client.connectUser(token);
    await this.attach();
    this.set({ phase: 'ready', error: null });
  }

  /** Ends the session on the server and forgets everything stored. */
  async logout(): Promise<void> {
    this.detachRoom();
    this.options.userToken = null;
    await this.client.logout().catch(() => undefined);
    this.storage.clear();
    this.began = null;
    this.set({ ...INITIAL, settings: this.state.get().settings });
  }

  dispose(): void {
    this.detachRoom();
    for (const off of this.offs) off();
    this.client.disconnect();
  }

  private async ensureUser(): Promise<void> {
    if (!this.client.user) await this.client.connectGuest({});
  }

  /** Finds and watches the visitor's conversation (support) or joins the public room. */
  private async attach(): Promise<void> {
    if (!this.supportMode) {
      await this.watch(await this.client.rooms.join(this.options.room!));
      return;
    }
    let id = this.storage.read()?.conversationId;
    if (!id) {
      const rooms = await this.client.rooms.list({ limit: 20 });
      id = rooms.items.find((r) => r.kind === 'support')?.id;
      if (id && this.persist) this.storage.write({ conversationId: id });
    }
    if (id) await this.watch(this.client.room(id));
  }

  private async watch(room: Room): Promise<void> {
    if (this.state.get().room !== room) {
      this.detachRoom();
      this.roomOffs = [
        room.state.select((s) => s.unreadCount, (unread) => this.set({ unread })),
        room.on('message:created', (message) => this.hooks.message(message)),
      ];
      this.set({ room, unread: room.unreadCount });
    }
    await room.watch();
    this.set({ unread: room.unreadCount });
  }

  private detachRoom(): void {
    for (const off of this.roomOffs) off();
    this.roomOffs = [];
    const room = this.state.get().room;
    if (room) room.unwatch().catch(() => undefined);
  }

  private fail(error: ChatError): void {
    this.set({ phase: 'error', error });
    this.hooks.error(error);
  }

  private set(patch: Partial<VisitorState>): void {
    this.state.set((s) => ({ ...s, ...patch }));
  }
}

function visitorInfo(): VisitorInfo {
  const info: VisitorInfo = { userAgent: navigator.userAgent.slice(0, 512) };
  if (/^https?:/.test(location.href) && location.href.length <= LIMITS.urlMax) info.pageUrl = location.href;
  if (/^https?:/.test(document.referrer) && document.referrer.length <= LIMITS.urlMax) info.referrer = document.referrer;
  if (/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(navigator.language)) info.locale = navigator.language;
  return info;
}

function asChatError(err: unknown): ChatError {
  return err instanceof ChatError ? err : new ChatError('internal', err instanceof Error ? err.message : String(err), 0);
}
