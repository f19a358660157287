import type { StorageQuotaDto, StorageUsageDto } from '@confab/protocol';

import { int, obj, str } from './openapi-parts.js';

// Storage quotas and usage: their component schemas and examples (added to the document's own).

const bytes = { ...int, minimum: 0 };
const limit = { ...int, minimum: 0, nullable: true, description: 'null: unlimited' };
const use = { usedBytes: bytes, limitBytes: limit };

export const STORAGE_COMPONENTS = {
  StorageQuota: obj({ appBytes: limit, userBytes: limit }),
  StorageUsage: obj(
    {
      user: obj(use),
      app: {
        ...obj({ ...use, topUsers: { type: 'array', items: obj({ userId: str, usedBytes: bytes }) } }),
        description: "The app's admins only",
      },
    },
    ['user'],
  ),
};

const quota: StorageQuotaDto = { appBytes: 50 * 1024 ** 3, userBytes: 500 * 1024 ** 2 };

export function storageExamples(userId: string) {
  const usage: StorageUsageDto = {
    user: { usedBytes: 48_213, limitBytes: quota.userBytes },
    app: { usedBytes: 7_340_032_000, limitBytes: quota.appBytes, topUsers: [{ userId, usedBytes: 48_213 }] },
  };
  return {
    schemas: { StorageQuota: quota, StorageUsage: usage },
    bodies: { 'PUT /v1/storage/quota': quota },
  } as const;
}
