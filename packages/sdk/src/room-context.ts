import type { Room } from './room.js';
import type { SendQueue } from './send-queue.js';
import type { ReadableStore } from './store.js';
import type { HttpTransport } from './transport/http.js';
import type { SocketLink } from './transport/socket.js';

/** What a room needs from its client. */
export interface RoomContext {
  http: HttpTransport;
  socket: SocketLink;
  sendQueue: SendQueue;
  userId(): string | null;
  /** Resolves when the socket is connected (at once if it is). */
  whenOnline(): Promise<void>;
  watch(room: Room): void;
  /** The people you blocked: rooms leave their messages out. */
  blocks: ReadableStore<ReadonlySet<string>>;
  /** Loads the block list once per session (never rejects: a server without blocks has none). */
  loadBlocks(): Promise<void>;
  unwatch(room: Room): void;
}
