import type {
  AckDataOf,
  ClientToServerEvents,
  ErrorCode,
  EventInputOf,
  PresenceEvent,
  RoomJoinResult,
  RoomReadEvent,
  RoomReceiptsEvent,
  RoomSyncEvent,
  ServerToClientEvents,
  TypingEvent,
} from '@confab/protocol';

import { MODERATION_CLIENT_EVENTS, MODERATION_SERVER_EVENTS, MODERATION_SOCKET_SCHEMAS } from './asyncapi-events-moderation.js';
import { EXAMPLE_IDS, SCHEMA_EXAMPLES } from './openapi-examples.js';

// What the AsyncAPI document (and /docs/realtime) says about each socket event, keyed by the event maps'
// names so an event missing here, or one the maps do not have, fails to compile. Shapes are not
// repeated: payloads come from the joi schemas the handlers validate with, DTOs from openapi-components.

export type JsonSchema = Record<string, unknown>;

type PayloadOf<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

export interface ClientEventDoc<E extends keyof ClientToServerEvents> {
  summary: string;
  description?: string;
  /** JSON Schema of the ack's `data`. */
  ack: JsonSchema;
  /** Codes this event's ack may carry besides those every event may (ACK_ERRORS). */
  errors: readonly ErrorCode[];
  example: EventInputOf<E>;
  ackExample: AckDataOf<E>;
}

export interface ServerEventDoc<E extends keyof ServerToClientEvents> {
  summary: string;
  description?: string;
  /** Which sockets hear it. */
  to: string;
  payload: JsonSchema;
  example: PayloadOf<E>;
}

/** Codes any client event may be answered with (see realtime/bind.ts). */
export const ACK_ERRORS: readonly ErrorCode[] = ['validation_failed', 'rate_limited', 'unavailable', 'internal'];

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer', minimum: 0 };
const obj = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties, required: Object.keys(properties) });

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** An object schema with exactly T's fields (the compiler checks the names), required unless listed as optional. */
function shape<T>(properties: { [K in keyof T]-?: JsonSchema }, optional: readonly OptionalKeys<T>[] = []): JsonSchema {
  const skip = new Set<string>(optional.map(String));
  return { type: 'object', properties, required: Object.keys(properties).filter((key) => !skip.has(key)) };
}

