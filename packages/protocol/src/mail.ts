/** `POST /v1/support/conversations/:id/transcript`: where to send the conversation's transcript. */
export interface TranscriptInput {
  /**
   * The address to send it to. Optional when the visitor gave an email (it goes there); a visitor
   * may name another address of their own (throttled), an agent any address.
   */
  email?: string;
}

/** The reply to a transcript request: the mail is queued in the durable outbox, sent soon after. */
export interface TranscriptQueuedDto {
  queued: true;
  /** The address the transcript goes to. */
  to: string;
}

/** What a mail of the outbox is. */
export type MailKind = 'transcript' | 'continuity' | 'agent_notification';
export const MAIL_KINDS = ['transcript', 'continuity', 'agent_notification'] as const satisfies readonly MailKind[];
export type MailStatus = 'pending' | 'sent' | 'failed';

/** `GET /v1/support/conversations/:id/mails`: one mail that was (or is being) sent about a conversation. */
export interface MailDto {
  id: string;
  kind: MailKind;
  to: string;
  subject: string;
  /** `pending` until the SMTP server accepted it (or the `.eml` file was written); `failed` once given up. */
  status: MailStatus;
  attempts: number;
  /** The last failure (an SMTP reply, say), while retrying or once failed. */
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Bounds of the mail settings' minutes. */
export const MAIL_SETTING_LIMITS = { minutesMin: 1, minutesMax: 1440 } as const;

/**
 * `GET/PUT /v1/support/mail-settings`: what Confab mails on its own for an app. PUT (admins) takes
 * any subset of the writable fields.
 */
export interface MailSettingsInput {
  /** Visitors who gave an email get agents' replies they have not read by mail (default on). */
  continuity: boolean;
  /** How long a reply stays unread before it is mailed (default 2). */
  continuityDelayMinutes: number;
  /**
   * Where the continuity mail's link leads (the page with the widget); null: the page the visitor
   * wrote from. `#confab-open` is added, which opens the widget there.
   */
  chatUrl: string | null;
  /** Agents get an email about a conversation waiting unanswered while no agent is online (default on). */
  notifyAgents: boolean;
  /** How long a conversation waits unanswered before agents are mailed (default 5). */
  notifyAfterMinutes: number;
  /** Where the notification's link leads (the agents' inbox); null: no link. */
  inboxUrl: string | null;
}

export interface MailSettingsDto extends MailSettingsInput {
  /** Whether the app has an inbound secret, i.e. whether replies by email can come in. */
  inboundConfigured: boolean;
  /** What reply addresses look like, e.g. `support+<token>@example.com` (from MAIL_FROM). */
  replyAddress: string;
  /** Whether mail goes out over SMTP (`smtp`) or is written as `.eml` files (`files`, SMTP_URL unset). */
  transport: 'smtp' | 'files';
}

/**
 * `POST /v1/support/mail-settings/inbound-secret` (admins): a new inbound secret, shown this once.
 * The mail provider posts to `url` with HTTP Basic auth, `username` and the secret.
 */
export interface InboundSecretDto {
  username: string;
  secret: string;
  /** `PUBLIC_URL/v1/inbound/email`, or the same on the origin the request came to when PUBLIC_URL is unset. */
  url: string;
}

/** `POST /v1/inbound/email`: the mail became this message of this conversation. */
export interface InboundMailResultDto {
  conversationId: string;
  messageId: string;
  /** False when the same mail (its Message-ID) had come in before: nothing was added. */
  created: boolean;
}

/** `GET/POST /v1/mail/unsubscribe?t=`: the signed token of a mail's unsubscribe link. */
export interface UnsubscribeQuery {
  t: string;
}
