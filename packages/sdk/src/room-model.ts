import type {
  MessageDto,
  ModerationEntryDto,
  PageDto,
  PinDto,
  PresenceEvent,
  ReactionUpdatedEvent,
  ReceiptDto,
  RoomDto,
  RoomJoinResult,
  RoomReceiptsEvent,
} from '@confab/protocol';

import { erased, moderated, mutedUntil } from './room-model-moderation.js';
import { type ChatMessage, initialRoomState, type MessageStatus, type Receipt, type RoomState, type Unsent } from './room-state.js';

/**
 * Everything the SDK knows about one room. `reduceRoom` is the only way it changes, and the
 * public `RoomState` is derived from it (`viewRoom`).
 */
export interface RoomModel extends Omit<RoomState, 'messages' | 'unreadCount'> {
  /** The messages held, by id. */
  messages: ReadonlyMap<string, MessageDto>;
  /** The seqs of the messages held. */
  seqs: ReadonlySet<number>;
  unsent: ReadonlyMap<string, Unsent>;
  myReadSeq: number;
  /** The newest room version heard of (join answers, message and reaction events). */
  version: number;
  /** The newest seq the room is known to have: its `lastSeq`, or the newest message heard of. */
  lastSeq: number;
  /** The oldest seq of the history loaded (null before the first page): messages below it are not held. */
  floor: number | null;
  /**
   * Every seq from `floor` through this one is held (or known not to exist on the server): it is
   * where catch-up starts, and a hole is any seq between it and `lastSeq`.
   */
  through: number;
  /** Senders you blocked: their messages are held but not listed. */
  blocked: ReadonlySet<string>;
}

export type RoomAction =
  | { type: 'watching'; watching: boolean }
  /** A `room:join` answer: the latest page, or (`catchUp`) what came after the `since` sent. */
  | { type: 'joined'; result: RoomJoinResult; catchUp: boolean }
  /** Messages from anywhere: live events, acks, edits, pages that fill a hole. */
  | { type: 'messages'; messages: readonly MessageDto[] }
  | { type: 'older'; page: PageDto<MessageDto> }
  /** The server holds nothing between `through` and the next message (nothing to wait for). */
  | { type: 'skipped'; through: number }
  | { type: 'reaction'; event: ReactionUpdatedEvent }
  | { type: 'receipts'; event: RoomReceiptsEvent }
  | { type: 'receipt-list'; items: readonly ReceiptDto[] }
  /** Your read watermark moved. */
  | { type: 'read'; seq: number }
  | { type: 'unsent'; unsent: Unsent }
  | { type: 'typing'; userIds: readonly string[] }
  | { type: 'presence'; event: PresenceEvent }
  | { type: 'room'; room: RoomDto }
  | { type: 'sync'; lastSeq: number }
  | { type: 'pins'; pins: readonly PinDto[] }
  | { type: 'moderation'; entry: ModerationEntryDto }
  /** A send was refused for a mute until then. */
  | { type: 'muted'; until: string | null }
  | { type: 'erased'; userId: string }
  | { type: 'blocked'; userIds: ReadonlySet<string> };

const { messages: _list, unreadCount: _unread, ...initialShared } = initialRoomState;

export const initialRoomModel: RoomModel = Object.freeze({
  ...initialShared,
  messages: new Map<string, MessageDto>(),
  seqs: new Set<number>(),
  unsent: new Map<string, Unsent>(),
  myReadSeq: 0,
  version: 0,
  lastSeq: 0,
  floor: null,
  through: 0,
  blocked: new Set<string>(),
});

