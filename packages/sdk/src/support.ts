import type {
  AgentAvailability,
  AssignmentSettingsDto,
  AttachmentDto,
  CannedResponseInput,
  InboxQuery,
  LabelInput,
  MailSettingsInput,
  PageQuery,
  RateConversationInput,
  StartConversationInput,
  SupportReportQuery,
  SupportSearchQuery,
} from '@confab/protocol';

import { newClientId } from './ids.js';
import type { HttpTransport } from './transport/http.js';
import type { UploadLinks } from './upload-links.js';

/** The inbox's filters: `assignee` is `me`, `none`, or an agent's id. */
export type InboxFilter = InboxQuery;

/**
 * Support conversations: visitors start them; agents list, claim, assign, resolve and reopen
 * them. Get it as `client.support`.
 */
export function createSupportApi(http: HttpTransport) {
  return {
    /**
     * Starts a conversation with the app's team, optionally with a first message (retried safely).
     * @example const conversation = await client.support.start({ text: 'Hi!', visitor: { pageUrl: location.href } });
     */
    start: (input: StartConversationInput = {}) =>
      http.call('POST /v1/support/conversations', {
        body: input.text || input.attachments?.length ? { clientId: newClientId(), ...input } : input,
      }),
    /** Greeting, away message, business hours and who is online: needs no session. */
    settings: () => http.call('GET /v1/support/settings'),
    /**
     * Agents: the inbox by last activity, with unread counts; `visitorId` lists that visitor's conversations,
     * `label` those carrying that label.
     * @example const previous = await client.support.inbox({ visitorId: conversation.visitor.id });
     */
    inbox: (filter: InboxFilter = {}) => http.call('GET /v1/support/conversations', { query: filter }),
    /**
     * Agents: full-text search of the app's conversations by message text and by the visitor's name,
     * username or email; one result per conversation, with the match and the messages around it.
     * @example const { items, nextCursor } = await client.support.search({ q: 'refund' });
     */
    search: (query: SupportSearchQuery) => http.call('GET /v1/support/search', { query }),
    /**
     * Agents: the team's figures over a period (`to` exclusive; dates are midnight in `timezone`), by day
     * (every day, zero days too), agent or label, with `totals`: conversations opened and resolved, first
     * response and resolution times (median, p90, in seconds) and CSAT. By default the last 7 days in UTC.
     * @example const { totals, rows } = await client.support.reports({ from: '2026-11-01', to: '2026-12-01', groupBy: 'agent' });
     */
    reports: (query: SupportReportQuery = {}) => http.call('GET /v1/support/reports', { query }),
    /**
     * A page of a room's history centred on one of its messages (open a search result at its match);
     * `hasMore`/`nextCursor` continue with older messages, `after` the last seq reads newer ones.
     * @example const page = await client.support.messagesAround(result.conversation.id, result.message.id);
     */
    messagesAround: (roomId: string, messageId: string, limit?: number) =>
      http.call('GET /v1/rooms/:id/messages', { params: { id: roomId }, query: { around: messageId, limit } }),
    get: (id: string) => http.call('GET /v1/support/conversations/:id', { params: { id } }),
    /** Claims the conversation, or (with an agent id) hands it over; `null` unassigns it. */
    assign: (id: string, agentId?: string | null) =>
      http.call('POST /v1/support/conversations/:id/assign', { params: { id }, body: agentId === undefined ? {} : { agentId } }),
    resolve: (id: string) => http.call('POST /v1/support/conversations/:id/resolve', { params: { id } }),
    reopen: (id: string) => http.call('POST /v1/support/conversations/:id/reopen', { params: { id } }),
    /**
     * The visitor rates their resolved conversation: a whole `score` 1–5 and an optional comment. Rating
     * it again replaces the rating; after it is reopened and resolved again, it can be rated anew.
     * @example await client.support.rate(conversation.id, { score: 5, comment: 'Quick and kind' });
     */
    rate: (id: string, rating: RateConversationInput) =>
      http.call('PUT /v1/support/conversations/:id/rating', { params: { id }, body: rating }),
    /** Agents: take conversations (`online`) or not (`away`) while connected. */
    setAvailability: (availability: AgentAvailability) => http.call('PUT /v1/support/availability', { body: { availability } }),
    /**
     * Agents: puts one of the app's labels on a conversation (idempotent); resolves with the conversation.
     * @example const conversation = await client.support.addLabel(conversation.id, billing.id);
     */
    addLabel: (conversationId: string, labelId: string) =>
      http.call('PUT /v1/support/conversations/:id/labels/:labelId', { params: { id: conversationId, labelId } }),
    /** Agents: takes a label off a conversation (idempotent); resolves with the conversation. */
    removeLabel: (conversationId: string, labelId: string) =>
      http.call('DELETE /v1/support/conversations/:id/labels/:labelId', { params: { id: conversationId, labelId } }),
    /**
     * Agents: the app's labels (filter the inbox with `inbox({ label: id })`). Changes to them arrive
     * as `support:labels` with the whole list.
     * @example const billing = await client.support.labels.create({ name: 'Billing', colour: 'purple' });
     */
    labels: {
      list: () => http.call('GET /v1/support/labels'),
      create: (input: LabelInput) => http.call('POST /v1/support/labels', { body: input }),
      update: (id: string, patch: Partial<LabelInput>) => http.call('PATCH /v1/support/labels/:id', { params: { id }, body: patch }),
      remove: (id: string) => http.call('DELETE /v1/support/labels/:id', { params: { id } }),
    },
    /**
     * Agents: private notes on a conversation, which its visitor never sees. `@username` in the text
     * mentions a colleague (they hear `support:mention`); every agent hears `support:note`, also when
     * one is deleted (`deletedAt` set). `list` is oldest first; `add` is safe to retry.
     * @example const note = await client.support.notes.add(conversation.id, 'Refund approved, @bob please send it');
     */
    notes: {
      /**
       * One page of the conversation's notes, oldest first (deleted ones left out).
       * @example const { items, nextCursor } = await client.support.notes.list(conversation.id, { limit: 100 });
       */
      list: (conversationId: string, page: PageQuery = {}) =>
        http.call('GET /v1/support/conversations/:id/notes', { params: { id: conversationId }, query: page }),
      /**
       * Writes a note; a retry of the same call (same `clientId`, made for you) returns the same note.
       * @example await client.support.notes.add(conversation.id, 'Called the courier: arrives Monday');
       */
      add: (conversationId: string, text: string, clientId = newClientId()) =>
        http.call('POST /v1/support/conversations/:id/notes', { params: { id: conversationId }, body: { text, clientId } }),
      /**
       * Deletes a note: its author, or an admin.
       * @example await client.support.notes.remove(note.id);
       */
      remove: (noteId: string) => http.call('DELETE /v1/support/notes/:id', { params: { id: noteId } }),
    },
    /**
     * Emails the conversation's transcript (messages and system events in order; never private
     * notes). The visitor sends it to the email they gave, or names another one (a few an hour);
     * an agent sends it to the visitor, or to any `email`. Resolves once the mail is queued; a
     * repeat before a new message queues nothing more. No email known and none given rejects
     * with `validation_failed`.
     * @example const { to } = await client.support.transcript(conversation.id);
     * @example await client.support.transcript(conversation.id, 'me@example.com');
     */
    transcript: (conversationId: string, email?: string) =>
      http.call('POST /v1/support/conversations/:id/transcript', {
        params: { id: conversationId },
        body: email === undefined ? {} : { email },
      }),
    /**
     * Agents: one page of the mails sent (or being sent) about a conversation, newest first:
     * transcripts, continuity mails (replies by email) and agent notifications, each `pending`,
     * `sent` or `failed` (with `lastError`).
     * @example const { items } = await client.support.mails(conversation.id);
     */
    mails: (conversationId: string, page: PageQuery = {}) =>
      http.call('GET /v1/support/conversations/:id/mails', { params: { id: conversationId }, query: page }),
    /**
     * What Confab mails on its own for the app: continuity (agents' unread replies to visitors who
     * gave an email), agent notifications, and replies by email. Agents read it; only admins set it
     * or create the inbound secret (`forbidden` otherwise).
     * @example await client.support.mailSettings.set({ continuityDelayMinutes: 5, chatUrl: 'https://example.com/help' });
     */
    mailSettings: {
      /**
       * The app's settings with their defaults, how mail goes out (`smtp` or `files`) and whether replies can come in.
       * @example const { continuity, transport } = await client.support.mailSettings.get();
       */
      get: () => http.call('GET /v1/support/mail-settings'),
      /** Changes any of the writable fields (admins); resolves with the settings as stored. */
      set: (input: Partial<MailSettingsInput>) => http.call('PUT /v1/support/mail-settings', { body: input }),
      /**
       * Creates the app's inbound secret, replacing the old one (admins): the mail provider posts raw
       * MIME to `url` with HTTP Basic auth (`username`, `secret`). Shown this once.
       * @example const { url, username, secret } = await client.support.mailSettings.rotateInboundSecret();
       */
      rotateInboundSecret: () => http.call('POST /v1/support/mail-settings/inbound-secret'),
    },
    /**
     * How new conversations find an agent: `off`, `round_robin` among online agents, or `least_busy`
     * up to `limit` open conversations each; `requeueAfterMinutes` returns an away agent's open
     * conversations to the queue. Agents read it; only admins set it (`forbidden` otherwise).
     * @example await client.support.assignment.set({ mode: 'least_busy', limit: 8, requeueAfterMinutes: 15 });
     */
    assignment: {
      /**
       * The app's setting with its defaults filled in.
       * @example const { mode, limit } = await client.support.assignment.get();
       */
      get: () => http.call('GET /v1/support/assignment'),
      /**
       * Replaces the setting (admins); resolves with it as stored. Queued conversations are given out by the new rule at once.
       * @example await client.support.assignment.set({ mode: 'round_robin', requeueAfterMinutes: null });
       */
      set: (settings: AssignmentSettingsDto) => http.call('PUT /v1/support/assignment', { body: settings }),
    },
    /** Agents' saved replies. */
    canned: {
      list: (q?: string) => http.call('GET /v1/canned-responses', { query: { q } }),
      create: (input: CannedResponseInput) => http.call('POST /v1/canned-responses', { body: input }),
      update: (id: string, patch: Partial<CannedResponseInput>) =>
        http.call('PATCH /v1/canned-responses/:id', { params: { id }, body: patch }),
      delete: (id: string) => http.call('DELETE /v1/canned-responses/:id', { params: { id } }),
    },
  };
}

