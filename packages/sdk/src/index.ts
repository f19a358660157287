export { createClient, ChatClient, type ClientOptions, type ClientEvents, type SessionEnded } from './client.js';
export { Room, type RoomEvents, type SendOptions } from './room.js';
export { initialRoomState, type ChatMessage, type MessageStatus, type Receipt, type RoomState } from './room-state.js';
export { createStore, type ReadableStore, type Store } from './store.js';
export type { ConnectionStatus } from './transport/socket.js';
export type { SessionEndReason, TokenProvider } from './session.js';
export type { InboxFilter, SupportApi, UploadsApi } from './support.js';
export { ChatError } from './errors.js';
export type * from '@confab/protocol';
