import {
  ASSIGNMENT_LIMITS,
  ASSIGNMENT_MODES,
  ERROR_STATUS,
  LABEL_COLOURS,
  LIMITS,
  type SchemaName,
  WEBHOOK_EVENTS,
} from '@confab/protocol';

import { MAIL_COMPONENTS } from './openapi-components-mail.js';
import { MODERATION_COMPONENTS } from './openapi-components-moderation.js';
import { int, nstr, ntime, nullableRef, obj, page, ref, str, time } from './openapi-parts.js';
import { STORAGE_COMPONENTS } from './openapi-storage.js';

// Response shapes of the API (the DTOs of @confab/protocol), for /v1/openapi.json.

const userSummary = {
  id: str,
  kind: { type: 'string', enum: ['member', 'guest'] },
  role: { type: 'string', enum: ['user', 'agent', 'admin'] },
  name: nstr,
  lastName: nstr,
  username: nstr,
  avatarUrl: nstr,
};

const room = {
  id: str,
  kind: { type: 'string', enum: ['direct', 'group', 'public', 'support'] },
  name: nstr,
  slug: nstr,
  createdBy: nstr,
  lastSeq: int,
  lastMessageAt: ntime,
  createdAt: time,
  memberCount: int,
  slowModeSeconds: { ...int, minimum: 0, maximum: LIMITS.slowModeSecondsMax },
  peer: nullableRef('UserSummary'),
  support: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['open', 'pending', 'resolved'] },
      assigneeId: nstr,
      visitor: { type: 'object', properties: { pageUrl: str, referrer: str, userAgent: str, locale: str, timezone: str } },
      resolvedAt: ntime,
    },
  },
  membership: nullableRef('Membership'),
};

const labelColour = { type: 'string', enum: [...LABEL_COLOURS] };
const label = { id: str, name: str, colour: labelColour, createdAt: time };
const note = {
  id: str,
  conversationId: str,
  author: nullableRef('UserSummary'),
  text: str,
  mentions: { type: 'array', items: str },
  clientId: str,
  createdAt: time,
  deletedAt: ntime,
};

const conversation = {
  ...room,
  visitor: { ...obj({ ...userSummary, email: nstr }), nullable: true },
  assignee: nullableRef('UserSummary'),
  lastMessage: nullableRef('Message'),
  labels: { type: 'array', items: obj({ id: str, name: str, colour: labelColour }) },
  rating: nullableRef('ConversationRating'),
};
const conversationRequired = ['id', 'kind', 'support', 'visitor', 'assignee', 'lastMessage', 'rating', 'labels'];
const availability = {
  available: { type: 'boolean' },
  withinBusinessHours: { type: 'boolean' },
  online: int,
  away: int,
  agents: {
    type: 'array',
    items: obj({ id: str, name: nstr, lastName: nstr, avatarUrl: nstr, status: { type: 'string', enum: ['online', 'away', 'offline'] } }),
  },
};
const businessHours = {
  type: 'object',
  nullable: true,
  properties: { timezone: str, days: { type: 'object', additionalProperties: { type: 'array', items: obj({ open: str, close: str }) } } },
};
const replyTime = { type: 'string', enum: ['minutes', 'hours', 'day'], nullable: true };
const assignment = {
  mode: { type: 'string', enum: [...ASSIGNMENT_MODES] },
  limit: { ...int, minimum: ASSIGNMENT_LIMITS.limitMin, maximum: ASSIGNMENT_LIMITS.limitMax },
  requeueAfterMinutes: { ...int, minimum: ASSIGNMENT_LIMITS.requeueMin, maximum: ASSIGNMENT_LIMITS.requeueMax, nullable: true },
};
const appSettings = {
  type: 'object',
  properties: {
    greeting: nstr,
    awayMessage: nstr,
    businessHours,
    messageRate: nstr,
    replyTime,
    assignment: { ...obj(assignment, ['mode']), nullable: true },
  },
};
const webhook = {
  id: str,
  url: str,
  events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
  active: { type: 'boolean' },
  createdAt: time,
};

