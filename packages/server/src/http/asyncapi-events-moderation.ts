import type { RoomPinsEvent, UserErasedEvent } from '@confab/protocol';

import type { ClientEventDoc, JsonSchema, ServerEventDoc } from './asyncapi-events.js';
import { EXAMPLE_IDS, SCHEMA_EXAMPLES } from './openapi-examples.js';

// The moderation events of the AsyncAPI document (asyncapi-events.ts spreads them into its maps).

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str: JsonSchema = { type: 'string' };
const ok = { type: 'object', properties: { ok: { type: 'boolean', const: true } }, required: ['ok'] };
const ROOM_ID = EXAMPLE_IDS.room;
const USER_ID = EXAMPLE_IDS.ana;
const MESSAGE_ID = EXAMPLE_IDS.message;
const member = SCHEMA_EXAMPLES.MemberPage.items[0]!;
const entry = SCHEMA_EXAMPLES.ModerationEntry;
const pin = SCHEMA_EXAMPLES.Pin;
const report = SCHEMA_EXAMPLES.MessageReport;
const MODERATORS = "Owners, moderators, the app's admins and (in public rooms) agents; anyone else is `forbidden`.";

type ModerationClientEvent =
  | 'member:role'
  | 'moderation:mute'
  | 'moderation:unmute'
  | 'moderation:kick'
  | 'moderation:ban'
  | 'moderation:unban'
  | 'room:slow-mode'
  | 'message:pin'
  | 'message:unpin'
  | 'message:report';
type ModerationServerEvent = 'room:moderation' | 'room:pins' | 'moderation:report' | 'user:erased';

export const MODERATION_SOCKET_SCHEMAS: Record<string, JsonSchema> = {
  RoomPins: {
    type: 'object',
    properties: { roomId: str, pins: { type: 'array', items: ref('Pin') } } satisfies Record<keyof RoomPinsEvent, JsonSchema>,
    required: ['roomId', 'pins'],
  },
  UserErased: {
    type: 'object',
    properties: { userId: str, roomId: str } satisfies Record<keyof UserErasedEvent, JsonSchema>,
    required: ['userId', 'roomId'],
  },
};

export const MODERATION_CLIENT_EVENTS: { [E in ModerationClientEvent]: ClientEventDoc<E> } = {
  'member:role': {
    summary: 'Make a member of a group or public room a moderator, or a member again',
    description: "The room's owners and the app's admins only.",
    ack: { type: 'object', properties: { member: ref('Member') }, required: ['member'] },
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID, role: 'moderator' },
    ackExample: { member: { ...member, role: 'moderator' } },
  },
  'moderation:mute': {
    summary: 'Mute a member for a while: they read, and their sends are `forbidden` with the end in `details.mutedUntil`',
    description: MODERATORS,
    ack: { type: 'object', properties: { member: ref('Member') }, required: ['member'] },
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID, durationSeconds: 3600, reason: 'Flooding' },
    ackExample: { member: { ...member, mutedUntil: entry.details.until! } },
  },
  'moderation:unmute': {
    summary: 'End a mute early',
    description: MODERATORS,
    ack: { type: 'object', properties: { member: ref('Member') }, required: ['member'] },
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID },
    ackExample: { member },
  },
  'moderation:kick': {
    summary: 'Remove a member (they may join a public room again)',
    description: MODERATORS,
    ack: ok,
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID, reason: 'Off topic' },
    ackExample: { ok: true },
  },
  'moderation:ban': {
    summary: 'Remove a member and keep them out, for `durationSeconds` or until unbanned',
    description: `${MODERATORS} Their sockets stop hearing the room at once.`,
    ack: { type: 'object', properties: { ban: ref('RoomBan') }, required: ['ban'] },
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID, reason: 'Spam' },
    ackExample: { ban: SCHEMA_EXAMPLES.RoomBan },
  },
  'moderation:unban': {
    summary: 'Lift a room ban',
    description: MODERATORS,
    ack: ok,
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, userId: USER_ID },
    ackExample: { ok: true },
  },
  'room:slow-mode': {
    summary: 'Set slow mode: one message per `seconds` per member (0: off); moderators are exempt',
    description: MODERATORS,
    ack: { type: 'object', properties: { room: ref('Room') }, required: ['room'] },
    errors: ['not_found', 'forbidden'],
    example: { roomId: ROOM_ID, seconds: 30 },
    ackExample: { room: { ...SCHEMA_EXAMPLES.Room, slowModeSeconds: 30 } },
  },
  'message:pin': {
    summary: "Pin a message to its room's pinned list",
    description: MODERATORS,
    ack: { type: 'object', properties: { pin: ref('Pin') }, required: ['pin'] },
    errors: ['not_found', 'forbidden', 'conflict'],
    example: { messageId: MESSAGE_ID },
    ackExample: { pin },
  },
  'message:unpin': {
    summary: 'Take a message off the pinned list',
    description: MODERATORS,
    ack: ok,
    errors: ['not_found', 'forbidden'],
    example: { messageId: MESSAGE_ID },
    ackExample: { ok: true },
  },
  'message:report': {
    summary: "Report a message to the room's moderators and the app's admins",
    description: 'Any member who can read the message; reporting it again replaces your reason.',
    ack: { type: 'object', properties: { report: ref('MessageReport') }, required: ['report'] },
    errors: ['not_found', 'forbidden'],
    example: { messageId: MESSAGE_ID, reason: 'spam', comment: 'Third time today' },
    ackExample: { report },
  },
};

export const MODERATION_SERVER_EVENTS: { [E in ModerationServerEvent]: ServerEventDoc<E> } = {
  'room:moderation': {
    summary: 'A moderation action in the room (a mute, kick, ban, role, slow mode, removal or pin)',
    description:
      'The same line the audit log gains. A person muted, kicked or banned hears it too, even once out of the room; ' +
      'an app-wide ban closes their sockets instead.',
    to: 'Sockets watching the room, and every socket of the person it targets',
    payload: ref('ModerationEntry'),
    example: entry,
  },
  'room:pins': {
    summary: "The room's pinned messages changed: the list now, newest pin first",
    to: 'Sockets watching the room',
    payload: ref('RoomPins'),
    example: { roomId: ROOM_ID, pins: [pin] },
  },
  'moderation:report': {
    summary: 'A message was reported',
    to: "The room's owners and moderators, and the app's admins and agents",
    payload: ref('MessageReport'),
    example: report,
  },
  'user:erased': {
    summary: 'Someone in the room had their data erased: drop their texts and profile',
    description: 'Their messages are tombstones from now on and their profile is anonymised.',
    to: 'Sockets watching the room',
    payload: ref('UserErased'),
    example: { userId: USER_ID, roomId: ROOM_ID },
  },
};
