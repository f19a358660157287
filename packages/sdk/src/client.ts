import type { AuthSessionDto, PageDto, RegisterInput, RoomDto, RoomListItemDto, ServerToClientEvents, UserDto } from '@confab/protocol';
import { Emitter } from './emitter.js';
import { ChatError } from './errors.js';
import { Outbox } from './outbox.js';
import { Room, type RoomEvents } from './room.js';
import type { RoomContext } from './room-context.js';
import { Session, type TokenProvider } from './session.js';
import { createSupportApi, createUploadsApi, type SupportApi, type UploadsApi } from './support.js';
import { HttpTransport } from './transport/http.js';
import { type ChatSocket, type ConnectionStatus, SocketTransport } from './transport/socket.js';

export interface ClientOptions {
  /** The Confab server, e.g. `https://chat.example.com`. */
  url: string;
  /** Your app id. */
  app: string;
  /** Socket transports (default: polling, then upgrade to WebSocket). */
  transports?: ('websocket' | 'polling')[];
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** Client events: every server event, plus connection and session changes. */
export type ClientEvents = {
  [K in keyof ServerToClientEvents]: ServerToClientEvents[K];
} & {
  'connection:changed': (status: ConnectionStatus) => void;
  /** New tokens (store them to resume later with `connectSession`), or null after logout. */
  'session:changed': (session: AuthSessionDto | null) => void;
};

/**
 * A connection to one Confab app for one user. Several clients may live side by side (no
 * globals); each keeps its own session, socket, rooms and outbox.
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
  private readonly socket: SocketTransport;
  private readonly outbox: Outbox;
  private readonly rooms_ = new Map<string, Room>();
  private readonly watched = new Set<Room>();
  private status_: ConnectionStatus = 'idle';
  private readonly context: RoomContext;

  /** Your rooms: the list with last messages and unread counts, and creating rooms. */
  readonly rooms = {
    list: (options: { limit?: number; cursor?: string } = {}) =>
      this.http.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { auth: true, query: options }),
    create: (input: { name: string; kind?: 'group' | 'public'; slug?: string; memberIds?: string[] }) =>
      this.http.request<RoomDto>('POST', '/v1/rooms', { auth: true, body: input }),
    /** Joins a public room (become a member), then returns it. */
    join: async (roomId: string) => {
      await this.http.request('POST', `/v1/rooms/${roomId}/members`, { auth: true, body: { userId: this.requireUser().id } });
      return this.room(roomId);
    },
  };

  /** Support conversations (visitors and agents) and canned responses. */
  readonly support: SupportApi;
  /** File uploads and their URLs. */
  readonly uploads: UploadsApi;

  /** The people of your app. */
  readonly users = {
    search: (q = '', options: { limit?: number; cursor?: string } = {}) =>
      this.http.request<PageDto<UserDto>>('GET', '/v1/users', { auth: true, query: { q, ...options } }),
    me: () => this.http.request<UserDto>('GET', '/v1/me', { auth: true }),
    update: (patch: Partial<Pick<UserDto, 'name' | 'lastName' | 'email' | 'avatarUrl' | 'metadata'>>) =>
      this.http.request<UserDto>('PATCH', '/v1/me', { auth: true, body: patch }),
  };

  constructor(options: ClientOptions) {
    const url = options.url.replace(/\/+$/, '');
    this.http = new HttpTransport(url, options.app, options.fetch);
    this.session = new Session(
      this.http,
      (session) => {
        if (session) this.socket?.tokenRefreshed(session.accessToken);
        this.events.emit('session:changed', session);
      },
      () => this.setStatus('unauthorized'),
    );
    this.http.tokens = this.session;
    this.support = createSupportApi(this.http);
    this.uploads = createUploadsApi(this.http, url, () => this.session.accessToken());
    this.outbox = new Outbox(() => this.socket.connected);
    this.socket = new SocketTransport(
      url,
      options.app,
      this.session,
      {
        status: (status) => this.setStatus(status),
        event: (name, payload) => this.route(name, payload),
        connected: () => this.reconnected(),
      },
      options.transports,
    );
    this.context = {
      http: this.http,
      socket: this.socket,
      outbox: this.outbox,
      userId: () => this.session.current?.user.id ?? null,
      whenOnline: () => this.whenOnline(),
      watch: (room) => this.watched.add(room),
      unwatch: (room) => this.watched.delete(room),
    };
  }

  /** The signed-in user, or null. */
  get user(): UserDto | null {
    return this.session.current?.user ?? null;
  }

  get status(): ConnectionStatus {
    return this.status_;
  }

  /** The live Socket.IO socket (for diagnostics), or null before connecting. */
  get rawSocket(): ChatSocket | null {
    return this.socket.socket;
  }

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    return this.events.on(event, listener);
  }

  /** Starts an anonymous visitor session and connects. */
  async connectGuest(input: { name?: string; email?: string; metadata?: Record<string, unknown> } = {}): Promise<UserDto> {
    return this.begin(await this.http.request<AuthSessionDto>('POST', '/v1/auth/guest', { body: input }));
  }

  /** Signs in with username (or email) and password; a current guest's conversations come along. */
  async login(input: { username: string; password: string }): Promise<UserDto> {
    return this.begin(await this.http.request<AuthSessionDto>('POST', '/v1/auth/login', { body: input, bearer: this.guestToken() }));
  }

  async register(input: RegisterInput): Promise<UserDto> {
    return this.begin(await this.http.request<AuthSessionDto>('POST', '/v1/auth/register', { body: input, bearer: this.guestToken() }));
  }

  /**
   * Signs in with a token your backend signed with the app secret. Pass a function to have it
   * called again whenever the session needs renewing.
   * @example await client.connectUser(() => fetch('/chat-token').then((r) => r.text()));
   */
  async connectUser(tokenOrProvider: string | TokenProvider): Promise<UserDto> {
    const guest = this.guestToken();
    this.socket.disconnect();
    const session = await this.session.exchange(tokenOrProvider, guest);
    return this.begin(session, false);
  }

  /** Resumes a session stored from `session:changed`. */
  async connectSession(session: AuthSessionDto): Promise<UserDto> {
    return this.begin(session);
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
        .request('POST', '/v1/auth/logout', { bearer: current.accessToken, body: { refreshToken: current.refreshToken } })
        .catch(() => undefined);
    }
    this.session.clear();
    this.rooms_.clear();
    this.watched.clear();
  }

  /** The room object for `roomId` (the same object every time). Call `watch()` to follow it live. */
  room(roomId: string): Room {
    let room = this.rooms_.get(roomId);
    if (!room) this.rooms_.set(roomId, (room = new Room(roomId, this.context)));
    return room;
  }

  /** The 1:1 room with another user, created on first use. */
  async directRoom(userId: string): Promise<Room> {
    const dto = await this.http.request<RoomDto>('POST', '/v1/rooms/direct', { auth: true, body: { userId } });
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
    this.outbox.wake();
  }

  private route(name: keyof ServerToClientEvents, payload: unknown): void {
    const roomId = (payload as { roomId?: string } | null)?.roomId ?? (name === 'room:updated' ? (payload as RoomDto).id : undefined);
    if (roomId) this.rooms_.get(roomId)?.handle(name as keyof RoomEvents, payload);
    if (name === 'presence') {
      for (const room of this.watched) if ((payload as { userId: string }).userId in room.state.get().presence) room.handle('presence', payload);
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
