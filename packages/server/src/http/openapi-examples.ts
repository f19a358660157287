import type {
  ApiSchemas,
  AssignmentDto,
  ErrorBody,
  ErrorCode,
  MembershipDto,
  MessageDto,
  PageDto,
  RoomDto,
  RouteBody,
  RouteKey,
  SchemaName,
  SupportConversationDto,
  SupportDetailsDto,
  SupportVisitorDto,
  UserDto,
  UserSummaryDto,
  WebhookDeliveryDto,
  WebhookDto,
} from '@confab/protocol';

import { inboundResult, inboundSecret, mail, mailSettings, mailSettingsInput } from './openapi-examples-mail.js';
import { moderationExamples } from './openapi-examples-moderation.js';
import { supportDeskExamples } from './openapi-examples-support.js';
import { storageExamples } from './openapi-storage.js';

// One realistic example per named shape, composed from each other, typed by the protocol (so an
// example that drifts from its DTO does not compile); the OpenAPI document shows them.

const ids = {
  ana: '3f6c1d2e-8a4b-4c7e-9f10-2b3c4d5e6f70',
  bob: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  visitor: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
  room: '9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e',
  conversation: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  message: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  attachment: 'e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a8b',
  canned: 'f1e2d3c4-b5a6-4978-8a1b-2c3d4e5f6a7b',
  label: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
  note: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
  webhook: 'b7a6c5d4-e3f2-4a1b-9c8d-7e6f5a4b3c2d',
  delivery: 'd9c8b7a6-f5e4-4d3c-8b2a-1f0e9d8c7b6a',
  event: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
  app: 'h3kq9tzm4xwp',
};
export const EXAMPLE_IDS: Readonly<typeof ids> = ids;

const created = '2025-03-14T09:26:53.000Z';
const later = '2025-03-14T09:31:07.000Z';
const cursor = 'WyIyMDI1LTAzLTE0VDA5OjMxOjA3LjAwMFoiLCI5YjBjMWQyZSJd';
const page = <T>(item: T): PageDto<T> => ({ items: [item], hasMore: true, nextCursor: cursor });

