import {
  type Ack,
  type AckDataOf,
  type ClientToServerEvents,
  type ErrorBody,
  type EventInputOf,
  LIMITS,
  type ServerToClientEvents,
} from '@confab/protocol';
import { io, type Socket } from 'socket.io-client';

import { backoffDelay } from '../backoff.js';
import { ChatError } from '../errors.js';
import type { Session } from '../session.js';

/** `connecting` → `online` ⇄ `offline`; `unauthorized` when the session ended; `idle` before connecting. */
export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'offline' | 'unauthorized';

/** The client end of the realtime connection, typed with the protocol's event maps. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SocketHooks {
  status(status: ConnectionStatus): void;
  /** Every server event, for the client to route. */
  event(name: keyof ServerToClientEvents, payload: unknown): void;
  /** The socket is (again) connected: rejoin rooms, flush the send queue. */
  connected(): void;
}

export const ACK_TIMEOUT_MS = 10_000;
/** Backoff of reconnects after a refused handshake (full jitter up to the cap). */
const REFUSED_BASE_MS = 500;
const REFUSED_CAP_MS = 15_000;
/** Refusals that waiting cannot fix: the app does not accept this page's origin, or this user. */
const FINAL_REFUSALS = new Set(['forbidden', 'origin_not_allowed']);

/**
 * What the client needs of the realtime connection: this tab's own Socket.IO socket, or (with a
 * shared session) the one socket that one tab holds for every tab of the browser.
 */
export interface SocketLink {
  readonly connected: boolean;
  /** The Socket.IO socket, when this tab holds it. */
  readonly socket: ClientSocket | null;
  /** True when this tab talks to the server itself (the leader tab, or no sharing). */
  readonly primary: boolean;
  connect(): void;
  disconnect(): void;
  request<E extends keyof ClientToServerEvents>(event: E, payload: EventInputOf<E>, timeoutMs?: number): Promise<AckDataOf<E>>;
  /** Hands the server a fresh token of the same user. */
  tokenRefreshed(token: string): void;
  /** Another user signed in: a connection made for the previous one is made again. */
  identityChanged(): void;
  /** Lets go of everything (the client is done). */
  close(): void;
}

/**
 * The Socket.IO connection: reconnects with backoff by itself; when the server refuses or drops
 * it for its token, refreshes the session and connects again. Any other refusal (a database
 * outage, a node shutting down, too many sockets) is retried with backoff and full jitter, so
 * a crowd that lost its node together does not come back in one instant.
 */
