import type { ClientToServerEvents, PresenceEvent, RoomReceiptsEvent, ServerToClientEvents } from '@confab/protocol';
import type { Server, Socket } from 'socket.io';

import type { Actor } from '../services/actor.js';
import type { RoomEvent } from './room-sequencer.js';

/** All a socket keeps of its own (an idle socket's memory is most of a node's): who it acts for. */
export interface SocketData {
  actor: Actor;
}

/** Between nodes: message events travel to every node, which delivers them in order locally. */
export interface InterServerEvents {
  /** Message events of one turn of a node's event loop, for every other node's sequencer. */
  'room-events': (events: RoomEvent[]) => void;
  /** A room's coalesced receipts: each node tells its own watchers what they have not heard yet. */
  'room-receipts': (event: RoomReceiptsEvent) => void;
  /** Presence changes announced together, each with the rooms that hear it: each node tells its own sockets. */
  'presence-changes': (changes: (PresenceEvent & { roomIds: string[] })[]) => void;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const roomChannel = (roomId: string) => `room:${roomId}`;
export const userChannel = (userId: string) => `user:${userId}`;
export const sessionChannel = (sessionId: string) => `session:${sessionId}`;
/** Every socket of an app (agents' availability). */
export const appChannel = (appId: string) => `app:${appId}`;
/** The sockets of an app's agents and admins (the support inbox). */
export const agentsChannel = (appId: string) => `agents:${appId}`;
