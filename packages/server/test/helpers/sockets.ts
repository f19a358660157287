import type { Ack, AuthSessionDto, ClientToServerEvents, ServerToClientEvents } from '@confab/protocol';
import { io as connectSocket, type Socket } from 'socket.io-client';

import type { TestServer } from './server.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  /** Sent as the Origin header (Node clients send none by default). */
  origin?: string;
  /** `?app=` of the handshake (browsers must name their app; Node clients may). */
  app?: string;
  token?: string;
  transports?: ('websocket' | 'polling')[];
  reconnection?: boolean;
}

/** A real socket.io-client connected (or refused) to a test server. */
export function openSocket(server: TestServer, session: AuthSessionDto | null, options: ConnectOptions = {}): ClientSocket {
  const query: Record<string, string> = {};
  if (options.app) query.app = options.app;
  return connectSocket(server.url, {
    auth: { token: options.token ?? session?.accessToken ?? '' },
    query,
    transports: options.transports ?? ['websocket'],
    extraHeaders: options.origin ? { origin: options.origin } : undefined,
    forceNew: true,
    reconnection: options.reconnection ?? false,
    timeout: 5_000,
  }) as ClientSocket;
}

/** Connects and resolves once the server accepted the socket (rejects with its connect_error). */
export function connect(server: TestServer, session: AuthSessionDto | null, options: ConnectOptions = {}): Promise<ClientSocket> {
  const socket = openSocket(server, session, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits a client event and resolves with its ack (`{ data }` or `{ error }`). */
export function request<T = unknown>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 5_000): Promise<Ack<T>> {
  return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** The ack's data, or a thrown error naming the ack's error. */
export async function call<T = unknown>(socket: ClientSocket, event: string, payload: unknown): Promise<T> {
  const ack = await request<T>(socket, event, payload);
  if (ack.error) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data as T;
}

/** Resolves with the first `event` whose payload passes `accept`, or rejects after `timeoutMs`. */
export function waitFor<T = unknown>(
  socket: ClientSocket,
  event: string,
  accept: (payload: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  const s = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      s.off(event, listener);
      resolve(payload);
    };
    s.on(event, listener);
  });
}

/** Collects every `event` payload received from now on. */
export function collect<T = unknown>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as Socket).on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Resolves after `ms`; for asserting that something did NOT arrive. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
