import type {
  AuthSessionDto,
  CreateRoomInput,
  GuestInput,
  LoginInput,
  PageQuery,
  RegisterInput,
  RoomDto,
  ServerToClientEvents,
  UserDto,
} from '@confab/protocol';

import { BlockList, type BlocksApi } from './blocks.js';
import type { ClientEvents } from './client-events.js';
import type { ClientOptions } from './client-options.js';
import { Emitter } from './emitter.js';
import { ChatError } from './errors.js';
import { hostTokenMatches } from './host-token.js';
import { createMessagesApi, createModerationApi, type MessagesApi, type ModerationApi } from './moderation.js';
import { Room, type RoomEvents } from './room.js';
import type { RoomContext } from './room-context.js';
import { SendQueue } from './send-queue.js';
import { Session, type TokenProvider } from './session.js';
import { createStorageApi, type StorageApi } from './storage.js';
import { createSupportApi, createUploadsApi, type SupportApi, type UploadsApi } from './support.js';
import { browserSessionStore } from './tabs/session-store.js';
import { TabSocket } from './tabs/tab-socket.js';
import { HttpTransport } from './transport/http.js';
import { type ClientSocket, type ConnectionStatus, type SocketHooks, type SocketLink, SocketTransport } from './transport/socket.js';
import { UploadLinks } from './upload-links.js';
import { createUsersApi, type UsersApi } from './users.js';

/**
 * A connection to one Confab app for one user. Several clients may live side by side (no
 * globals); each keeps its own session, socket, rooms and send queue.
 *
 * @example
 * const client = createClient({ url: 'https://chat.example.com', app: 'APP_ID' });
 * await client.connectGuest({ name: 'Ana' });
 * const room = await client.room(roomId).watch();
 */
export class ChatClient {
  private readonly events = new Emitter<ClientEvents>();
  private readonly http: HttpTransport;
  private readonly session: Session;
  private readonly socket: SocketLink;
  private readonly sendQueue: SendQueue;
  private readonly rooms_ = new Map<string, Room>();
  private readonly watched = new Set<Room>();
  private status_: ConnectionStatus = 'idle';
  private readonly context: RoomContext;
  private readonly app: string;
  private readonly uploadLinks: UploadLinks;
  private readonly blockList: BlockList;

  /** Your rooms: the list with last messages and unread counts, and creating rooms. */
  readonly rooms = {
    list: (options: PageQuery = {}) => this.http.call('GET /v1/rooms', { query: options }),
    create: (input: CreateRoomInput) => this.http.call('POST /v1/rooms', { body: input }),
    /** Joins a public room (become a member), then returns it. */
    join: async (roomId: string) => {
      await this.http.call('POST /v1/rooms/:id/members', { params: { id: roomId }, body: { userId: this.requireUser().id } });
      return this.room(roomId);
    },
  };

  /** Support conversations (visitors and agents) and canned responses. */
  readonly support: SupportApi;
  /** File uploads and their URLs. */
  readonly uploads: UploadsApi;

  /** The people of your app, and your own data: export, erasure (users.ts). */
  readonly users: UsersApi;
  /** People you blocked: their messages are left out of every room's `state.messages` (blocks.ts). */
  readonly blocks: BlocksApi;
  /** Reporting messages (moderation.ts). */
  readonly messages: MessagesApi;
  /** Admins: app-wide bans, the audit log, reports, retention (moderation.ts); rooms have `room.moderation`. */
  readonly moderation: ModerationApi;
  /** Stored upload bytes against the quotas; admins set them (storage.ts). */
  readonly storage: StorageApi;