const ana: UserSummaryDto = { id: ids.ana, kind: 'member', role: 'user', name: 'Ana', lastName: 'Silva', username: 'ana', avatarUrl: null };
const bob: UserSummaryDto = {
  id: ids.bob,
  kind: 'member',
  role: 'agent',
  name: 'Bob',
  lastName: 'Okafor',
  username: 'bob',
  avatarUrl: null,
};
const visitor: SupportVisitorDto = {
  id: ids.visitor,
  kind: 'guest',
  role: 'user',
  name: 'Sam',
  lastName: 'Rivera',
  username: null,
  avatarUrl: null,
  email: 'sam@example.org',
};
const user: UserDto = {
  ...ana,
  avatarUrl: 'https://example.com/avatars/ana.png',
  email: 'ana@example.com',
  externalId: 'crm-1042',
  metadata: { plan: 'pro' },
  createdAt: created,
  lastSeenAt: later,
};
const storage = storageExamples({ attachmentId: ids.attachment, userId: ana.id });
const reaction = { emoji: '👍', count: 2, userIds: [ids.ana, ids.bob] };
const message: MessageDto = {
  id: ids.message,
  roomId: ids.room,
  seq: 42,
  version: 57,
  clientId: '6f1d0c2a-3b4e-4f5a-9b6c-7d8e9f0a1b2c',
  senderId: ids.ana,
  sender: ana,
  type: 'text',
  text: 'Here is the floor plan for Thursday.',
  replyToId: null,
  attachments: [storage.attachment],
  reactions: [reaction],
  createdAt: later,
  editedAt: null,
  deletedAt: null,
};
const membership: MembershipDto = {
  roomId: ids.room,
  userId: ids.ana,
  role: 'owner',
  joinedAt: created,
  deliveredSeq: 42,
  readSeq: 40,
  muted: false,
  mutedUntil: null,
};
const room: RoomDto = {
  id: ids.room,
  kind: 'group',
  name: 'Office move',
  slug: 'office-move',
  createdBy: ids.ana,
  lastSeq: 42,
  lastMessageAt: later,
  createdAt: created,
  memberCount: 3,
  slowModeSeconds: 0,
  membership,
};
const support: SupportDetailsDto = {
  status: 'open',
  assigneeId: ids.bob,
  visitor: {
    pageUrl: 'https://example.com/pricing',
    referrer: 'https://www.google.com/',
    userAgent: 'Mozilla/5.0',
    locale: 'pt-PT',
    timezone: 'Europe/Lisbon',
  },
  resolvedAt: null,
};
const conversationMessage: MessageDto = {
  ...message,
  id: ids.event,
  roomId: ids.conversation,
  seq: 1,
  version: 1,
  senderId: ids.visitor,
  sender: visitor,
  text: 'Hi! Do you ship to Portugal?',
  attachments: [],
  reactions: [],
};
const conversation: SupportConversationDto = {
  id: ids.conversation,
  kind: 'support',
  name: null,
  slug: null,
  createdBy: ids.visitor,
  lastSeq: 1,
  lastMessageAt: later,
  createdAt: later,
  memberCount: 2,
  slowModeSeconds: 0,
  support,
  visitor,
  assignee: bob,
  lastMessage: conversationMessage,
  rating: null,
  labels: [{ id: ids.label, name: 'Shipping', colour: 'blue' }],
};
const businessHours = {
  timezone: 'Europe/Lisbon',
  days: { mon: [{ open: '09:00', close: '18:00' }], fri: [{ open: '09:00', close: '13:00' }] },
};
const assignment: AssignmentDto = { mode: 'least_busy', limit: 8, requeueAfterMinutes: 10 };
const settings = {
  greeting: 'Hi! How can we help?',
  awayMessage: 'We are away; we will answer by email.',
  businessHours,
  messageRate: null,
  replyTime: 'minutes' as const,
  assignment,
};
const app = { id: ids.app, name: 'Acme shop', allowedOrigins: ['https://shop.example.com'], settings, createdAt: created };
const webhook: WebhookDto = {
  id: ids.webhook,
  url: 'https://hooks.example.com/confab',
  events: ['message.created', 'conversation.created'],
  active: true,
  createdAt: created,
};
const delivery: WebhookDeliveryDto = {
  id: ids.delivery,
  webhookId: ids.webhook,
  eventId: ids.event,
  event: 'message.created',
  status: 'failed',
  attempts: 8,
  nextAttemptAt: null,
  lastStatusCode: 502,
  lastError: 'Bad Gateway',
  createdAt: created,
  deliveredAt: null,
};
const receipt = { userId: ids.bob, deliveredSeq: 42, readSeq: 41 };

const { rating, availability, label, note, report, canned } = supportDeskExamples({ ids, agent: bob, created, later });
const moderation = moderationExamples({ moderator: bob, member: ana, message, page });

/** A typical answer of each error code. */
export const ERROR_EXAMPLES: { [C in ErrorCode]: ErrorBody } = {
  bad_request: { code: 'bad_request', message: 'Name the app with the X-Confab-App header' },
  unauthorized: { code: 'unauthorized', message: 'Authentication required' },
  token_expired: { code: 'token_expired', message: 'The access token has expired' },
  forbidden: { code: 'forbidden', message: 'You are not a member of this room' },
  origin_not_allowed: { code: 'origin_not_allowed', message: 'Origin https://elsewhere.example is not allowed for this app' },
  not_found: { code: 'not_found', message: 'Room not found' },
  conflict: { code: 'conflict', message: 'That slug is already used by another room' },
  payload_too_large: { code: 'payload_too_large', message: 'The body is larger than 65536 bytes' },
  unsupported_media_type: { code: 'unsupported_media_type', message: 'Send the body as application/json' },
  range_not_satisfiable: { code: 'range_not_satisfiable', message: 'The file has 1234 bytes: no byte 5000 to send' },
  validation_failed: {
    code: 'validation_failed',
    message: 'name is not allowed to be empty',
    details: [{ path: 'body.name', message: 'name is not allowed to be empty' }],
  },
  rate_limited: { code: 'rate_limited', message: 'Too many requests, slow down', details: { retryAfterMs: 1200 } },
  internal: { code: 'internal', message: 'Something went wrong on our side' },
  unavailable: { code: 'unavailable', message: 'The service is temporarily unavailable, try again shortly' },
};