export class SocketTransport implements SocketLink {
  socket: ClientSocket | null = null;
  readonly primary = true;
  private wanted = false;
  /** The server said the token expired (rather than shutting down or ending the session). */
  private expired = false;
  /** The server said it is shutting down: reconnect within this many ms (spread at random). */
  private shutdownSpreadMs = 0;
  private refusals = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly app: string,
    private readonly session: Session,
    private readonly hooks: SocketHooks,
    private readonly transports?: ('websocket' | 'polling')[],
  ) {}

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  connect(): void {
    this.wanted = true;
    if (this.socket) {
      if (!this.socket.connected && !this.socket.active) this.socket.connect();
      return;
    }
    this.hooks.status('connecting');
    const socket: ClientSocket = io(this.url, {
      query: { app: this.app },
      auth: (cb) => {
        this.session.accessToken().then(
          (token) => cb({ token }),
          () => cb({ token: '' }),
        );
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      // Each delay drawn from [0, 2 × the nominal one]: reconnects of many clients spread out.
      randomizationFactor: 1,
      transports: this.transports,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.expired = false;
      this.shutdownSpreadMs = 0;
      this.refusals = 0;
      this.hooks.status('online');
      this.hooks.connected();
    });
    socket.on('auth:expired', () => {
      this.expired = true;
    });
    socket.on('server:shutdown', (info) => {
      this.shutdownSpreadMs = Math.max(0, Math.min(Number(info?.reconnectInMs) || 0, 30_000));
    });
    socket.on('disconnect', (reason) => {
      this.hooks.status(this.wanted ? 'offline' : 'idle');
      if (reason !== 'io server disconnect' || !this.wanted) return;
      // The server let go of us. Its token expired: renew it. It shut down (a restart) or ended
      // the session: try again with the token we hold (renewed only if due), and the handshake
      // tells which.
      if (this.expired) this.reconnectWithFreshToken();
      else if (this.shutdownSpreadMs) this.retryLater(Math.floor(Math.random() * this.shutdownSpreadMs));
      else this.reconnectWithToken();
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (socket.active) {
        this.hooks.status('offline');
        return; // a network problem: socket.io retries with backoff
      }
      // The server refused the handshake.
      const code = err.data?.code;
      if (code === 'token_expired' || code === 'unauthorized') this.reconnectWithFreshToken();
      else {
        this.hooks.status('offline');
        if (!FINAL_REFUSALS.has(code ?? '')) this.retryLater(backoffDelay(this.refusals++, REFUSED_BASE_MS, REFUSED_CAP_MS));
      }
    });
    socket.onAny((event: keyof ServerToClientEvents, payload: unknown) => this.hooks.event(event, payload));
  }

  disconnect(): void {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.disconnect();
    this.socket?.removeAllListeners();
    this.socket = null;
    this.hooks.status('idle');
  }

  /** Sends a client event and returns its ack's data; a ChatError otherwise (`unavailable` when offline). */
  async request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: EventInputOf<E>,
    timeoutMs = ACK_TIMEOUT_MS,
  ): Promise<AckDataOf<E>> {
    const socket = this.socket;
    if (!socket?.connected) throw new ChatError('unavailable', 'Not connected', 0);
    assertFits(event, payload);
    let dropped: (() => void) | null = null;
    try {
      const ack = await Promise.race([
        (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<AckDataOf<E>>>,
        new Promise<never>((_, reject) => {
          dropped = () => reject(new ChatError('unavailable', `The connection dropped before ${event} was answered`, 0, { dropped: true }));
          socket.once('disconnect', dropped);
        }),
      ]);
      if (ack.error) throw fromAck(ack.error);
      return ack.data as AckDataOf<E>;
    } catch (err) {
      if (err instanceof ChatError) throw err;
      throw new ChatError('unavailable', `No answer to ${event} within ${timeoutMs} ms`, 0);
    } finally {
      if (dropped) socket.off('disconnect', dropped);
    }
  }

  /** Hands the server a fresh token so it does not drop the socket when the old one expires. */
  tokenRefreshed(token: string): void {
    if (this.socket?.connected) this.socket.emit('auth:refresh', { token }, () => undefined);
  }

  identityChanged(): void {
    if (!this.socket) return;
    this.socket.disconnect();
    if (this.wanted) this.socket.connect();
  }

  close(): void {
    this.disconnect();
  }

  /** Connects again after `delayMs`, with the token held (renewed if due). */
  private retryLater(delayMs: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.wanted) this.reconnectWithToken();
    }, delayMs);
  }

  private reconnectWithToken(): void {
    this.reconnectAfter(this.session.accessToken());
  }

  private reconnectWithFreshToken(): void {
    this.reconnectAfter(this.session.refresh());
  }

  private reconnectAfter(token: Promise<string>): void {
    token.then(
      () => {
        if (this.wanted && this.socket && !this.socket.connected) this.socket.connect();
      },
      (err: ChatError) => {
        if (!err.retryable) this.hooks.status('unauthorized');
        else this.retryLater(backoffDelay(this.refusals++, REFUSED_BASE_MS, REFUSED_CAP_MS));
      },
    );
  }
}

/** A payload past the server's frame limit would close the socket: refuse it here instead. */
function assertFits(event: string, payload: unknown): void {
  const text = JSON.stringify(payload) ?? '';
  // UTF-8 is at most 3 bytes per UTF-16 unit: only a long payload needs counting exactly.
  if (text.length * 3 <= LIMITS.socketPayloadBytesMax) return;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.socketPayloadBytesMax) {
    throw new ChatError('payload_too_large', `${event} is ${bytes} bytes; the server takes at most ${LIMITS.socketPayloadBytesMax}`, 413);
  }
}

function fromAck(error: ErrorBody): ChatError {
  return ChatError.fromResponse(0, { error });
}
