import { LIMITS, type QuotaExceededDetails, type StorageQuotaDto, type StorageUsageDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { AppError, ForbiddenError } from '../../errors.js';
import type { Actor } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import { humanBytes } from './sizes.js';

/** The app's quotas with nothing set filled in as "unlimited". */
const quotaOf = (stored: Partial<StorageQuotaDto> | null | undefined): StorageQuotaDto => ({
  appBytes: stored?.appBytes ?? null,
  userBytes: stored?.userBytes ?? null,
});

interface Use {
  app: number;
  user: number;
}

function exceeded(scope: 'app' | 'user', usedBytes: number, limitBytes: number, fileBytes: number): AppError {
  const details: QuotaExceededDetails = { scope, usedBytes, limitBytes, fileBytes };
  const whose = scope === 'app' ? "This app's storage" : 'Your storage';
  return new AppError(
    'payload_too_large',
    `${whose} is full: ${humanBytes(usedBytes)} of ${humanBytes(limitBytes)} used, and this file needs ${humanBytes(fileBytes)} more`,
    { ...details },
  );
}

/**
 * Storage quotas per app and per uploader (`settings.storage`), against the usage a trigger keeps
 * on `attachments` (migration 017). An upload is checked before its bytes are read, against what
 * it says it weighs, and again when it is recorded, under a per-app lock, so concurrent uploads
 * cannot together cross a quota.
 */
export class StorageQuotas {
  constructor(
    private readonly db: Db,
    private readonly apps: AppsService,
  ) {}

  async quota(appId: string): Promise<StorageQuotaDto> {
    return quotaOf((await this.apps.get(appId)).settings?.storage);
  }

  /** Refuses early an upload that cannot fit: nothing left, or more declared than is left. */
  async precheck(actor: Actor, declaredBytes: number | null): Promise<void> {
    const quota = await this.quota(actor.appId);
    if (quota.appBytes === null && quota.userBytes === null) return;
    this.check(quota, await this.use(this.db, actor), Math.max(1, declaredBytes ?? 1), true);
  }

  /**
   * Runs `record` (which inserts the attachment) when `fileBytes` more fit the quotas, in one
   * transaction; throws `payload_too_large` with the numbers otherwise.
   */
  async admit<T>(actor: Actor, fileBytes: number, record: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const quota = await this.quota(actor.appId);
    if (quota.appBytes === null && quota.userBytes === null) return this.db.transaction(record);
    return this.db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`confab:storage:${actor.appId}`]);
      this.check(quota, await this.use(trx, actor), fileBytes, false);
      return record(trx);
    });
  }

  async usage(actor: Actor): Promise<StorageUsageDto> {
    const quota = await this.quota(actor.appId);
    const use = await this.use(this.db, actor);
    const dto: StorageUsageDto = { user: { usedBytes: use.user, limitBytes: quota.userBytes } };
    if (actor.role === 'admin') {
      const top: { userId: string; bytes: string | number }[] = await this.db('storage_usage_users')
        .where({ app_id: actor.appId })
        .where('bytes', '>', 0)
        .orderBy([
          { column: 'bytes', order: 'desc' },
          { column: 'user_id', order: 'asc' },
        ])
        .limit(LIMITS.storageTopUsers)
        .select('user_id', 'bytes');
      dto.app = {
        usedBytes: use.app,
        limitBytes: quota.appBytes,
        topUsers: top.map((row) => ({ userId: row.userId, usedBytes: Number(row.bytes) })),
      };
    }
    return dto;
  }

  /** Admins only: merges a change (null: unlimited) and answers the usage now. */
  async setQuota(actor: Actor, patch: Partial<StorageQuotaDto>): Promise<StorageUsageDto> {
    if (actor.role !== 'admin') throw new ForbiddenError("Only the app's admins set storage quotas");
    const next = { ...(await this.quota(actor.appId)), ...patch };
    await this.apps.updateSettings(actor.appId, { storage: next.appBytes === null && next.userBytes === null ? null : next });
    return this.usage(actor);
  }

  private check(quota: StorageQuotaDto, use: Use, fileBytes: number, early: boolean): void {
    // Early, a body's declared length includes its envelope: refuse only what surely cannot fit.
    const fits = (used: number, limit: number) =>
      early ? used < limit && used + fileBytes <= limit + 64 * 1024 : used + fileBytes <= limit;
    if (quota.userBytes !== null && !fits(use.user, quota.userBytes)) throw exceeded('user', use.user, quota.userBytes, fileBytes);
    if (quota.appBytes !== null && !fits(use.app, quota.appBytes)) throw exceeded('app', use.app, quota.appBytes, fileBytes);
  }

  private async use(db: Db, actor: Actor): Promise<Use> {
    const row: { app: string | number | null; user: string | number | null } = await db
      .select(
        db('storage_usage_apps').where({ app_id: actor.appId }).select('bytes').as('app'),
        db('storage_usage_users').where({ user_id: actor.id }).select('bytes').as('user'),
      )
      .first();
    return { app: Number(row?.app ?? 0), user: Number(row?.user ?? 0) };
  }
}
