import type { Db } from '../db/knex.js';
import type { Logger } from '../logger.js';
import { Poller } from './poller.js';
import { KEY_COLUMNS, storageKeys, type UploadStorage } from './uploads/storage.js';

export interface HousekeepingOptions {
  intervalMs: number;
  /** Uploads never sent in a message are removed after this long. */
  unsentUploadTtlMs: number;
  /** Delivered webhook deliveries are kept this long for the admin API. */
  deliveredWebhookTtlMs: number;
}

const DEFAULTS: HousekeepingOptions = {
  intervalMs: 3600_000,
  unsentUploadTtlMs: 24 * 3600_000,
  deliveredWebhookTtlMs: 30 * 24 * 3600_000,
};
const BATCH = 500;

export interface SweepResult {
  uploads: number;
  deliveries: number;
  refreshTokens: number;
}

/** Work done after the sweep on every run (retention, unfinished erasures), each on its own: one failing does not stop the others. */
export interface HousekeepingTask {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Removes what nobody will ask for again: uploads abandoned before sending (and their bytes),
 * old delivered webhook deliveries, long-expired refresh tokens. Every node may run it: each
 * statement deletes a batch, so concurrent runs only share the work.
 */
export class Housekeeping {
  private readonly options: HousekeepingOptions;
  private readonly poller: Poller;
  private readonly tasks: HousekeepingTask[] = [];

  constructor(
    private readonly db: Db,
    private readonly storage: UploadStorage,
    private readonly logger: Logger,
    options: Partial<HousekeepingOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.poller = new Poller({
      intervalMs: this.options.intervalMs,
      round: async () => (await this.run(), false),
      logger,
      doing: 'housekeeping',
      runAtStart: false,
    });
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** Adds work to every run, after the sweep. */
  add(task: HousekeepingTask): void {
    this.tasks.push(task);
  }

  /** One run: the sweep, then each task (a failed one is logged, the rest still run). */
  async run(): Promise<void> {
    await this.sweep();
    for (const task of this.tasks) {
      await task.run().catch((err: unknown) => this.logger.error({ err, task: task.name }, 'housekeeping task failed'));
    }
  }

  async sweep(): Promise<SweepResult> {
    const ms = (n: number) => this.db.raw("now() - interval '1 millisecond' * ?", [n]);
    const stale = this.db('attachments')
      .whereNull('message_id')
      .where('created_at', '<', ms(this.options.unsentUploadTtlMs))
      .limit(BATCH)
      .select('id');
    const removed: { storageKey: string; thumbKey: string | null }[] = await this.db('attachments')
      .whereIn('id', stale)
      .delete()
      .returning(KEY_COLUMNS);
    for (const key of storageKeys(removed)) await this.storage.delete(key);
    const deliveries = await this.db('webhook_deliveries')
      .whereIn(
        'id',
        this.db('webhook_deliveries')
          .where('status', 'delivered')
          .where('delivered_at', '<', ms(this.options.deliveredWebhookTtlMs))
          .limit(BATCH)
          .select('id'),
      )
      .delete();
    const refreshTokens = await this.db('refresh_tokens')
      .whereIn(
        'id',
        this.db('refresh_tokens')
          .where('expires_at', '<', ms(30 * 24 * 3600_000))
          .limit(BATCH)
          .select('id'),
      )
      .delete();
    const result = { uploads: removed.length, deliveries: Number(deliveries), refreshTokens: Number(refreshTokens) };
    if (result.uploads || result.deliveries || result.refreshTokens) this.logger.info(result, 'housekeeping removed stale rows');
    return result;
  }
}
