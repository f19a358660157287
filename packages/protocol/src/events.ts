import type { MessageDto, ReactionDto, ReceiptDto, RoomDto } from './dto.js';
import type { ErrorBody } from './errors.js';
import type {
  BanEventInput,
  KickEventInput,
  MemberRefEventInput,
  MemberResult,
  MemberRoleEventInput,
  MessageReportDto,
  ModerationEntryDto,
  MuteEventInput,
  PinDto,
  ReportEventInput,
  RoomBanDto,
  RoomPinsEvent,
  RoomResult,
  SlowModeEventInput,
  UserErasedEvent,
} from './moderation.js';
import type { SupportMentionEvent, SupportNoteDto } from './notes.js';
import type { SupportAvailabilityDto, SupportConversationDto, SupportLabelsEvent } from './support.js';

/** Every client→server event is acknowledged with exactly one of these. */
export type Ack<T> = { data: T; error?: undefined } | { error: ErrorBody; data?: undefined };
export type AckFn<T> = (response: Ack<T>) => void;

export interface RoomJoinInput {
  roomId: string;
  since?: number;
}
/**
 * Without `since`: the latest page (`hasMore` = older messages exist). With `since`: every message
 * after it plus those changed (edited, deleted, reacted to) since it was sent, so the client's
 * state equals a fresh fetch (`hasMore` = more new messages wait: page on with `after`).
 */
export interface RoomJoinResult {
  room: RoomDto;
  messages: MessageDto[];
  hasMore: boolean;
  presence: PresenceEvent[];
  /** The room's change counter the answer reflects (every message change bumps it by one). */
  version: number;
  /** Delivered and read watermarks at the time of joining (see `room:receipts`). */
  receipts: RoomReceiptsEvent;
}
export interface MessageSendInput {
  roomId: string;
  clientId: string;
  text: string;
  attachments?: string[];
  replyTo?: string;
}
export interface MessageEditInput {
  messageId: string;
  text: string;
}
export interface MessageRefInput {
  messageId: string;
}
export interface MessageDeleteInput extends MessageRefInput {
  /** A moderator removing someone else's message: why (kept in the audit log). */
  reason?: string;
}
export interface ReactionInput {
  messageId: string;
  emoji: string;
}
export interface TypingInput {
  roomId: string;
  typing: boolean;
}
export interface RoomReadInput {
  roomId: string;
  seq: number;
}
export interface AuthRefreshInput {
  token: string;
}

export interface ClientToServerEvents {
  'room:join': (input: RoomJoinInput, ack: AckFn<RoomJoinResult>) => void;
  'room:leave': (input: { roomId: string }, ack: AckFn<{ roomId: string }>) => void;
  'message:send': (input: MessageSendInput, ack: AckFn<{ message: MessageDto }>) => void;
  'message:edit': (input: MessageEditInput, ack: AckFn<{ message: MessageDto }>) => void;
  'message:delete': (input: MessageDeleteInput, ack: AckFn<{ message: MessageDto }>) => void;
  'reaction:add': (input: ReactionInput, ack: AckFn<ReactionUpdatedEvent>) => void;
  'reaction:remove': (input: ReactionInput, ack: AckFn<ReactionUpdatedEvent>) => void;
  typing: (input: TypingInput, ack: AckFn<{ ok: true }>) => void;
  'room:read': (input: RoomReadInput, ack: AckFn<RoomReadEvent>) => void;
  /** The client has received messages up to `seq` (moves the delivered watermark). */
  'room:delivered': (input: RoomReadInput, ack: AckFn<RoomReadEvent>) => void;
  // Moderation (each as its REST twin in routes-moderation.ts).
  'member:role': (input: MemberRoleEventInput, ack: AckFn<MemberResult>) => void;
  'moderation:mute': (input: MuteEventInput, ack: AckFn<MemberResult>) => void;
  'moderation:unmute': (input: MemberRefEventInput, ack: AckFn<MemberResult>) => void;
  'moderation:kick': (input: KickEventInput, ack: AckFn<{ ok: true }>) => void;
  'moderation:ban': (input: BanEventInput, ack: AckFn<{ ban: RoomBanDto }>) => void;
  'moderation:unban': (input: MemberRefEventInput, ack: AckFn<{ ok: true }>) => void;
  'room:slow-mode': (input: SlowModeEventInput, ack: AckFn<RoomResult>) => void;
  'message:pin': (input: MessageRefInput, ack: AckFn<{ pin: PinDto }>) => void;
  'message:unpin': (input: MessageRefInput, ack: AckFn<{ ok: true }>) => void;
  'message:report': (input: ReportEventInput, ack: AckFn<{ report: MessageReportDto }>) => void;
  /** A fresh access token for this socket, before the current one expires. */
  'auth:refresh': (input: AuthRefreshInput, ack: AckFn<{ expiresAt: string }>) => void;
}

