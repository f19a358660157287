import type { EraseMeInput, PageQuery, UpdateMeInput } from '@confab/protocol';

import type { HttpTransport } from './transport/http.js';

/**
 * How `users.erase` proves it is really you: your password (members who have one), or a token your
 * site's backend signed at most 5 minutes ago; guests need neither.
 */
export type EraseProof = { password: string; token?: never } | { token: string; password?: never } | Record<string, never>;

/** The people of your app, and your own data. Get it as `client.users`. */
export function createUsersApi(http: HttpTransport, erased: () => void) {
  return {
    search: (q = '', options: PageQuery = {}) => http.call('GET /v1/users', { query: { q, ...options } }),
    me: () => http.call('GET /v1/me'),
    update: (patch: UpdateMeInput) => http.call('PATCH /v1/me', { body: patch }),
    /** Your own messages across every room, newest first (deleted ones left out), page by page. */
    myMessages: (page: PageQuery = {}) => http.call('GET /v1/me/messages', { query: page }),
    /**
     * Everything Confab holds about you (profile, rooms, your messages with reactions and receipts,
     * your files' details and links), as a JSON archive in a Blob.
     * @example const archive = await client.users.export(); link.href = URL.createObjectURL(archive);
     */
    export: () => http.download('GET /v1/me/export'),
    /**
     * Erases you: your profile is anonymised, your messages' texts and your files deleted, your
     * sessions ended (this client signs out). Resolves with the erasure (`pending` while it runs).
     * @example await client.users.erase({ password });
     */
    erase: async (proof: EraseProof = {}) => {
      const body: EraseMeInput = proof;
      const erasure = await http.call('DELETE /v1/me', { body });
      erased();
      return erasure;
    },
  };
}

export type UsersApi = ReturnType<typeof createUsersApi>;
