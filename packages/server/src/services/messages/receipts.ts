import type { PageDto, ReadStateDto, ReceiptDto } from '@confab/protocol';
import type { Db } from '../../db/knex.js';
import { Membership } from '../../db/models/index.js';
import type { Logger } from '../../logger.js';
import type { Actor } from '../actor.js';
import type { DomainEvents } from '../events.js';
import { requireMember } from '../rooms/access.js';

const FLUSH_EVERY_MS = 250;

/**
 * Read and delivered watermarks. Reads are written at once; deliveries (one per message per
 * member, so the busiest write) are coalesced per member and flushed in one statement.
 */
export class ReceiptsService {
  private pending = new Map<string, { roomId: string; userId: string; seq: number }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly logger: Logger,
  ) {}

  /** Moves the caller's read watermark forward (never back, never past the last message). */
  async markRead(actor: Actor, roomId: string, seq: number): Promise<ReadStateDto> {
    const { room, membership } = await requireMember(this.db, actor, roomId);
    const target = Math.min(seq, Number(room.lastSeq));
    const [row] = await this.db('memberships')
      .where({ roomId, userId: actor.id })
      .update({
        readSeq: this.db.raw('greatest(read_seq, ?)', [target]),
        deliveredSeq: this.db.raw('greatest(delivered_seq, ?)', [target]),
      })
      .returning(['read_seq', 'delivered_seq']);
    const state = { roomId, userId: actor.id, seq: Number(row.readSeq), deliveredSeq: Number(row.deliveredSeq) };
    if (state.seq > Number(membership.readSeq)) {
      this.events.emit('room.read', { appId: actor.appId, roomId, userId: actor.id, seq: state.seq });
    }
    return state;
  }

  async receipts(actor: Actor, roomId: string): Promise<PageDto<ReceiptDto>> {
    await requireMember(this.db, actor, roomId);
    const rows = await Membership.query(this.db).where({ roomId }).orderBy('joined_at').orderBy('user_id');
    return {
      items: rows.map((m) => ({ userId: m.userId, deliveredSeq: Number(m.deliveredSeq), readSeq: Number(m.readSeq) })),
      hasMore: false,
    };
  }

  /**
   * Records that a member's device received messages up to `seq` (callers have checked that
   * they are a member). Written within FLUSH_EVERY_MS, then announced as `room.delivered`.
   */
  delivered(roomId: string, userId: string, seq: number): void {
    const key = `${roomId}:${userId}`;
    const current = this.pending.get(key);
    if (current && current.seq >= seq) return;
    this.pending.set(key, { roomId, userId, seq });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_EVERY_MS);
  }

  /** Writes every pending delivery now (also at shutdown). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      const values = batch.map(() => '(?::uuid, ?::uuid, ?::bigint)').join(', ');
      const result = await this.db.raw(
        `update memberships m set delivered_seq = least(v.seq, r.last_seq)
         from (values ${values}) as v(room_id, user_id, seq), rooms r
         where m.room_id = v.room_id and m.user_id = v.user_id and r.id = v.room_id
           and m.delivered_seq < least(v.seq, r.last_seq)
         returning m.room_id, m.user_id, m.delivered_seq`,
        batch.flatMap((d) => [d.roomId, d.userId, d.seq]),
      );
      for (const row of result.rows as Record<string, unknown>[]) {
        this.events.emit('room.delivered', {
          roomId: String(row.room_id ?? row.roomId),
          userId: String(row.user_id ?? row.userId),
          seq: Number(row.delivered_seq ?? row.deliveredSeq),
        });
      }
    } catch (err) {
      this.logger.error({ err }, 'could not record deliveries');
    }
  }
}