/** Socket-only shapes (the DTOs they carry are openapi-components' schemas). */
export const SOCKET_SCHEMAS: Record<string, JsonSchema> = {
  Presence: shape<PresenceEvent>({
    userId: str,
    online: { type: 'boolean' },
    lastSeenAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  Typing: shape<TypingEvent>({ userId: str, roomId: str, typing: { type: 'boolean' } }),
  RoomRead: shape<RoomReadEvent>({ roomId: str, userId: str, seq: int }),
  RoomReceipts: shape<RoomReceiptsEvent>(
    {
      roomId: str,
      deliveredSeq: { ...int, description: 'The lowest delivered watermark over the members' },
      readSeq: { ...int, description: 'The lowest read watermark over the members' },
      members: { type: 'array', items: ref('Receipt'), description: 'Members whose watermarks moved (small rooms only)' },
    },
    ['members'],
  ),
  RoomSync: shape<RoomSyncEvent>({ roomId: str, lastSeq: int, version: int }),
  RoomJoinResult: shape<RoomJoinResult>({
    room: ref('Room'),
    messages: { type: 'array', items: ref('Message') },
    hasMore: {
      type: 'boolean',
      description: 'Without `since`: older messages exist. With `since`: more new ones wait (page with `after`)',
    },
    presence: { type: 'array', items: ref('Presence') },
    version: { ...int, description: "The room's change counter this answer reflects" },
    receipts: ref('RoomReceipts'),
  }),
  ...MODERATION_SOCKET_SCHEMAS,
};

// The samples of the REST reference, so both documents show the same room, message and people.
const ROOM_ID = EXAMPLE_IDS.room;
const USER_ID = EXAMPLE_IDS.ana;
const MESSAGE_ID = EXAMPLE_IDS.message;
const TIME = '2025-03-14T09:35:12.000Z';
const message = SCHEMA_EXAMPLES.Message;
const room = SCHEMA_EXAMPLES.Room;
const conversation = SCHEMA_EXAMPLES.Conversation;
const reactionUpdate = SCHEMA_EXAMPLES.ReactionUpdate;
const receipts: RoomReceiptsEvent = { roomId: ROOM_ID, deliveredSeq: message.seq, readSeq: message.seq - 2 };

export const CLIENT_EVENTS: { [E in keyof ClientToServerEvents]: ClientEventDoc<E> } = {
  'room:join': {
    summary: 'Watch a room: its live events start, and the answer brings the messages you miss',
    description:
      'Send it after every (re)connect for each room you show. Without `since`: the latest page. With `since` (the last seq you ' +
      'hold without a gap): every message after it plus those changed since, so your state equals a fresh fetch; ' +
      '`hasMore` then means more new messages wait (page on with `GET /v1/rooms/{id}/messages?after=`). ' +
      'Marks what it returns as delivered.',
    ack: ref('RoomJoinResult'),
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, since: 41 },
    ackExample: {
      room,
      messages: [message],
      hasMore: false,
      presence: [{ userId: USER_ID, online: true, lastSeenAt: null }],
      version: 97,
      receipts,
    },
  },
  'room:leave': {
    summary: "Stop watching a room (you stay a member; leave it over REST's members route)",
    ack: obj({ roomId: str }),
    errors: [],
    example: { roomId: ROOM_ID },
    ackExample: { roomId: ROOM_ID },
  },
  'message:send': {
    summary: 'Send a message; idempotent by `clientId`',
    description:
      'A retry with the same `clientId` (per sender) answers with the stored message instead of sending twice, ' +
      'and announces it again to the room. It needs text or at least one attachment (ids from `POST /v1/uploads`).',
    ack: obj({ message: ref('Message') }),
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { roomId: ROOM_ID, clientId: 'c-2f8e6d1a', text: 'Hello!' },
    ackExample: { message },
  },
  'message:edit': {
    summary: 'Edit the text of your own message',
    ack: obj({ message: ref('Message') }),
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { messageId: MESSAGE_ID, text: 'Hello again!' },
    ackExample: { message: { ...message, text: 'Hello again!', version: 98, editedAt: TIME } },
  },
  'message:delete': {
    summary: 'Delete a message (yours; staff may delete anyone’s): it stays as a tombstone keeping its seq',
    ack: obj({ message: ref('Message') }),
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { messageId: MESSAGE_ID },
    ackExample: { message: { ...message, text: '', version: 98, deletedAt: TIME } },
  },
  'reaction:add': {
    summary: 'React to a message with one emoji',
    ack: ref('ReactionUpdate'),
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { messageId: MESSAGE_ID, emoji: '👍' },
    ackExample: reactionUpdate,
  },
  'reaction:remove': {
    summary: 'Take your reaction back',
    ack: ref('ReactionUpdate'),
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { messageId: MESSAGE_ID, emoji: '👍' },
    ackExample: { ...reactionUpdate, reactions: [] },
  },
  typing: {
    summary: 'Say you are typing (or stopped) in a room you watch',
    ack: obj({ ok: { type: 'boolean', const: true } }),
    errors: ['forbidden'],
    example: { roomId: ROOM_ID, typing: true },
    ackExample: { ok: true },
  },
  'room:read': {
    summary: 'Move your read watermark to `seq`',
    ack: ref('RoomRead'),
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, seq: 42 },
    ackExample: { roomId: ROOM_ID, userId: USER_ID, seq: 42 },
  },
  'room:delivered': {
    summary: 'You received messages up to `seq` (moves the delivered watermark of a room you watch)',
    ack: ref('RoomRead'),
    errors: ['forbidden'],
    example: { roomId: ROOM_ID, seq: 42 },
    ackExample: { roomId: ROOM_ID, userId: USER_ID, seq: 42 },
  },
  'auth:refresh': {
    summary: 'Hand the socket a fresh access token of the same user before the current one expires',
    description: 'Without it the server sends `auth:expired` and disconnects when the token the socket was opened with expires.',
    ack: obj({ expiresAt: { type: 'string', format: 'date-time' } }),
    errors: ['unauthorized', 'token_expired', 'forbidden'],
    example: { token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' },
    ackExample: { expiresAt: '2025-05-01T10:15:00.000Z' },
  },
  ...MODERATION_CLIENT_EVENTS,
};

const MESSAGE_EVENT = 'Sockets watching the room (`room:join`)';

export const SERVER_EVENTS: { [E in keyof ServerToClientEvents]: ServerEventDoc<E> } = {
  'message:created': {
    summary: 'A message was sent (over REST or a socket)',
    description: 'Seqs are gap-free per room: a jump means you missed one, so fetch `?after=` the last seq you hold.',
    to: MESSAGE_EVENT,
    payload: ref('Message'),
    example: message,
  },
  'message:updated': {
    summary: 'A message was edited; the copy with the higher `version` wins',
    to: MESSAGE_EVENT,
    payload: ref('Message'),
    example: { ...message, text: 'Hello again!', version: 98, editedAt: TIME },
  },
  'message:deleted': {
    summary: 'A message was deleted (a tombstone: empty text, `deletedAt` set, same seq)',
    to: MESSAGE_EVENT,
    payload: ref('Message'),
    example: { ...message, text: '', version: 98, deletedAt: TIME },
  },
  'reaction:updated': {
    summary: "A message's reactions changed",
    to: MESSAGE_EVENT,
    payload: ref('ReactionUpdate'),
    example: reactionUpdate,
  },
  typing: {
    summary: 'Someone else in the room started or stopped typing',
    to: 'Other sockets watching the room',
    payload: ref('Typing'),
    example: { roomId: ROOM_ID, userId: USER_ID, typing: true },
  },
  presence: {
    summary: 'A user you share a room with came online or went offline',
    to: 'Members of the rooms the user is in (rooms of up to 100 members)',
    payload: ref('Presence'),
    example: { userId: USER_ID, online: false, lastSeenAt: TIME },
  },
  'room:read': {
    summary: 'Your own read watermark moved (on another device or tab of yours)',
    to: 'Your other sockets',
    payload: ref('RoomRead'),
    example: { roomId: ROOM_ID, userId: USER_ID, seq: 42 },
  },
  'room:receipts': {
    summary: "Delivered and read watermarks of the room's members moved",
    description: 'Coalesced: at most one per room per 250 ms; per-member `members` only in rooms of up to 20 members.',
    to: MESSAGE_EVENT,
    payload: ref('RoomReceipts'),
    example: { ...receipts, members: [{ userId: USER_ID, deliveredSeq: 42, readSeq: 42 }] },
  },
  'room:sync': {
    summary: "The room's newest seq and version: catch up if you hold less",
    description: 'Sent when this node may have missed telling you about changes (after a Redis outage).',
    to: MESSAGE_EVENT,
    payload: ref('RoomSync'),
    example: { roomId: ROOM_ID, lastSeq: 42, version: 97 },
  },
  'room:created': {
    summary: 'You became a member of a room (created, or added to it)',
    to: 'The new members',
    payload: ref('Room'),
    example: room,
  },
  'room:updated': {
    summary: 'A room you are in or watch changed (name, members, support status)',
    to: 'Its members and watchers',
    payload: ref('Room'),
    example: { ...room, name: 'Garden club (spring)' },
  },
  'support:conversation': {
    summary: 'A support conversation started or changed (status, assignee, new message)',
    to: "The app's agents",
    payload: ref('Conversation'),
    example: conversation,
  },
  'support:availability': {
    summary: 'Agents went online, away or offline',
    to: 'Every socket of the app',
    payload: ref('SupportAvailability'),
    example: {
      available: true,
      withinBusinessHours: true,
      online: 1,
      away: 0,
      agents: [{ id: USER_ID, name: 'Carol', lastName: null, avatarUrl: null, status: 'online' }],
    },
  },
  'support:labels': {
    summary: "A label was created, renamed, recoloured or deleted: the app's labels now",
    description:
      'Conversations carry their labels by name and colour: apply the new list to the ones you hold (a deleted label ' +
      'is off every conversation). Putting a label on a conversation or taking it off is a `support:conversation`.',
    to: "The app's agents",
    payload: obj({ labels: { type: 'array', items: ref('Label') } }),
    example: { labels: SCHEMA_EXAMPLES.LabelPage.items },
  },
  'support:note': {
    summary: 'A private note was written on a support conversation, or deleted',
    description:
      'Add it to the conversation by `conversationId`, or, with `deletedAt` set, take it away (its text is empty). ' +
      'Notes never reach a visitor: not over the socket, in the history or anywhere else.',
    to: "The app's agents",
    payload: ref('Note'),
    example: SCHEMA_EXAMPLES.Note,
  },
  'support:mention': {
    summary: 'A new private note `@mentions` you',
    to: 'The mentioned agent (every socket of theirs)',
    payload: obj({ note: ref('Note'), conversation: ref('Conversation') }),
    example: { note: SCHEMA_EXAMPLES.Note, conversation },
  },
  'auth:expired': {
    summary: "The socket's access token expired: the server disconnects right after",
    description: 'Reconnect with a fresh token (refresh the session over REST), or send `auth:refresh` before it happens.',
    to: 'The socket',
    payload: ref('ErrorBody'),
    example: { code: 'token_expired', message: 'The access token expired; reconnect with a fresh one' },
  },
  'server:shutdown': {
    summary: 'This node is shutting down: it disconnects right after',
    description:
      'Reconnect within `reconnectInMs` (a random spread, so a crowd does not come back at once); ' +
      'a load balancer sends you to another node.',
    to: 'Every socket of the stopping node',
    payload: obj({ reconnectInMs: int }),
    example: { reconnectInMs: 640 },
  },
  ...MODERATION_SERVER_EVENTS,
};
