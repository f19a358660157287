import type { MessageDto, PinDto, PresenceEvent, RoomDto } from '@confab/protocol';

import type { ChatError } from './errors.js';

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message as the UI shows it: stored ones carry their seq; unsent ones (`pending`, `failed`) seq 0. */
export interface ChatMessage extends MessageDto {
  status: MessageStatus;
  /** Why a `failed` message was refused. */
  error?: ChatError;
  /** Sends a `failed` message again (same clientId: it can never be stored twice). */
  retry?: () => Promise<MessageDto>;
}

/** Why you are no longer in the room: a moderator removed you (you may rejoin a public room) or banned you. */
export type RemovedReason = 'kicked' | 'banned';

export interface Receipt {
  deliveredSeq: number;
  readSeq: number;
}

export interface RoomState {
  room: RoomDto | null;
  /** Oldest first; unsent messages last, in the order they were written. */
  messages: readonly ChatMessage[];
  /** Older history exists on the server (`loadOlder()`). */
  hasOlder: boolean;
  watching: boolean;
  /** Users typing now (not you). */
  typing: readonly string[];
  /** Each member's watermarks, kept live in rooms of up to `LIMITS.receiptsRoomMembersMax` members. */
  receipts: Readonly<Record<string, Receipt>>;
  /** The watermarks every member has reached: what your messages' delivered and read ticks show. */
  reachedByAll: Receipt;
  presence: Readonly<Record<string, PresenceEvent>>;
  /** Messages after your read watermark. */
  unreadCount: number;
  /**
   * The room's pinned messages, newest pin first (group and public rooms), kept live from
   * `room:pins`. Your mute (`room.membership.mutedUntil`) and the room's `slowModeSeconds` are
   * kept live in `room` from `room:moderation`.
   */
  pins: readonly PinDto[];
  /** Set when a moderator removed or banned you: the room stopped following itself live. */
  removed: RemovedReason | null;
}

export const initialRoomState: RoomState = Object.freeze({
  room: null,
  messages: [],
  hasOlder: false,
  watching: false,
  typing: [],
  receipts: {},
  reachedByAll: { deliveredSeq: 0, readSeq: 0 },
  presence: {},
  unreadCount: 0,
  pins: [],
  removed: null,
});

/** A send not yet acknowledged by the server. */
export interface Unsent {
  clientId: string;
  text: string;
  attachments: string[];
  replyTo?: string;
  createdAt: string;
  failed: ChatError | null;
  retry: () => Promise<MessageDto>;
}
