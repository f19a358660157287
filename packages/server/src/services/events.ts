import { EventEmitter } from 'node:events';

import type {
  MessageDto,
  MessageReportDto,
  ModerationEntryDto,
  PinDto,
  ReactionDto,
  RoomDto,
  RoomReceiptsEvent,
  SupportNoteDto,
} from '@confab/protocol';

/** What happened, announced after the transaction that made it commits. */
export interface DomainEventMap {
  /**
   * Message events carry the room `version` their change got (commit order), so every node can
   * deliver them in that order. `notifyUserIds`: people to reach on all their devices (direct rooms).
   * `replay`: a retried send announcing a message stored before (its first announcement may never
   * have gone out); it carries the stored version, delivered late, and is not a new message.
   */
  'message.created': { appId: string; roomId: string; version: number; message: MessageDto; notifyUserIds: string[]; replay?: boolean };
  'message.updated': { appId: string; roomId: string; version: number; message: MessageDto };
  'message.deleted': { appId: string; roomId: string; version: number; message: MessageDto };
  'reaction.updated': { appId: string; roomId: string; version: number; messageId: string; reactions: ReactionDto[] };
  'room.created': { appId: string; room: RoomDto; memberIds: string[] };
  'room.updated': { appId: string; room: RoomDto; memberIds: string[] };
  'member.added': { appId: string; roomId: string; userIds: string[] };
  'member.removed': { appId: string; roomId: string; userId: string };
  'room.read': { appId: string; roomId: string; userId: string; seq: number };
  /** A room's watermarks moved (coalesced: at most one per room per flush of the receipts service). */
  'room.receipts': RoomReceiptsEvent;
  'message.throttled': { appId: string; userId: string };
  'user.merged': { appId: string; fromUserId: string; toUserId: string };
  /**
   * A support conversation started or changed: a new message, or (`roomChanged`) its status or
   * assignee. Agents hear it as `support:conversation`, its members as `room:updated`.
   */
  'support.changed': { appId: string; roomId: string; roomChanged: boolean };
  /** An app's labels were created, renamed, recoloured or deleted: agents hear `support:labels`. */
  'support.labels': { appId: string };
  /** An agent wrote a private note: agents hear `support:note`, each one it mentions `support:mention`. */
  'note.created': { appId: string; note: SupportNoteDto };
  /** A note was deleted (`deletedAt` set): agents hear `support:note`. */
  'note.deleted': { appId: string; note: SupportNoteDto };
  /** An agent holds fewer open conversations (one was resolved or went to someone else): the queue may move. */
  'support.workload': { appId: string };
  /** An agent connected, disconnected or changed availability: visitors' "agents online" changed. */
  'agents.changed': { appId: string };
  /** Webhook deliveries were queued (committed): the dispatcher should look now. */
  'webhooks.queued': { appId: string };
  /** A moderation action committed (its audit-log line): the room and its target hear `room:moderation`. */
  'moderation.recorded': { appId: string; entry: ModerationEntryDto };
  /** A room's pinned list changed: the room hears `room:pins`. */
  'room.pins': { appId: string; roomId: string; pins: PinDto[] };
  /** A message was reported: `recipientIds` (the room's owners and moderators, the app's staff) hear `moderation:report`. */
  'message.reported': { appId: string; report: MessageReportDto; recipientIds: string[] };
  /** Banned from the whole app: every socket of theirs, on every node, is closed. */
  'user.banned': { appId: string; userId: string };
  /** A person's data was erased: the rooms they were in hear `user:erased`; their sockets are closed. */
  'user.erased': { appId: string; userId: string; roomIds: string[] };
  /** A session was revoked (logout, refresh-token reuse): its sockets must go too. */
  'session.ended': { userId: string; sessionId: string };
}

export type DomainEventName = keyof DomainEventMap;

/** A typed in-process bus: services emit, the realtime publisher (and webhooks) listen. */
export class DomainEvents {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  emit<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