/** The example of each component schema. */
export const SCHEMA_EXAMPLES: { [N in SchemaName]: ApiSchemas[N] } = {
  Error: { error: ERROR_EXAMPLES.not_found },
  UserSummary: ana,
  User: user,
  UserPage: page(user),
  AuthSession: {
    user,
    accessToken:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjZjMWQyZSIsImFwcCI6ImgzazkifQ.q8mFh1v3o0b6Wc2rJ4kTn5xYz7A9sD1fG3hJ5kL7mN0',
    refreshToken: 'rt_Xk2vP9qL4mN7bR1tY6wZ3cF8hJ0dS5gA2eU9iO4pQ7',
    expiresAt: '2025-03-14T09:41:07.000Z',
    refreshExpiresAt: '2025-04-13T09:26:07.000Z',
  },
  Membership: membership,
  Member: { ...membership, user: ana },
  MemberPage: { items: [{ ...membership, user: ana }], hasMore: false },
  Room: room,
  RoomListItem: { ...room, lastMessage: message, unreadCount: 2 },
  RoomListPage: page({ ...room, lastMessage: message, unreadCount: 2 }),
  Reaction: reaction,
  Message: message,
  MessagePage: { items: [message], hasMore: true },
  ReactionUpdate: { roomId: ids.room, messageId: ids.message, version: 58, reactions: [reaction] },
  ReadState: { roomId: ids.room, userId: ids.ana, seq: 42, deliveredSeq: 42 },
  Receipt: receipt,
  ReceiptPage: page(receipt),
  App: app,
  AppWithSecret: { ...app, secret: 'cs_9fQ2xL7vK4mB1nR8tY3wZ6cH0jD5gS2aE7uI4oP9q' },
  AppPage: { items: [app], hasMore: false },
  Conversation: conversation,
  StartedConversation: { ...conversation, message: conversationMessage },
  ConversationRating: rating,
  InboxItem: { ...conversation, unreadCount: 1 },
  InboxPage: page({ ...conversation, unreadCount: 1 }),
  SearchResult: { conversation: { ...conversation, unreadCount: 1 }, message: conversationMessage, before: [], after: [] },
  SearchPage: page({ conversation: { ...conversation, unreadCount: 1 }, message: conversationMessage, before: [], after: [] }),
  SupportAvailability: availability,
  Assignment: assignment,
  SupportSettings: {
    ...availability,
    greeting: settings.greeting,
    awayMessage: settings.awayMessage,
    businessHours,
    replyTime: settings.replyTime,
  },
  CannedResponse: canned,
  CannedResponsePage: { items: [canned], hasMore: false },
  Label: label,
  LabelPage: { items: [label], hasMore: false },
  SupportReport: report,
  Note: note,
  NotePage: page(note),
  TranscriptQueued: { queued: true, to: 'vera@example.com' },
  Mail: mail,
  MailPage: page(mail),
  MailSettings: mailSettings,
  ...moderation.schemas,
  ...storage.schemas,
  InboundSecret: inboundSecret,
  InboundMailResult: inboundResult,
  Webhook: webhook,
  WebhookWithSecret: { ...webhook, secret: 'whsec_3hT8kQ1mV6pZ9xB2nL5rC7wF0yD4gJ8s' },
  WebhookPage: { items: [webhook], hasMore: false },
  WebhookDelivery: delivery,
  WebhookDeliveryPage: page(delivery),
  Health: { status: 'ok', checks: { database: { ok: true, ms: 2 }, redis: { ok: true, ms: 1 } } },
};

/** Operations with a JSON body. */
type NotJson = undefined | { kind: 'multipart' } | { kind: 'raw' };
export type JsonBodyKey = { [K in RouteKey]: RouteBody<K> extends NotJson ? never : K }[RouteKey];

