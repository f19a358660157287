// The one load generator: the same socket.io-client sockets, events and payloads for Confab and
// the baseline; only the credentials differ (the baseline ignores them).
import { performance } from 'node:perf_hooks';

import { io, type Socket } from 'socket.io-client';

import { mapLimit } from '../stats.js';

export interface Endpoint {
  url: string;
  /** Confab's app id (the baseline ignores it). */
  app?: string;
}

export interface ConnectOptions {
  /** Access token per socket index; none for the baseline. */
  token?: (index: number) => string;
  /** Sockets opened at once. */
  concurrency?: number;
  /** Source addresses used in turn, so that one source address does not run out of ports. */
  localAddresses?: string[];
  reconnection?: boolean;
}

export function connectOne(endpoint: Endpoint, index: number, options: ConnectOptions = {}): Promise<Socket> {
  const localAddress = options.localAddresses?.[index % options.localAddresses.length];
  const socket = io(endpoint.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: options.reconnection ?? false,
    query: endpoint.app ? { app: endpoint.app } : {},
    auth: options.token ? { token: options.token(index) } : {},
    // Passed through engine.io-client to `ws` in Node.
    ...(localAddress ? { localAddress } : {}),
  } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Opens `count` sockets; resolves with them and the time it took to connect all. */
export async function connectMany(
  endpoint: Endpoint | ((index: number) => Endpoint),
  count: number,
  options: ConnectOptions = {},
): Promise<{ sockets: Socket[]; ms: number }> {
  const started = performance.now();
  const endpointOf = typeof endpoint === 'function' ? endpoint : () => endpoint;
  const sockets = await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    options.concurrency ?? 200,
    (i) => connectOne(endpointOf(i), i, options),
  );
  return { sockets, ms: performance.now() - started };
}

export interface AckResponse<T = unknown> {
  data?: T;
  error?: { code: string; message: string };
}

export function emitAck<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, response: AckResponse<T>) => {
      if (err) reject(err);
      else if (response?.error) reject(new Error(`${event}: ${response.error.code} ${response.error.message}`));
      else resolve(response.data as T);
    });
  });
}

export async function joinAll(sockets: Socket[], roomId: string): Promise<void> {
  await mapLimit(sockets, 100, (socket) => emitAck(socket, 'room:join', { roomId }));
}

export function closeAll(sockets: Socket[]): void {
  for (const socket of sockets) socket.close();
}