  constructor(options: ClientOptions) {
    const url = options.url.replace(/\/+$/, '');
    this.app = options.app;
    this.http = new HttpTransport(url, options.app, options.fetch);
    const store = options.storageKey ? browserSessionStore(options.storageKey) : null;
    this.uploadLinks = new UploadLinks(
      (ids) => this.http.call('POST /v1/uploads/links', { body: { ids } }),
      (path) => this.http.absolute(path),
    );
    this.session = new Session(
      this.http,
      {
        changed: (session, switched, remote) => {
          // Links and the block list belong to the user they were made for.
          if (!session || switched) this.forgetUser();
          if (session && switched) this.socket?.identityChanged();
          else if (session) this.socket?.tokenRefreshed(session.accessToken);
          this.events.emit('session:changed', session, remote);
        },
        ended: (reason, error) => {
          this.forgetUser();
          this.socket?.disconnect();
          this.setStatus('unauthorized');
          this.events.emit('session:ended', { reason, error });
        },
      },
      store ?? undefined,
    );
    this.http.tokens = this.session;
    this.support = createSupportApi(this.http);
    this.uploads = createUploadsApi(this.http, this.uploadLinks);
    this.blockList = new BlockList(this.http);
    this.blocks = this.blockList.api();
    this.messages = createMessagesApi(this.http);
    this.moderation = createModerationApi(this.http);
    this.storage = createStorageApi(this.http);
    this.users = createUsersApi(this.http, () => this.forget());
    this.sendQueue = new SendQueue(() => this.socket.connected);
    const hooks: SocketHooks = {
      status: (status) => this.setStatus(status),
      event: (name, payload) => this.route(name, payload),
      connected: () => this.reconnected(),
    };
    const ownSocket = (socketHooks: SocketHooks) => new SocketTransport(url, options.app, this.session, socketHooks, options.transports);
    this.socket =
      store && options.shareSocket !== false && TabSocket.supported()
        ? new TabSocket(options.storageKey!, ownSocket, hooks)
        : ownSocket(hooks);
    this.context = {
      http: this.http,
      socket: this.socket,
      sendQueue: this.sendQueue,
      userId: () => this.session.current?.user.id ?? null,
      whenOnline: () => this.whenOnline(),
      watch: (room) => this.watched.add(room),
      unwatch: (room) => this.watched.delete(room),
      blocks: this.blockList.store,
      loadBlocks: () => this.blockList.load(),
    };
  }

  /** The signed-in user, or null. */
  get user(): UserDto | null {
    return this.session.current?.user ?? null;
  }

  get status(): ConnectionStatus {
    return this.status_;
  }

  /** The live Socket.IO socket (for diagnostics), or null before connecting (or in a tab that shares another's). */
  get rawSocket(): ClientSocket | null {
    return this.socket.socket;
  }

