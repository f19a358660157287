import type { AttachmentDto, StorageQuotaDto, StorageUsageDto, UploadLinksDto, UploadLinksInput } from '@confab/protocol';

import { int, obj, str } from './openapi-parts.js';

// Uploads and storage: the quota and usage component schemas, and the examples of attachments,
// upload links, quotas and usage (added to the document's own).

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

/** `attachmentId`: the file the other examples attach; `userId`: the user whose usage is shown. */
export function storageExamples({ attachmentId, userId }: { attachmentId: string; userId: string }) {
  const attachment: AttachmentDto = {
    id: attachmentId,
    name: 'floor-plan.png',
    type: 'image/png',
    size: 48213,
    width: 1200,
    height: 800,
    url: `/v1/uploads/${attachmentId}`,
    thumbnail: { width: 480, height: 320 },
  };
  const links: UploadLinksDto = {
    items: [
      {
        id: attachmentId,
        url: `/v1/uploads/${attachmentId}?exp=1741944667&sig=Xq3vJ8kL2mN5pR7tW9yB1cD4fG6hK0sA3eU8iO2qZ5w`,
        thumbnailUrl: `/v1/uploads/${attachmentId}/thumbnail?exp=1741944667&sig=Xq3vJ8kL2mN5pR7tW9yB1cD4fG6hK0sA3eU8iO2qZ5w`,
        expiresAt: '2025-03-14T09:31:07.000Z',
        expiresIn: 600,
      },
    ],
  };
  const linksInput: UploadLinksInput = { ids: [attachmentId] };
  const usage: StorageUsageDto = {
    user: { usedBytes: 48_213, limitBytes: quota.userBytes },
    app: { usedBytes: 7_340_032_000, limitBytes: quota.appBytes, topUsers: [{ userId, usedBytes: 48_213 }] },
  };
  return {
    attachment,
    schemas: { Attachment: attachment, UploadLinks: links, StorageQuota: quota, StorageUsage: usage },
    bodies: { 'POST /v1/uploads/links': linksInput, 'PUT /v1/storage/quota': quota },
  } as const;
}