/** The room's next state after `action`; the same object when nothing changed. `me`: your user id. */
export function reduceRoom(model: RoomModel, action: RoomAction, me: string | null): RoomModel {
  switch (action.type) {
    case 'watching':
      return model.watching === action.watching ? model : { ...model, watching: action.watching };
    case 'joined':
      return joined(model, action.result, action.catchUp, me);
    case 'messages':
      return merge(model, action.messages, me);
    case 'older': {
      const { items, hasMore } = action.page;
      const oldest = items.reduce((min, m) => Math.min(min, m.seq), Infinity);
      // Nothing older exists: the history held starts at the first message.
      const floor = hasMore ? Math.min(model.floor ?? oldest, oldest) : 1;
      return merge({ ...model, floor, hasOlder: hasMore }, items, me);
    }
    case 'skipped':
      return action.through <= model.through ? model : advance({ ...model, through: action.through });
    case 'reaction': {
      const { messageId, reactions, version } = action.event;
      const current = model.messages.get(messageId);
      const next = { ...model, version: Math.max(model.version, version) };
      if (current && version > current.version) next.messages = new Map(model.messages).set(messageId, { ...current, reactions, version });
      return next;
    }
    case 'receipts': {
      const { deliveredSeq, readSeq, members } = action.event;
      const next = { ...model, reachedByAll: { deliveredSeq, readSeq } };
      return members?.length ? withReceipts(next, members, false, me) : next;
    }
    case 'receipt-list':
      return withReceipts(model, action.items, true, me);
    case 'read': {
      if (action.seq <= model.myReadSeq) return model;
      const mine = me !== null ? model.receipts[me] : undefined;
      const next = { ...model, myReadSeq: action.seq };
      return mine
        ? withReceipts(next, [{ userId: me!, readSeq: action.seq, deliveredSeq: Math.max(mine.deliveredSeq, action.seq) }], false, me)
        : next;
    }
    case 'unsent':
      return { ...model, unsent: new Map(model.unsent).set(action.unsent.clientId, action.unsent) };
    case 'typing':
      return { ...model, typing: action.userIds };
    case 'presence':
      return { ...model, presence: { ...model.presence, [action.event.userId]: action.event } };
    case 'room':
      return {
        ...model,
        room: { ...action.room, membership: model.room?.membership ?? action.room.membership },
        lastSeq: Math.max(model.lastSeq, action.room.lastSeq),
      };
    case 'sync':
      return action.lastSeq <= model.lastSeq ? model : { ...model, lastSeq: action.lastSeq };
    case 'pins':
      return { ...model, pins: action.pins };
    case 'moderation':
      return moderated(model, action.entry, me);
    case 'muted':
      return mutedUntil(model, action.until);
    case 'erased':
      return erased(model, action.userId);
    case 'blocked':
      return model.blocked === action.userIds ? model : { ...model, blocked: action.userIds };
  }
}

/** True when seqs between `through` and the newest known one are missing. */
export function hasHole(model: RoomModel): boolean {
  return model.floor !== null && model.through < model.lastSeq;
}

function joined(model: RoomModel, result: RoomJoinResult, catchUp: boolean, me: string | null): RoomModel {
  let next: RoomModel = {
    ...model,
    room: result.room,
    // Joined again (a public room after a kick): in it once more.
    removed: null,
    lastSeq: Math.max(model.lastSeq, result.room.lastSeq),
    version: Math.max(model.version, result.version ?? 0),
    myReadSeq: Math.max(model.myReadSeq, result.room.membership?.readSeq ?? 0),
    presence: Object.fromEntries(result.presence.map((p) => [p.userId, p])),
    // (A server older than this SDK sends no receipts with the join: keep what is held.)
    reachedByAll: result.receipts ? { deliveredSeq: result.receipts.deliveredSeq, readSeq: result.receipts.readSeq } : model.reachedByAll,
  };
  if (!catchUp) {
    const oldest = result.messages.reduce((min, m) => Math.min(min, m.seq), Infinity);
    const floor = result.hasMore && Number.isFinite(oldest) ? oldest : 1;
    next = { ...next, floor: Math.min(model.floor ?? floor, floor), hasOlder: result.hasMore };
  }
  if (result.receipts?.members) next = withReceipts(next, result.receipts.members, true, me);
  return merge(next, result.messages, me);
}

