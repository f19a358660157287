import type { MessageDto, RoomDto, SupportDetailsDto, UserSummaryDto, VisitorInfo } from './dto.js';

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
}

/** An inbox row: the conversation with what the calling agent has not read yet. */
export interface SupportInboxItemDto extends SupportConversationDto {
  unreadCount: number;
}

/** `POST /v1/support/conversations`. */
export interface StartConversationInput {
  /** A first message (with `clientId`, a retried start returns the same conversation). */
  text?: string;
  clientId?: string;
  attachments?: string[];
  visitor?: VisitorInfo;
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

export const WEBHOOK_EVENTS = ['message.created', 'conversation.created', 'conversation.resolved'] as const;
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