/** The example request body of every operation that takes JSON (each must pass the route's schema). */
export const BODY_EXAMPLES: { [K in JsonBodyKey]: RouteBody<K> } = {
  'POST /v1/auth/register': { username: 'ana', password: 'Tangerine-Harbour-71', name: 'Ana', lastName: 'Silva', email: 'ana@example.com' },
  'POST /v1/auth/login': { username: 'ana', password: 'Tangerine-Harbour-71' },
  'POST /v1/auth/guest': { name: 'Sam', email: 'sam@example.org', metadata: { plan: 'trial' } },
  'POST /v1/auth/exchange': { token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjcm0tMTA0MiIsIm5hbWUiOiJBbmEifQ.Zm9v' },
  'POST /v1/auth/refresh': { refreshToken: 'rt_Xk2vP9qL4mN7bR1tY6wZ3cF8hJ0dS5gA2eU9iO4pQ7' },
  'POST /v1/auth/logout': { refreshToken: 'rt_Xk2vP9qL4mN7bR1tY6wZ3cF8hJ0dS5gA2eU9iO4pQ7' },
  'PATCH /v1/me': { name: 'Ana', lastName: 'Silva', avatarUrl: 'https://example.com/avatars/ana.png' },
  'POST /v1/rooms': { kind: 'group', name: 'Office move', slug: 'office-move', memberIds: [ids.bob] },
  'POST /v1/rooms/direct': { userId: ids.bob },
  'PATCH /v1/rooms/:id': { name: 'Office move (Lisbon)' },
  'POST /v1/rooms/:id/members': { userIds: [ids.bob] },
  'POST /v1/rooms/:id/messages': {
    clientId: '6f1d0c2a-3b4e-4f5a-9b6c-7d8e9f0a1b2c',
    text: 'Here is the floor plan for Thursday.',
    attachments: [ids.attachment],
  },
  'PATCH /v1/messages/:id': { text: 'Here is the floor plan for Friday.' },
  'POST /v1/rooms/:id/read': { seq: 42 },
  'POST /v1/support/conversations': {
    text: 'Hi! Do you ship to Portugal?',
    clientId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
    visitor: support.visitor,
  },
  'POST /v1/support/conversations/:id/assign': { agentId: ids.bob },
  'PUT /v1/support/conversations/:id/rating': { score: rating.score, comment: rating.comment },
  'PUT /v1/support/availability': { availability: 'online' },
  'PUT /v1/support/assignment': { mode: 'round_robin', requeueAfterMinutes: 15 },
  'POST /v1/canned-responses': { shortcut: canned.shortcut, text: canned.text },
  'PATCH /v1/canned-responses/:id': { text: 'We ship to the EU in 2-4 working days.' },
  'POST /v1/support/labels': { name: label.name, colour: label.colour },
  'PATCH /v1/support/labels/:id': { name: 'Shipping (EU)', colour: 'teal' },
  'POST /v1/support/conversations/:id/notes': { text: note.text, clientId: note.clientId },
  'POST /v1/support/conversations/:id/transcript': { email: 'vera@example.com' },
  'PUT /v1/support/mail-settings': mailSettingsInput,
  'POST /v1/admin/apps': { name: app.name, origins: app.allowedOrigins },
  'PUT /v1/admin/apps/:id/origins': { origins: ['https://shop.example.com', 'http://localhost:*'] },
  'PATCH /v1/admin/apps/:id/settings': { greeting: settings.greeting, businessHours, replyTime: 'hours' },
  'POST /v1/admin/apps/:id/webhooks': { url: webhook.url, events: webhook.events },
  'PATCH /v1/admin/apps/:id/webhooks/:webhookId': { active: false },
  ...moderation.bodies,
  ...storage.bodies,
};

/** What `GET /metrics` answers, shortened. */
export const METRICS_EXAMPLE = [
  '# HELP confab_http_request_duration_seconds HTTP request duration by method, route and status',
  '# TYPE confab_http_request_duration_seconds histogram',
  'confab_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/v1/rooms/:id",status="200"} 12',
].join('\n');
