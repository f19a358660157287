import type { RetentionSettingsDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import { CACHED_MESSAGES, type MessageCache } from '../../redis/message-cache.js';
import type { RoomCache } from '../../redis/room-cache.js';
import type { AppsService } from '../apps/apps-service.js';
import { KEY_COLUMNS, storageKeys, type UploadStorage } from '../uploads/storage.js';

/** Messages deleted per transaction: short row locks, never the room's. */
const MESSAGE_BATCH = 1_000;
/** Guests erased per app and run (each erasure works in batches of its own). */
const GUEST_BATCH = 50;

export interface RetentionOptions {
  /** Batches per app and run at most, so one huge backlog spreads over runs rather than hogging one. */
  maxBatches: number;
  /** The length of a settings' day: tests shorten it. */
  dayMs: number;
}

const DEFAULTS: RetentionOptions = { maxBatches: 50, dayMs: 24 * 3600_000 };

export interface RetentionResult {
  messages: number;
  attachments: number;
  guests: number;
}

/** Erases one person (the erasure service, with `requested_by = 'retention'`). */
export type EraseGuest = (appId: string, userId: string) => Promise<unknown>;

/** The app's retention settings with nothing set filled in as "keep". */
export function retentionOf(stored: Partial<RetentionSettingsDto> | null | undefined): RetentionSettingsDto {
  return { messagesDays: stored?.messagesDays ?? null, guestsDays: stored?.guestsDays ?? null };
}

/**
 * Deletes by age what an app asked not to keep (`settings.retention`), run by the hourly
 * housekeeping on every node: messages older than `messagesDays` (with their attachments' bytes;
 * reactions, pins and reports go with them), and guests idle for `guestsDays` (erased). Each batch
 * is its own short transaction taking only the rows it deletes (`skip locked`, so nodes share the
 * work), found through the BRIN index on messages' time: a room of a million messages is never locked.
 * A message replied to stays referenced as `replyToId: null`. Seq numbers are not reused: a room's
 * history starts later, its newest seq unchanged.
 */
export class Retention {
  private readonly options: RetentionOptions;

  constructor(
    private readonly db: Db,
    private readonly apps: AppsService,
    private readonly cache: MessageCache,
    private readonly roomCache: RoomCache,
    private readonly storage: UploadStorage,
    private readonly logger: Logger,
    private readonly eraseGuest: EraseGuest | null,
    options: Partial<RetentionOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async get(appId: string): Promise<RetentionSettingsDto> {
    return retentionOf((await this.apps.get(appId)).settings?.retention);
  }

  /** Merges a change (null: keep for ever) and answers the settings now. */
  async set(appId: string, patch: Partial<RetentionSettingsDto>): Promise<RetentionSettingsDto> {
    const next = { ...(await this.get(appId)), ...patch };
    const stored = next.messagesDays === null && next.guestsDays === null ? null : next;
    const app = await this.apps.updateSettings(appId, { retention: stored });
    return retentionOf(app.settings?.retention);
  }

  /** One run over every app with a retention setting. */
  async run(): Promise<RetentionResult> {
    const total: RetentionResult = { messages: 0, attachments: 0, guests: 0 };
    const apps: { id: string; retention: Partial<RetentionSettingsDto> }[] = await this.db('apps')
      .whereRaw("settings->'retention' is not null")
      .select('id', this.db.raw("settings->'retention' as retention"));
    for (const app of apps) {
      const { messagesDays, guestsDays } = retentionOf(app.retention);
      if (messagesDays) {
        const { messages, attachments } = await this.expireMessages(app.id, messagesDays);
        total.messages += messages;
        total.attachments += attachments;
      }
      if (guestsDays && this.eraseGuest) total.guests += await this.expireGuests(app.id, guestsDays);
    }
    if (total.messages || total.guests) this.logger.info(total, 'retention removed old data');
    return total;
  }

  private cutoff(days: number) {
    return this.db.raw("now() - interval '1 millisecond' * ?", [days * this.options.dayMs]);
  }

  /** Deletes the app's messages older than `days`, batch by batch; each touched room's cached page is dropped. */
  async expireMessages(appId: string, days: number): Promise<{ messages: number; attachments: number }> {
    let messages = 0;
    let attachments = 0;
    const rooms = new Set<string>();
    for (let batch = 0; batch < this.options.maxBatches; batch++) {
      const { deleted, keys, shown } = await this.db.transaction(async (trx) => {
        const ids: string[] = await trx('messages as m')
          .join('rooms as r', 'r.id', 'm.room_id')
          .where('r.app_id', appId)
          .where('m.created_at', '<', this.cutoff(days))
          .limit(MESSAGE_BATCH)
          .forUpdate('m')
          .skipLocked()
          .pluck('m.id');
        if (!ids.length) return { deleted: [], keys: [], shown: [] };
        const files: { storageKey: string; thumbKey: string | null }[] = await trx('attachments')
          .whereIn('message_id', ids)
          .delete()
          .returning(KEY_COLUMNS);
        const rows: { roomId: string; seq: string }[] = await trx('messages').whereIn('id', ids).delete().returning(['room_id', 'seq']);
        // A room whose latest page held some of them (it was idle that long) moves on a version, so no
        // node serves that page again from its caches; no message carries the version (nothing to announce).
        const newest = new Map<string, number>();
        for (const r of rows) newest.set(r.roomId, Math.max(newest.get(r.roomId) ?? 0, Number(r.seq)));
        const shown = await trx('rooms')
          .whereIn('id', [...newest.keys()])
          .select('id', 'last_seq')
          .then((found: { id: string; lastSeq: string }[]) =>
            found.filter((room) => newest.get(room.id)! > Number(room.lastSeq) - CACHED_MESSAGES).map((room) => room.id),
          );
        if (shown.length) await trx('rooms').whereIn('id', shown).increment('version', 1);
        return { deleted: rows, keys: storageKeys(files), shown };
      });
      if (shown.length) await this.roomCache.invalidate({ roomIds: shown });
      for (const key of keys) await this.storage.delete(key);
      for (const { roomId } of deleted) rooms.add(roomId);
      messages += deleted.length;
      attachments += keys.length;
      if (deleted.length < MESSAGE_BATCH) break;
    }
    for (const roomId of rooms) await this.cache.drop(roomId);
    return { messages, attachments };
  }

  /** Erases the app's guests with no activity for `days` (their last sign of life, or their creation). */
  private async expireGuests(appId: string, days: number): Promise<number> {
    const idle: { id: string }[] = await this.db('users')
      .where({ appId, kind: 'guest' })
      .whereNull('erased_at')
      .whereRaw('coalesce(last_seen_at, created_at) < ?', [this.cutoff(days)])
      .limit(GUEST_BATCH)
      .select('id');
    for (const { id } of idle) await this.eraseGuest!(appId, id);
    return idle.length;
  }
}
