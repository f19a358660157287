import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';

const FLUSH_EVERY_MS = 1_000;
/** Users per statement: far below PostgreSQL's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 10_000;

/**
 * `users.last_seen_at`, written in batches: a user coming online or going offline is recorded in
 * memory, and every FLUSH_EVERY_MS the pending users are written in one statement (a reconnect
 * storm costs a few updates, not one per socket). `close` writes what is left.
 */
export class LastSeen {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly flushEveryMs = FLUSH_EVERY_MS,
  ) {}

  /** Records that the user was seen now; returns that time. */
  touch(userId: string): Date {
    const at = new Date();
    this.pending.set(userId, at);
    if (!this.closed) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.flushEveryMs);
    }
    return at;
  }

  /** Writes every pending time now. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(): Promise<void> {
    const seen = [...this.pending];
    this.pending = new Map();
    for (let i = 0; i < seen.length; i += ROWS_PER_STATEMENT) {
      const batch = seen.slice(i, i + ROWS_PER_STATEMENT);
      try {
        await this.db.raw(
          `update users u set last_seen_at = v.at
           from (values ${batch.map(() => '(?::uuid, ?::timestamptz)').join(', ')}) as v(id, at)
           where u.id = v.id and (u.last_seen_at is null or u.last_seen_at < v.at)`,
          batch.flatMap(([userId, at]) => [userId, at.toISOString()]),
        );
      } catch (err) {
        this.logger.error({ err, users: batch.length }, 'could not record when users were last seen');
      }
    }
  }
}