const duration = obj({ medianSeconds: { ...int, nullable: true }, p90Seconds: { ...int, nullable: true }, count: int });
const figures = {
  opened: int,
  resolved: int,
  firstResponse: duration,
  resolution: duration,
  csat: obj({ average: { type: 'number', nullable: true }, count: int }),
};
const reportRow = {
  key: { ...str, description: '`YYYY-MM-DD`, an agent id or a label id' },
  name: str,
  colour: { ...labelColour, nullable: true },
  ...figures,
};

const membership = {
  roomId: str,
  userId: str,
  role: { type: 'string', enum: ['owner', 'moderator', 'member', 'agent'] },
  joinedAt: time,
  deliveredSeq: int,
  readSeq: int,
  muted: { type: 'boolean' },
  mutedUntil: ntime,
};

/** One component per named shape of the protocol (`ApiSchemas`), under the same name. */
export const COMPONENT_SCHEMAS: { [N in SchemaName]: Record<string, unknown> } = {
  Error: obj({
    error: obj(
      {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: str,
        details: { oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }] },
      },
      ['code', 'message'],
    ),
  }),
  UserSummary: obj(userSummary),
  User: obj(
    {
      ...userSummary,
      email: { ...nstr, description: 'Yourself, or anyone when you are staff' },
      externalId: nstr,
      metadata: { type: 'object' },
      createdAt: time,
      lastSeenAt: ntime,
    },
    ['id', 'kind', 'role', 'name', 'username', 'lastName', 'avatarUrl', 'createdAt', 'lastSeenAt'],
  ),
  UserPage: page('User'),
  AuthSession: obj({ user: ref('User'), accessToken: str, refreshToken: str, expiresAt: time, refreshExpiresAt: time }),
  Membership: obj(membership),
  Member: obj({ ...membership, user: ref('UserSummary') }),
  MemberPage: page('Member'),
  Room: obj(room, ['id', 'kind', 'name', 'slug', 'createdBy', 'lastSeq', 'lastMessageAt', 'createdAt', 'memberCount']),
  RoomListItem: obj({ ...room, lastMessage: nullableRef('Message'), unreadCount: int }, [
    'id',
    'kind',
    'lastSeq',
    'lastMessage',
    'unreadCount',
  ]),
  RoomListPage: page('RoomListItem'),
  Reaction: obj({ emoji: str, count: int, userIds: { type: 'array', items: str } }),
  Attachment: obj({
    id: str,
    name: str,
    type: str,
    size: int,
    width: { ...int, nullable: true },
    height: { ...int, nullable: true },
    url: str,
    thumbnail: { ...obj({ width: int, height: int }), nullable: true, description: 'Images: `GET /v1/uploads/:id/thumbnail`' },
  }),
  UploadLinks: obj({
    items: {
      type: 'array',
      items: obj({
        id: str,
        url: { ...str, description: '`/v1/uploads/:id?exp=&sig=`, relative to the server' },
        thumbnailUrl: { ...str, nullable: true, description: 'The same for the image thumbnail; null for other files' },
        expiresAt: time,
        expiresIn: { ...int, description: 'Seconds from the reply until the link expires' },
      }),
    },
  }),
  Message: obj(
    {
      id: str,
      roomId: str,
      seq: int,
      version: int,
      clientId: nstr,
      senderId: { ...nstr, description: 'Null for automatic messages (the away reply)' },
      sender: nullableRef('UserSummary'),
      type: { type: 'string', enum: ['text', 'system'] },
      system: {
        type: 'object',
        description: 'What a system message announces',
        properties: {
          event: { type: 'string', enum: ['assigned', 'unassigned', 'resolved', 'reopened', 'pending', 'away'] },
          actorId: nstr,
          agentId: nstr,
        },
      },
      text: str,
      replyToId: nstr,
      attachments: { type: 'array', items: ref('Attachment') },
      reactions: { type: 'array', items: ref('Reaction') },
      createdAt: time,
      editedAt: ntime,
      deletedAt: ntime,
    },
    [
      'id',
      'roomId',
      'seq',
      'version',
      'clientId',
      'senderId',
      'sender',
      'type',
      'text',
      'replyToId',
      'attachments',
      'reactions',
      'createdAt',
      'editedAt',
      'deletedAt',
    ],
  ),
  MessagePage: page('Message'),
  ReactionUpdate: obj({ roomId: str, messageId: str, version: int, reactions: { type: 'array', items: ref('Reaction') } }),
  ReadState: obj({ roomId: str, userId: str, seq: int, deliveredSeq: int }),
  Receipt: obj({ userId: str, deliveredSeq: int, readSeq: int }),
  ReceiptPage: page('Receipt'),
  App: obj({ id: str, name: str, allowedOrigins: { type: 'array', items: str }, settings: appSettings, createdAt: time }),
  AppWithSecret: obj({
    id: str,
    name: str,
    secret: str,
    allowedOrigins: { type: 'array', items: str },
    settings: appSettings,
    createdAt: time,
  }),
  Conversation: obj(conversation, conversationRequired),
  StartedConversation: obj({ ...conversation, message: nullableRef('Message') }, [...conversationRequired, 'message']),
  ConversationRating: obj({
    conversationId: str,
    score: { ...int, minimum: 1, maximum: 5 },
    comment: nstr,
    resolvedAt: time,
    createdAt: time,
    updatedAt: time,
  }),
  InboxItem: obj({ ...conversation, unreadCount: int }, [...conversationRequired, 'unreadCount']),
  InboxPage: page('InboxItem'),
  SearchResult: obj({
    conversation: ref('InboxItem'),
    message: nullableRef('Message'),
    before: { type: 'array', items: ref('Message') },
    after: { type: 'array', items: ref('Message') },
  }),
  SearchPage: page('SearchResult'),
  SupportAvailability: obj(availability),
  Assignment: obj(assignment),
  SupportSettings: obj({ ...availability, greeting: nstr, awayMessage: nstr, businessHours, replyTime }),
  CannedResponse: obj({ id: str, shortcut: str, text: str, createdBy: nstr, createdAt: time, updatedAt: time }),
  CannedResponsePage: page('CannedResponse'),
  Label: obj(label),
  LabelPage: page('Label'),
  SupportReport: obj({
    from: time,
    to: time,
    timezone: str,
    groupBy: { type: 'string', enum: ['day', 'agent', 'label'] },
    rows: { type: 'array', items: obj(reportRow) },
    totals: obj(figures),
  }),
  Note: obj(note),
  NotePage: page('Note'),
  TranscriptQueued: obj({ queued: { type: 'boolean', enum: [true] }, to: str }),
  ...MAIL_COMPONENTS,
  ...MODERATION_COMPONENTS,
  ...STORAGE_COMPONENTS,
  Webhook: obj(webhook),
  WebhookWithSecret: obj({ ...webhook, secret: str }),
  WebhookPage: page('Webhook'),
  WebhookDelivery: obj({
    id: str,
    webhookId: str,
    eventId: nstr,
    event: str,
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: int,
    nextAttemptAt: ntime,
    lastStatusCode: { ...int, nullable: true },
    lastError: nstr,
    createdAt: time,
    deliveredAt: ntime,
  }),
  WebhookDeliveryPage: page('WebhookDelivery'),
  AppPage: page('App'),
  Health: obj(
    {
      status: { type: 'string', enum: ['ok', 'draining', 'unavailable'] },
      checks: { type: 'object', additionalProperties: obj({ ok: { type: 'boolean' }, ms: int, error: str }, ['ok', 'ms']) },
    },
    ['status'],
  ),
};
