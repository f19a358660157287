import type { ClientToServerEvents, ServerToClientEvents } from '@confab/protocol';
import type { Server } from 'socket.io';

import type { Logger } from '../logger.js';
import type { RedisAdapter } from '../redis/adapter.js';
import type { Services } from '../services/index.js';
import type { RoomSequencer } from './room-sequencer.js';
import { type ChatServer, roomChannel, type SocketData } from './types.js';

/** A room this node changed, and how far (lastSeq: of the newest message it stored there). */
export interface WrittenRoom {
  roomId: string;
  version: number;
  lastSeq: number;
}

/**
 * Between nodes, once fan-out works again. `hello`: the sender's own fan-out just came back, so
 * it may have missed earlier announcements: answer with yours.
 */
export interface RoomSyncAnnouncement {
  rooms: WrittenRoom[];
  hello: boolean;
}

interface SyncEvents {
  'room-sync': (announcement: RoomSyncAnnouncement, ack: (received: boolean) => void) => void;
}
type SyncServer = Server<ClientToServerEvents, ServerToClientEvents, SyncEvents, SocketData>;

export interface OutageSyncOptions {
  io: ChatServer;
  adapter: RedisAdapter;
  services: Services;
  sequencer: RoomSequencer;
  logger: Logger;
}

// A cut is often seen late (a publish times out): writes this long before it may be lost too.
const RECENT_MS = 30_000;
// Peers whose fan-out comes back after ours still hear what we announced, for this long.
const RETAIN_MS = 60_000;
const RETRY_MS = 1_000;
const ACK_TIMEOUT_MS = 5_000;
const ROOMS_PER_ANNOUNCEMENT = 500;
const ROOMS_MAX = 20_000;

/**
 * Message events written while Redis was away reached only this node's sockets. This remembers
 * the rooms this node wrote while fan-out was not healthy (and in the `RECENT_MS` before it was
 * seen to fail) and, once fan-out works again, announces them to every node until the
 * announcement went out. A node hearing it delivers the versions its sockets missed (read from
 * the database by its sequencer), then sends `room:sync` to the room's sockets so clients still
 * holding less catch up. Returns a stop function.
 */
export function startOutageSync({ io, adapter, services, sequencer, logger }: OutageSyncOptions): () => void {
  const cluster = io as unknown as SyncServer;
  const recent = new Map<string, WrittenRoom & { at: number }>();
  const missed = new Map<string, WrittenRoom>();
  let retained: WrittenRoom[] = [];
  let retainedUntil = 0;
  let helloDue = false;
  let answerDue = false;
  let flushing = false;
  let stopped = false;

  /** Keeps the furthest state of each room, most recent last; past the bound, the oldest rooms are left to clients' own gap checks. */
  const remember = <T extends WrittenRoom>(into: Map<string, T>, room: T) => {
    const known = into.get(room.roomId);
    into.delete(room.roomId);
    into.set(room.roomId, {
      ...room,
      version: Math.max(room.version, known?.version ?? 0),
      lastSeq: Math.max(room.lastSeq, known?.lastSeq ?? 0),
    });
    if (into.size > ROOMS_MAX) into.delete(into.keys().next().value!);
  };

  const written = (roomId: string, version: number, lastSeq = 0) => {
    if (!adapter.healthy()) return remember(missed, { roomId, version, lastSeq });
    remember(recent, { roomId, version, lastSeq, at: Date.now() });
    const cutoff = Date.now() - RECENT_MS;
    for (const [id, entry] of recent) {
      if (entry.at >= cutoff) break;
      recent.delete(id);
    }
  };

  const emit = (announcement: RoomSyncAnnouncement) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ACK_TIMEOUT_MS);
      timer.unref();
      cluster.serverSideEmit('room-sync', announcement, (err: Error | null) => {
        clearTimeout(timer);
        resolve(!err);
      });
    });

  const announce = async (rooms: WrittenRoom[], hello: boolean): Promise<boolean> => {
    if (!rooms.length) return emit({ rooms, hello });
    for (let i = 0; i < rooms.length; i += ROOMS_PER_ANNOUNCEMENT) {
      if (!(await emit({ rooms: rooms.slice(i, i + ROOMS_PER_ANNOUNCEMENT), hello: hello && i === 0 }))) return false;
    }
    return true;
  };

  /** Sends what is due while fan-out is healthy, retrying until each went out. */
  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      while (!stopped && (helloDue || answerDue)) {
        if (!adapter.healthy()) return; // the next recovery flushes again
        const hello = helloDue;
        const rooms = hello ? [...missed.values()] : retained;
        if (!(await announce(rooms, hello))) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
          continue;
        }
        if (!hello) {
          answerDue = false;
          continue;
        }
        helloDue = false;
        for (const room of rooms) if (missed.get(room.roomId) === room) missed.delete(room.roomId);
        if (rooms.length) {
          if (Date.now() > retainedUntil) retained = [];
          retained = [...retained.filter((r) => !rooms.some((s) => s.roomId === r.roomId)), ...rooms];
          retainedUntil = Date.now() + RETAIN_MS;
          logger.info({ rooms: rooms.length }, 'announced rooms written while cross-node fan-out was down');
        }
      }
    } finally {
      flushing = false;
    }
  };

  const onHealth = (healthy: boolean) => {
    if (!healthy) {
      const cutoff = Date.now() - RECENT_MS;
      for (const { at, ...room } of recent.values()) if (at >= cutoff) remember(missed, room);
      recent.clear();
      return;
    }
    helloDue = true;
    void flush();
  };

  const syncRoom = async ({ roomId, version }: WrittenRoom) => {
    try {
      await sequencer.sync(roomId, version);
      const head = await services.history.head(roomId);
      if (head) io.local.to(roomChannel(roomId)).emit('room:sync', { roomId, lastSeq: head.lastSeq, version: head.version });
    } catch (err) {
      logger.warn({ err: (err as Error).message, roomId }, 'could not sync a room after the outage; its clients catch up by themselves');
    }
  };

  cluster.on('room-sync', (announcement, ack) => {
    ack?.(true);
    if (announcement.hello && retained.length && Date.now() <= retainedUntil) {
      answerDue = true;
      void flush();
    }
    void (async () => {
      for (const room of announcement.rooms) await syncRoom(room);
    })();
  });

  const { events } = services;
  const offs = [
    adapter.onHealth(onHealth),
    events.on('message.created', ({ roomId, version, message }) => written(roomId, version, message.seq)),
    events.on('message.updated', ({ roomId, version }) => written(roomId, version)),
    events.on('message.deleted', ({ roomId, version }) => written(roomId, version)),
    events.on('reaction.updated', ({ roomId, version }) => written(roomId, version)),
  ];
  // Fan-out may already work (the adapter connected before this started).
  if (adapter.healthy()) onHealth(true);
  return () => {
    stopped = true;
    offs.forEach((off) => off());
    cluster.removeAllListeners('room-sync');
  };
}