export type SupportApi = ReturnType<typeof createSupportApi>;

/** Files: upload before sending (pass the ids as `attachments`), and URLs to show them. */
export function createUploadsApi(http: HttpTransport, links: UploadLinks) {
  return {
    /**
     * Uploads a file; its type is decided by the server from the content.
     * `onProgress` reports the bytes sent (browsers only).
     * @example const file = await client.uploads.upload(input.files[0]); await room.send('', { attachments: [file.id] });
     */
    upload: (
      file: Blob,
      name = (file as Blob & { name?: string }).name ?? 'file',
      options: { onProgress?: (sent: number, total: number) => void } = {},
    ) => {
      const form = new FormData();
      form.append('file', file, name);
      return http.call('POST /v1/uploads', { form, onUploadProgress: options.onProgress });
    },
    /**
     * An absolute URL that loads the file in `<img src>` or a link, signed for a few minutes (no
     * token in it). Calls in the same tick share one request; a URL is reused until shortly before
     * it expires, so ask again when showing the file later. Rejects with `not_found` for a file the
     * user may not read.
     * @example img.src = await client.uploads.src(message.attachments[0]);
     */
    src: (attachment: Pick<AttachmentDto, 'id'>): Promise<string> => links.src(attachment.id),
    /**
     * Like `src`, for the image's thumbnail (WebP, at most `LIMITS.thumbnailSide` pixels a side):
     * for previews and message lists, with `src` for the full-size view. Files without a thumbnail
     * (not images, or uploaded to a server without thumbnails) answer their own URL. Shares one
     * request and cache with `src`.
     * @example img.src = await client.uploads.thumbnailSrc(message.attachments[0]);
     */
    thumbnailSrc: (attachment: Pick<AttachmentDto, 'id'>): Promise<string> => links.thumbnailSrc(attachment.id),
    /** Signed links to several files at once (`src` batches and caches them for you). */
    links: (ids: string[]) => http.call('POST /v1/uploads/links', { body: { ids } }),
  };
}

export type UploadsApi = ReturnType<typeof createUploadsApi>;