/** Merges messages, keeping the newer copy of each (by version); none is held twice. */
function merge(model: RoomModel, incoming: readonly MessageDto[], me: string | null): RoomModel {
  let messages: Map<string, MessageDto> | null = null;
  let seqs: Set<number> | null = null;
  let unsent: Map<string, Unsent> | null = null;
  let { myReadSeq, lastSeq, version } = model;
  for (const message of incoming) {
    lastSeq = Math.max(lastSeq, message.seq);
    version = Math.max(version, message.version);
    // Your own messages are read by you (the server moved your watermark when it stored them).
    if (me !== null && message.senderId === me) {
      myReadSeq = Math.max(myReadSeq, message.seq);
      if (message.clientId && (unsent ?? model.unsent).has(message.clientId)) (unsent ??= new Map(model.unsent)).delete(message.clientId);
    }
    const current = (messages ?? model.messages).get(message.id);
    if (current && current.version >= message.version) continue;
    // A change to a message older than the history loaded: not held, so nothing to update.
    if (!current && model.floor !== null && message.seq < model.floor) continue;
    (messages ??= new Map(model.messages)).set(message.id, message);
    if (!current) (seqs ??= new Set(model.seqs)).add(message.seq);
  }
  if (!messages && !unsent && myReadSeq === model.myReadSeq && lastSeq === model.lastSeq && version === model.version) return model;
  return advance({
    ...model,
    messages: messages ?? model.messages,
    seqs: seqs ?? model.seqs,
    unsent: unsent ?? model.unsent,
    myReadSeq,
    lastSeq,
    version,
  });
}

/** Moves `through` up over the seqs held. */
function advance(model: RoomModel): RoomModel {
  if (model.floor === null) return model;
  let through = Math.max(model.through, model.floor - 1);
  while (model.seqs.has(through + 1)) through++;
  return through === model.through ? model : { ...model, through };
}

function withReceipts(model: RoomModel, items: readonly ReceiptDto[], replace: boolean, me: string | null): RoomModel {
  if (!items.length && !replace) return model;
  const receipts: Record<string, Receipt> = replace ? {} : { ...model.receipts };
  let { myReadSeq } = model;
  for (const { userId, deliveredSeq, readSeq } of items) {
    const current = receipts[userId] ?? { deliveredSeq: 0, readSeq: 0 };
    receipts[userId] = { deliveredSeq: Math.max(current.deliveredSeq, deliveredSeq), readSeq: Math.max(current.readSeq, readSeq) };
    if (userId === me) myReadSeq = Math.max(myReadSeq, readSeq);
  }
  return { ...model, receipts, myReadSeq };
}

/**
 * The public snapshot of a model. `previous` (the last snapshot and its model) lets the message
 * list be reused when neither messages, unsent ones nor receipts changed.
 */
export function viewRoom(model: RoomModel, me: string | null, roomId: string, previous?: { model: RoomModel; view: RoomState }): RoomState {
  const reuse =
    previous &&
    previous.model.messages === model.messages &&
    previous.model.unsent === model.unsent &&
    previous.model.reachedByAll === model.reachedByAll &&
    previous.model.blocked === model.blocked &&
    previous.model.room?.memberCount === model.room?.memberCount;
  const lastSeq = Math.max(model.lastSeq, model.room?.lastSeq ?? 0);
  const { room, hasOlder, watching, typing, receipts, reachedByAll, presence, pins, removed } = model;
  return {
    room,
    pins,
    removed,
    messages: reuse ? previous.view.messages : listMessages(model, me, roomId),
    hasOlder,
    watching,
    typing,
    receipts,
    reachedByAll,
    presence,
    unreadCount: Math.max(0, lastSeq - model.myReadSeq),
  };
}

/** Delivered/read for your own messages: every member got / read it (you always have). */
function ownStatus(seq: number, model: RoomModel): MessageStatus {
  if (model.room && model.room.memberCount <= 1) return 'sent';
  if (model.reachedByAll.readSeq >= seq) return 'read';
  if (model.reachedByAll.deliveredSeq >= seq) return 'delivered';
  return 'sent';
}

/** The message list: stored messages by seq (those of senders you blocked left out), then the unsent ones in the order written. */
export function listMessages(model: RoomModel, me: string | null, roomId: string): ChatMessage[] {
  const sent = [...model.messages.values()]
    .filter((m) => m.senderId === null || !model.blocked.has(m.senderId))
    .sort((a, b) => a.seq - b.seq)
    .map((m): ChatMessage => ({ ...m, status: me !== null && m.senderId === me ? ownStatus(m.seq, model) : 'sent' }));
  // A send whose stored copy came back (catch-up, a page) before its ack is listed once: as stored.
  const storedIds = new Set(sent.filter((m) => m.senderId === me && m.clientId).map((m) => m.clientId));
  const waiting = [...model.unsent.values()]
    .filter((u) => !storedIds.has(u.clientId))
    .map((u): ChatMessage => ({
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
    }));
  return [...sent, ...waiting];
}
