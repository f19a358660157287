export { ChatClient, type ClientEvents, type ClientOptions, createClient, type SessionEnded } from './client.js';
export { ChatError } from './errors.js';
export { Room, type RoomEvents, type SendOptions } from './room.js';
export { type ChatMessage, initialRoomState, type MessageStatus, type Receipt, type RoomState } from './room-state.js';
export type { SessionEndReason, TokenProvider } from './session.js';
export { createStore, type ReadableStore, type Store } from './store.js';
export type { InboxFilter, SupportApi, UploadsApi } from './support.js';
export type { ConnectionStatus } from './transport/socket.js';
export type * from '@confab/protocol';