  /**
   * True in the one tab that talks to the server for the tabs sharing this `storageKey` (and
   * always without sharing): let it alone play sounds, so a browser chimes once, not once per tab.
   */
  get primaryTab(): boolean {
    return this.socket.primary;
  }

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    return this.events.on(event, listener);
  }

  /** Starts an anonymous visitor session and connects. */
  async connectGuest(input: GuestInput = {}): Promise<UserDto> {
    return this.begin(await this.http.call('POST /v1/auth/guest', { body: input }));
  }

  /** Signs in with username (or email) and password; a current guest's conversations come along. */
  async login(input: LoginInput): Promise<UserDto> {
    return this.begin(await this.http.call('POST /v1/auth/login', { body: input, bearer: this.guestToken() }));
  }

  async register(input: RegisterInput): Promise<UserDto> {
    return this.begin(await this.http.call('POST /v1/auth/register', { body: input, bearer: this.guestToken() }));
  }

  /**
   * Signs in with a token your backend signed with the app secret. Pass a function to have it
   * called again whenever the session needs renewing.
   * @example await client.connectUser(() => fetch('/chat-token').then((r) => r.text()));
   */
  async connectUser(tokenOrProvider: string | TokenProvider): Promise<UserDto> {
    const token = typeof tokenOrProvider === 'function' ? await tokenOrProvider() : tokenOrProvider;
    const provider = typeof tokenOrProvider === 'function' ? tokenOrProvider : null;
    const previous = this.session.current;
    // The session held (stored by an earlier page or another tab) is already this user's: go on with it.
    if (previous && hostTokenMatches(token, previous.user, this.app)) {
      this.session.keepProvider(provider);
      return this.begin(previous, false);
    }
    const guest = this.guestToken();
    this.socket.disconnect();
    const session = await this.session.exchange(token, guest, provider);
    // The session replaced would otherwise stay valid, unseen, until it expires (a guest's ended with its merge).
    if (previous && !guest && previous.refreshToken !== session.refreshToken) this.revoke(previous);
    return this.begin(session, false);
  }

  /** Resumes a session stored from `session:changed`. */
  async connectSession(session: AuthSessionDto): Promise<UserDto> {
    return this.begin(session);
  }

  /**
   * With `storageKey`: connects with the session stored by an earlier page or another tab.
   * Resolves with its user, or null when there is none.
   * @example const user = await client.resume(); if (!user) await client.connectGuest();
   */
  async resume(): Promise<UserDto | null> {
    const session = this.session.current;
    if (!session) return null;
    return this.begin(session, false);
  }

  /** Closes the connection; the session stays (call a connect method or `reconnect()` to resume). */
  disconnect(): void {
    this.socket.disconnect();
  }

  reconnect(): void {
    this.requireUser();
    this.socket.connect();
  }

  /** Ends the session on the server (its tokens stop working) and forgets it here. */
  async logout(): Promise<void> {
    const current = this.session.current;
    this.socket.disconnect();
    if (current) {
      await this.http
        .call('POST /v1/auth/logout', { bearer: current.accessToken, body: { refreshToken: current.refreshToken } })
        .catch(() => undefined);
    }
    this.forget();
  }

  /** Signed out here (logout, erasure): nothing of the session is kept. */
  private forget(): void {
    this.socket.disconnect();
    this.session.clear();
    this.forgetUser();
    this.rooms_.clear();
    this.watched.clear();
  }

  private forgetUser(): void {
    this.uploadLinks.clear();
    this.blockList.reset();
  }

  /** Disconnects and lets go of everything (timers, the tab channel); the stored session stays. */
  close(): void {
    this.socket.close();
    this.session.dispose();
  }

  /** The room object for `roomId` (the same object every time). Call `watch()` to follow it live. */
  room(roomId: string): Room {
    let room = this.rooms_.get(roomId);
    if (!room) this.rooms_.set(roomId, (room = new Room(roomId, this.context)));
    return room;
  }

  /** The 1:1 room with another user, created on first use. */
  async directRoom(userId: string): Promise<Room> {
    const dto = await this.http.call('POST /v1/rooms/direct', { body: { userId } });
    return this.room(dto.id);
  }

  private begin(session: AuthSessionDto, start = true): UserDto {
    if (start) {
      this.socket.disconnect();
      this.session.start(session, null);
    }
    this.socket.connect();
    return session.user;
  }

  private revoke(session: AuthSessionDto): void {
    this.http
      .call('POST /v1/auth/logout', { bearer: session.accessToken, body: { refreshToken: session.refreshToken } })
      .catch(() => undefined); // already ended (a merged guest) or unreachable: nothing to undo
  }

  private guestToken(): string | undefined {
    const current = this.session.current;
    return current?.user.kind === 'guest' ? current.accessToken : undefined;
  }

  private requireUser(): UserDto {
    if (!this.user) throw new ChatError('unauthorized', 'Sign in first', 401);
    return this.user;
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status_) return;
    if (this.status_ === 'unauthorized' && status === 'offline') return;
    this.status_ = status;
    this.events.emit('connection:changed', status);
  }

  private whenOnline(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    if (!this.user || this.status_ === 'unauthorized') return Promise.reject(new ChatError('unauthorized', 'Sign in first', 401));
    if (this.status_ === 'idle') return Promise.reject(new ChatError('unavailable', 'Disconnected: call reconnect() first', 0));
    return new Promise((resolve, reject) => {
      const off = this.events.on('connection:changed', (status) => {
        if (status === 'online') resolve();
        else if (status === 'unauthorized') reject(new ChatError('unauthorized', 'The session ended', 401));
        else if (status === 'idle') reject(new ChatError('unavailable', 'Disconnected', 0));
        else return;
        off();
      });
    });
  }

  private reconnected(): void {
    for (const room of this.watched) room.join().catch(() => undefined);
    this.sendQueue.wake();
  }

  private route(name: keyof ServerToClientEvents, payload: unknown): void {
    const roomId = (payload as { roomId?: string } | null)?.roomId ?? (name === 'room:updated' ? (payload as RoomDto).id : undefined);
    if (roomId) this.rooms_.get(roomId)?.handle(name as keyof RoomEvents, payload);
    if (name === 'presence') {
      for (const room of this.watched)
        if ((payload as { userId: string }).userId in room.state.get().presence) room.handle('presence', payload);
    }
    this.events.emit(name, payload as never);
  }
}

/**
 * Creates a client for one app.
 * @example const client = createClient({ url: 'https://chat.example.com', app: 'APP_ID' });
 */
export function createClient(options: ClientOptions): ChatClient {
  return new ChatClient(options);
}
