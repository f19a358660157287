/** Storage quotas and usage (`GET /v1/storage/usage`, `PUT /v1/storage/quota`). */

/** Limits on stored upload bytes; null: unlimited. */
export interface StorageQuotaDto {
  /** Every file of the app together. */
  appBytes: number | null;
  /** The files one person uploaded. */
  userBytes: number | null;
}

export interface StorageUseDto {
  usedBytes: number;
  limitBytes: number | null;
}

export interface StorageUserUseDto {
  userId: string;
  usedBytes: number;
}

/**
 * The caller's own use against the per-user quota; for the app's admins also the app's total and
 * its largest uploaders.
 */
export interface StorageUsageDto {
  user: StorageUseDto;
  app?: StorageUseDto & { topUsers: StorageUserUseDto[] };
}

/** `details` of a `payload_too_large` refused by a quota (not by the file size limit). */
export interface QuotaExceededDetails {
  scope: 'app' | 'user';
  usedBytes: number;
  limitBytes: number;
  fileBytes: number;
}
