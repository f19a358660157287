import type { MessageDto, PresenceEvent, ReactionDto, RoomDto } from '@confab/protocol';
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
  receipts: Readonly<Record<string, Receipt>>;
  presence: Readonly<Record<string, PresenceEvent>>;
  /** Messages after your read watermark. */
  unreadCount: number;
}

export const initialRoomState: RoomState = Object.freeze({
  room: null,
  messages: [],
  hasOlder: false,
  watching: false,
  typing: [],
  receipts: {},
  presence: {},
  unreadCount: 0,
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

/** Keeps the newer copy of a message (by version); a message is never listed twice. */
export function mergeMessages(stored: Map<string, MessageDto>, incoming: readonly MessageDto[]): boolean {
  let changed = false;
  for (const message of incoming) {
    const current = stored.get(message.id);
    if (current && current.version >= message.version) continue;
    stored.set(message.id, message);
    changed = true;
  }
  return changed;
}

export function withReactions(message: MessageDto, reactions: ReactionDto[], version: number): MessageDto {
  return version > message.version ? { ...message, reactions, version } : message;
}

/** Delivered/read for your own messages: every other member got / read it. */
function ownStatus(seq: number, me: string, receipts: Record<string, Receipt>): MessageStatus {
  const others = Object.entries(receipts).filter(([userId]) => userId !== me).map(([, r]) => r);
  if (!others.length) return 'sent';
  if (others.every((r) => r.readSeq >= seq)) return 'read';
  if (others.every((r) => r.deliveredSeq >= seq)) return 'delivered';
  return 'sent';
}

/** The message list of the state: stored messages by seq, then the unsent ones. */
export function listMessages(
  stored: Map<string, MessageDto>,
  unsent: Map<string, Unsent>,
  me: string | null,
  receipts: Record<string, Receipt>,
  roomId: string,
): ChatMessage[] {
  const sent = [...stored.values()]
    .sort((a, b) => a.seq - b.seq)
    .map((m): ChatMessage => ({ ...m, status: me !== null && m.senderId === me ? ownStatus(m.seq, me, receipts) : 'sent' }));
  // A send whose stored copy came back (catch-up, a page) before its ack is listed once: as stored.
  const stored_ = new Set(sent.filter((m) => m.senderId === me && m.clientId).map((m) => m.clientId));
  const waiting = [...unsent.values()].filter((u) => !stored_.has(u.clientId)).map(
    (u): ChatMessage => ({
      id: `local:${u.clientId}`,
      roomId,
      seq: 0,
      version: 0,
      clientId: u.clientId,
      senderId: me ?? '',
      sender: null,
      type: 'text',
      text: u.text,
      replyToId: u.replyTo ?? null,
      attachments: [],
      reactions: [],
      createdAt: u.createdAt,
      editedAt: null,
      deletedAt: null,
      status: u.failed ? 'failed' : 'pending',
      ...(u.failed ? { error: u.failed, retry: u.retry } : {}),
    }),
  );
  return [...sent, ...waiting];
}