/** The payload a client sends with event `E`: `EventInputOf<'message:send'>` is `MessageSendInput`. */
export type EventInputOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
/** The `data` of event `E`'s successful ack: `AckDataOf<'message:send'>` is `{ message: MessageDto }`. */
export type AckDataOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends AckFn<infer T> ? T : never;

/** `version`: the message's version after the change (newer copies win a merge). */
export interface ReactionUpdatedEvent {
  roomId: string;
  messageId: string;
  version: number;
  reactions: ReactionDto[];
}
export interface TypingEvent {
  roomId: string;
  userId: string;
  typing: boolean;
}
export interface PresenceEvent {
  userId: string;
  online: boolean;
  lastSeenAt: string | null;
}
export interface RoomReadEvent {
  roomId: string;
  userId: string;
  seq: number;
}
/**
 * The room's receipts, coalesced: `deliveredSeq` / `readSeq` are the watermarks every member has
 * reached (the lowest of them), which is what "delivered" and "read" ticks need. `members` lists
 * the members whose watermarks moved, only in rooms of at most `LIMITS.receiptsRoomMembersMax`
 * members (in a join answer: every member's). At most one event per room per flush interval.
 */
export interface RoomReceiptsEvent {
  roomId: string;
  deliveredSeq: number;
  readSeq: number;
  members?: ReceiptDto[];
}
/**
 * The room's newest seq and version as the server knows them, sent when a node may have missed
 * telling you about changes (after a Redis outage): a client holding less catches up.
 */
export interface RoomSyncEvent {
  roomId: string;
  lastSeq: number;
  version: number;
}

export interface ServerToClientEvents {
  'message:created': (message: MessageDto) => void;
  'message:updated': (message: MessageDto) => void;
  'message:deleted': (message: MessageDto) => void;
  'reaction:updated': (event: ReactionUpdatedEvent) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  /** Your own read watermark moved (on another device of yours). */
  'room:read': (event: RoomReadEvent) => void;
  /** Delivered and read watermarks of the room's members moved (coalesced, see RoomReceiptsEvent). */
  'room:receipts': (event: RoomReceiptsEvent) => void;
  /** Catch up if you hold less than this (see RoomSyncEvent). */
  'room:sync': (event: RoomSyncEvent) => void;
  'room:created': (room: RoomDto) => void;
  'room:updated': (room: RoomDto) => void;
  /** To the app's agents: a support conversation started or changed (status, assignee, new message). */
  'support:conversation': (conversation: SupportConversationDto) => void;
  /** To every socket of the app: agents went online, away or offline. */
  'support:availability': (availability: SupportAvailabilityDto) => void;
  /** To the app's agents: a label was created, renamed, recoloured or deleted; the app's labels now. */
  'support:labels': (event: SupportLabelsEvent) => void;
  /** To the app's agents: a private note was written on a conversation, or deleted (`deletedAt` set). Never to visitors. */
  'support:note': (note: SupportNoteDto) => void;
  /** To one agent: a new note `@mentions` them. */
  'support:mention': (event: SupportMentionEvent) => void;
  /**
   * A moderation action in a room you are in or that concerns you (you were muted, kicked, banned):
   * to the room's channel and to the person it targets. App-wide bans close the person's sockets.
   */
  'room:moderation': (entry: ModerationEntryDto) => void;
  /** A room's pinned messages changed. */
  'room:pins': (event: RoomPinsEvent) => void;
  /** To a room's moderators and owners and the app's admins and agents: a message was reported. */
  'moderation:report': (report: MessageReportDto) => void;
  /** Someone in this room had their data erased: drop their texts and profile. */
  'user:erased': (event: UserErasedEvent) => void;
  /** Sent right before the server disconnects a socket whose token expired. */
  'auth:expired': (error: ErrorBody) => void;
  /** Sent right before a server that is shutting down disconnects: reconnect (to another node). */
  'server:shutdown': (info: { reconnectInMs: number }) => void;
}
