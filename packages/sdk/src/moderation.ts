import type { BanInput, ModerationLogQuery, PageQuery, ReportInput, RetentionSettingsDto } from '@confab/protocol';

import type { HttpTransport } from './transport/http.js';

/**
 * App-wide moderation for the app's admins (everyone else gets `forbidden`): bans across the app
 * (every session of the person ends at once, on every node), the whole audit log, every report,
 * and the retention settings. Room-level actions are on `room.moderation`. Get it as
 * `client.moderation`.
 *
 * @example
 * await client.moderation.banUser(userId, { reason: 'Spam bot', durationSeconds: 7 * 86400 });
 * const { items } = await client.moderation.log({ roomId });
 */
export function createModerationApi(http: HttpTransport) {
  return {
    /** Bans a person from the whole app: signing in is refused and their sessions end. */
    banUser: (userId: string, input: BanInput = {}) => http.call('PUT /v1/moderation/bans/:userId', { params: { userId }, body: input }),
    unbanUser: (userId: string) => http.call('DELETE /v1/moderation/bans/:userId', { params: { userId } }),
    /** The people banned from the app, page by page. */
    bans: (page: PageQuery = {}) => http.call('GET /v1/moderation/bans', { query: page }),
    /**
     * The app's audit log, newest first (`roomId`: one room's entries only).
     * @example const { items, nextCursor } = await client.moderation.log({ limit: 50 });
     */
    log: (query: ModerationLogQuery = {}) => http.call('GET /v1/moderation/log', { query }),
    /** Every reported message of the app, newest first (new ones arrive as `moderation:report`). */
    reports: (page: PageQuery = {}) => http.call('GET /v1/moderation/reports', { query: page }),
    /** Everything Confab holds about one person of the app, as a JSON archive (a data-access request). */
    exportUser: (userId: string) => http.download('GET /v1/moderation/users/:userId/export', { params: { userId } }),
    /**
     * Erases one person of the app as `users.erase` does for oneself (an erasure request that came
     * another way). Admins cannot erase another admin.
     */
    eraseUser: (userId: string) => http.call('DELETE /v1/moderation/users/:userId', { params: { userId } }),
    /** What housekeeping deletes by age: old messages, inactive visitors (null: kept for ever). */
    retention: {
      get: () => http.call('GET /v1/moderation/retention'),
      /** @example await client.moderation.retention.set({ messagesDays: 365 }); */
      set: (settings: Partial<RetentionSettingsDto>) => http.call('PUT /v1/moderation/retention', { body: settings }),
    },
  };
}

export type ModerationApi = ReturnType<typeof createModerationApi>;

/** Messages as such, whatever room they are in. Get it as `client.messages`. */
export function createMessagesApi(http: HttpTransport) {
  return {
    /**
     * Reports a message to the room's moderators and the app's admins (and the `message.reported`
     * webhook); reporting it again changes nothing. You cannot report your own (`forbidden`).
     * @example await client.messages.report(message.id, { reason: 'spam', comment: 'Same link every minute' });
     */
    report: (messageId: string, input: ReportInput) =>
      http.call('POST /v1/messages/:id/reports', { params: { id: messageId }, body: input }),
  };
}

export type MessagesApi = ReturnType<typeof createMessagesApi>;
