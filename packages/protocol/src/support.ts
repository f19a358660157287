import type { AssignmentSettingsDto } from './assignment.js';
import type { MessageDto, RoomDto, SupportDetailsDto, UserSummaryDto, VisitorInfo } from './dto.js';
import type { MailSettingsInput } from './mail.js';
import type { RetentionSettingsDto } from './moderation.js';
import type { StorageQuotaDto } from './storage.js';

/** The visitor of a support conversation: their summary and the email they gave. */
export interface SupportVisitorDto extends UserSummaryDto {
  email: string | null;
}

/** A support conversation as agents see it (and its visitor). */
export interface SupportConversationDto extends RoomDto {
  support: SupportDetailsDto;
  /** The visitor who started it (agents see their email; so does the visitor). */
  visitor: SupportVisitorDto | null;
  assignee: UserSummaryDto | null;
  lastMessage: MessageDto | null;
  /** The app's labels on it, by name (agents only: a visitor always gets `[]`). */
  labels: SupportLabelRefDto[];
  /** The visitor's rating of the current resolution; null while open or pending, or not rated yet. */
  rating: ConversationRatingDto | null;
}

/** An inbox row: the conversation with what the calling agent has not read yet. */
export interface SupportInboxItemDto extends SupportConversationDto {
  unreadCount: number;
}

/** `GET /v1/support/search`: words of messages, or of the visitor's name, username or email. */
export interface SupportSearchQuery {
  /** 1–200 characters; every word must match, the last one also as a prefix (`ana` finds `anabela`). */
  q: string;
  limit?: number;
  cursor?: string;
}

/** One conversation found by a search: the best match in it, with its neighbours for context. */
export interface SupportSearchResultDto {
  conversation: SupportInboxItemDto;
  /** The matching message; null when the conversation matched by its visitor (name, username or email). */
  message: MessageDto | null;
  /** The message just before the match (none when it is the first, or `message` is null). */
  before: MessageDto[];
  /** The message just after the match. */
  after: MessageDto[];
}

/** `POST /v1/support/conversations`. */
export interface StartConversationInput {
  /** A first message (with `clientId`, a retried start returns the same conversation). */
  text?: string;
  clientId?: string;
  attachments?: string[];
  visitor?: VisitorInfo;
}

/** A visitor's satisfaction rating of one resolution of a conversation (CSAT). */
export interface ConversationRatingDto {
  conversationId: string;
  /** 1 (bad) to 5 (great). */
  score: number;
  comment: string | null;
  /** The resolution it rates: a conversation reopened and resolved again can be rated again. */
  resolvedAt: string;
  createdAt: string;
  /** When the visitor last changed it (re-rating the same resolution replaces it). */
  updatedAt: string;
}

/** `PUT /v1/support/conversations/:id/rating`: the visitor rates the resolved conversation. */
export interface RateConversationInput {
  score: number;
  comment?: string | null;
}

/** The `data` of the `conversation.rated` webhook event. */
export interface ConversationRatedEvent {
  conversation: SupportConversationDto;
  rating: ConversationRatingDto;
}

export interface StartConversationResult extends SupportConversationDto {
  /** The first message, when `text` was given. */
  message: MessageDto | null;
}

export type AgentAvailability = 'online' | 'away';
export type AgentStatus = AgentAvailability | 'offline';

export interface AgentStatusDto {
  id: string;
  name: string | null;
  lastName: string | null;
  avatarUrl: string | null;
  status: AgentStatus;
}

/** Whether someone can answer now; pushed to every socket of the app as `support:availability`. */
export interface SupportAvailabilityDto {
  /** An agent is online (not away) and, when business hours are set, it is within them. */
  available: boolean;
  withinBusinessHours: boolean;
  online: number;
  away: number;
  agents: AgentStatusDto[];
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Opening hours in the team's time zone; `HH:MM` 24-hour times, `close` after `open`. */
export interface BusinessHoursDto {
  timezone: string;
  days: Partial<Record<Weekday, { open: string; close: string }[]>>;
}

/** How fast the team usually replies, as the widget tells visitors ("in a few minutes"). */
export type ReplyTime = 'minutes' | 'hours' | 'day';
export const REPLY_TIMES = ['minutes', 'hours', 'day'] as const satisfies readonly ReplyTime[];

/** Per-app settings (admin API). */
export interface AppSettingsDto {
  /** Shown by the widget when a visitor opens the chat. */
  greeting?: string | null;
  /** Sent into a new conversation when nobody can answer. */
  awayMessage?: string | null;
  businessHours?: BusinessHoursDto | null;
  /** Overrides `MESSAGE_RATE` for this app (`N/unit` or `unlimited`). */
  messageRate?: string | null;
  /** How fast the team usually replies; unset, the widget says nothing about it. */
  replyTime?: ReplyTime | null;
  /** Auto-assignment of new conversations; unset: off. */
  assignment?: AssignmentSettingsDto | null;
  /** What Confab mails on its own (continuity, agent notifications); unset: the defaults. */
  mail?: Partial<MailSettingsInput> | null;
  /** What housekeeping deletes by age; unset: nothing. */
  retention?: Partial<RetentionSettingsDto> | null;
  /** Limits on stored upload bytes; unset: none. */
  storage?: Partial<StorageQuotaDto> | null;
}

/** `GET /v1/support/settings`: what the widget shows before the visitor writes. */
export interface SupportSettingsDto extends SupportAvailabilityDto {
  greeting: string | null;
  awayMessage: string | null;
  businessHours: BusinessHoursDto | null;
  replyTime: ReplyTime | null;
}

export interface CannedResponseDto {
  id: string;
  /** Typed after `/` in the composer, without the slash. */
  shortcut: string;
  text: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Label colours are names from a fixed palette, not free hex codes: each client maps a name to
 * colours readable in its light and dark themes.
 */
export const LABEL_COLOURS = ['grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple'] as const;
export type LabelColour = (typeof LABEL_COLOURS)[number];

/** A per-app label that agents put on support conversations. Names are unique per app, ignoring case. */
export interface SupportLabelDto {
  id: string;
  name: string;
  colour: LabelColour;
  createdAt: string;
}

/** A label as a conversation carries it. */
export type SupportLabelRefDto = Pick<SupportLabelDto, 'id' | 'name' | 'colour'>;

/** `support:labels`: the app's labels after one was created, renamed, recoloured or deleted. */
export interface SupportLabelsEvent {
  labels: SupportLabelDto[];
}

export const WEBHOOK_EVENTS = [
  'message.created',
  'conversation.created',
  'conversation.resolved',
  'conversation.rated',
  /** `MessageReportDto`. */
  'message.reported',
  /** `ModerationEntryDto`: every line the audit log gains (mutes, bans, kicks, removals, pins...). */
  'moderation.action',
  /** `{ userId }`: a person's data was erased. */
  'user.erased',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/**
 * The JSON body POSTed to a webhook. Verify `X-Confab-Signature: t=<unix seconds>,v1=<hex>`:
 * v1 = HMAC-SHA256(secret, `${t}.${rawBody}`); refuse old `t` to stop replays.
 */
export interface WebhookPayload<T = unknown> {
  /** The event's id: the same in every retry of its delivery. */
  id: string;
  type: WebhookEventName;
  appId: string;
  createdAt: string;
  data: T;
}

export interface WebhookDto {
  id: string;
  url: string;
  events: WebhookEventName[];
  active: boolean;
  createdAt: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryDto {
  id: string;
  webhookId: string;
  eventId: string | null;
  event: WebhookEventName;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
