import type { Outbox } from './outbox.js';
import type { Room } from './room.js';
import type { HttpTransport } from './transport/http.js';
import type { SocketLink } from './transport/socket.js';

/** What a room needs from its client. */
export interface RoomContext {
  http: HttpTransport;
  socket: SocketLink;
  outbox: Outbox;
  userId(): string | null;
  /** Resolves when the socket is connected (at once if it is). */
  whenOnline(): Promise<void>;
  watch(room: Room): void;
  unwatch(room: Room): void;
}
