import type { StorageQuotaDto } from '@confab/protocol';

import type { HttpTransport } from './transport/http.js';

/**
 * Stored upload bytes against the app's quotas. Anyone signed in reads their own use; the app's
 * admins also get the app's total and largest uploaders, and alone may set the quotas (everyone
 * else gets `forbidden`). An upload that would cross a quota fails with `payload_too_large`
 * (`details`: `QuotaExceededDetails`). Get it as `client.storage`.
 *
 * @example
 * const { user, app } = await client.storage.usage();
 * await client.storage.setQuota({ userBytes: 100 * 1024 * 1024, appBytes: null });
 */
export function createStorageApi(http: HttpTransport) {
  return {
    /** Your use against the per-person quota; for admins also `app`: the total, its limit and the top 20 uploaders. */
    usage: () => http.call('GET /v1/storage/usage'),
    /**
     * Admins: sets either quota (bytes; `null`: unlimited; a field left out stays) and resolves with the new usage.
     * @example await client.storage.setQuota({ userBytes: null });
     */
    setQuota: (patch: Partial<StorageQuotaDto>) => http.call('PUT /v1/storage/quota', { body: patch }),
  };
}

export type StorageApi = ReturnType<typeof createStorageApi>;
