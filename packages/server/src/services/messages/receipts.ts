import { LIMITS, type PageDto, type ReadStateDto, type ReceiptDto, type RoomReceiptsEvent } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import { registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { decodeCursor, encodeCursor, splitPage } from '../pagination.js';
import { requireMember } from '../rooms/access.js';
import { sharedReads } from '../shared-read.js';

const FLUSH_EVERY_MS = 250;
/** How long one join-time read of a room's receipts serves the other joins of that room. */
const SUMMARY_SHARED_MS = 100;
/** Rooms whose last announced minima this node remembers (to skip repeating them); the least recent go first. */
const REMEMBERED_ROOMS_MAX = 10_000;
/** Rows (or keys) per statement: far below PostgreSQL's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 10_000;

type Minima = Pick<RoomReceiptsEvent, 'deliveredSeq' | 'readSeq'>;
type ReceiptRow = { userId: string; deliveredSeq: number | string; readSeq: number | string };
type RoomStats = { roomId: string; deliveredSeq: number | string; readSeq: number | string; members: number | string };

const toReceipt = (row: ReceiptRow): ReceiptDto => ({
  userId: row.userId,
  deliveredSeq: Number(row.deliveredSeq),
  readSeq: Number(row.readSeq),
});

/**
 * Read and delivered watermarks, and how they are announced. Reads are written at once;
 * deliveries (one per message per member, the busiest write) are coalesced per member. Every
 * FLUSH_EVERY_MS the pending deliveries are written in one statement, and each room whose
 * watermarks or members changed gets at most one `room.receipts`: the room's lowest watermarks,
 * plus the members that moved in small rooms. A message thus costs O(members) receipt events
 * (about one per watcher per flush), where announcing each member to the room cost O(members²).
 */
export class ReceiptsService {
  private pending = new Map<string, { roomId: string; userId: string; seq: number }>();
  /** Rooms to announce at the next flush, each with the members whose watermarks moved. */
  private touched = new Map<string, Set<string>>();
  /** What this node last announced per room: an unchanged large room is not announced again. */
  private readonly announced = new MinimaMemo();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly offs: (() => void)[];

  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly logger: Logger,
    private readonly roomCache: RoomCache,
  ) {
    // Joins and leaves move a room's lowest watermarks; so does a send (senders have seen their message).
    this.offs = [
      events.on('member.added', ({ roomId, userIds }) => this.touch(roomId, userIds)),
      events.on('member.removed', ({ roomId }) => this.touch(roomId)),
      events.on('message.created', ({ roomId, message }) => {
        if (message.senderId) this.touch(roomId, [message.senderId]);
      }),
    ];
  }

  /** Moves the caller's read watermark forward (never back, never past the last message). */
  async markRead(actor: Actor, roomId: string, seq: number): Promise<ReadStateDto> {
    const { room, membership } = await requireMember(this.db, actor, roomId, this.roomCache);
    const target = Math.min(seq, Number(room.lastSeq));
    // The caller's room list and inbox show this watermark.
    const [row] = await registeredWrite(this.roomCache, { userIds: [actor.id] }, () =>
      this.db('memberships')
        .where({ roomId, userId: actor.id })
        .update({
          readSeq: this.db.raw('greatest(read_seq, ?)', [target]),
          deliveredSeq: this.db.raw('greatest(delivered_seq, ?)', [target]),
        })
        .returning(['read_seq', 'delivered_seq']),
    );
    const state = { roomId, userId: actor.id, seq: Number(row.readSeq), deliveredSeq: Number(row.deliveredSeq) };
    if (state.seq > Number(membership.readSeq)) {
      this.events.emit('room.read', { appId: actor.appId, roomId, userId: actor.id, seq: state.seq });
      this.touch(roomId, [actor.id]);
    }
    return state;
  }

  /** Every member's watermarks, a page at a time (by user id). */
  async receipts(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<ReceiptDto>> {
    await requireMember(this.db, actor, roomId, this.roomCache);
    const query = this.db('memberships')
      .where({ roomId })
      .orderBy('user_id')
      .limit(page.limit + 1)
      .select('user_id', 'delivered_seq', 'read_seq');
    if (page.cursor) query.where('user_id', '>', decodeCursor(page.cursor, ['uuid'])[0]);
    const { items, hasMore } = splitPage((await query) as ReceiptRow[], page.limit);
    const last = items[items.length - 1];
    return { items: items.map(toReceipt), hasMore, ...(hasMore && last ? { nextCursor: encodeCursor([last.userId]) } : {}) };
  }

  /** What a member starting to watch the room needs: its lowest watermarks, and every member's in a small room. */
  // A crowd rejoining one room at once (a reconnect storm) shares one read: the answer is a
  // snapshot anyway, and `room:receipts` brings every change after it.
  readonly summary = sharedReads((roomId) => this.readSummary(roomId), SUMMARY_SHARED_MS);

  private async readSummary(roomId: string): Promise<RoomReceiptsEvent> {
    const rows = (await this.db('memberships')
      .where({ roomId })
      .orderBy('user_id')
      .limit(LIMITS.receiptsRoomMembersMax + 1)
      .select('user_id', 'delivered_seq', 'read_seq')) as ReceiptRow[];
    if (rows.length <= LIMITS.receiptsRoomMembersMax) {
      const members = rows.map(toReceipt);
      const lowest = (pick: (r: ReceiptDto) => number) => (members.length ? Math.min(...members.map(pick)) : 0);
      return { roomId, deliveredSeq: lowest((r) => r.deliveredSeq), readSeq: lowest((r) => r.readSeq), members };
    }
    // Why: the members may all have left since the count above; an empty room has minima 0, as above.
    const [stats] = await this.roomStats([roomId]);
    return { roomId, deliveredSeq: Number(stats?.deliveredSeq ?? 0), readSeq: Number(stats?.readSeq ?? 0) };
  }

  /**
   * Records that a member's device received messages up to `seq` (callers have checked that
   * they are a member). Written within FLUSH_EVERY_MS, then announced with the room's receipts.
   */
  delivered(roomId: string, userId: string, seq: number): void {
    const key = `${roomId}:${userId}`;
    const current = this.pending.get(key);
    if (current && current.seq >= seq) return;
    this.pending.set(key, { roomId, userId, seq });
    this.schedule();
  }

  /** Announces the room's receipts at the next flush (`userIds`: members whose watermarks moved). */
  touch(roomId: string, userIds: readonly string[] = []): void {
    let moved = this.touched.get(roomId);
    if (!moved) this.touched.set(roomId, (moved = new Set()));
    for (const userId of userIds) moved.add(userId);
    this.schedule();
  }

  /** Writes every pending delivery and announces the touched rooms now. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.offs.forEach((off) => off());
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_EVERY_MS);
  }

  private async write(): Promise<void> {
    const deliveries = [...this.pending.values()];
    const touched = this.touched;
    this.pending = new Map();
    this.touched = new Map();
    try {
      for (const batch of chunks(deliveries)) {
        for (const { roomId, userId } of await this.writeDeliveries(batch)) {
          if (!touched.has(roomId)) touched.set(roomId, new Set());
          touched.get(roomId)!.add(userId);
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'could not record deliveries');
    }
    if (!touched.size) return;
    try {
      await this.announce(touched);
    } catch (err) {
      this.logger.error({ err }, 'could not announce receipts');
    }
  }

  /** One statement for a batch of deliveries (registered: the members' room lists show them); returns the memberships that moved. */
  private async writeDeliveries(batch: { roomId: string; userId: string; seq: number }[]): Promise<{ roomId: string; userId: string }[]> {
    const userIds = [...new Set(batch.map((d) => d.userId))];
    return registeredWrite(this.roomCache, { userIds }, () => this.updateDeliveries(batch));
  }

  private async updateDeliveries(batch: { roomId: string; userId: string; seq: number }[]): Promise<{ roomId: string; userId: string }[]> {
    const values = batch.map(() => '(?::uuid, ?::uuid, ?::bigint)').join(', ');
    // One-word aliases come back the same through the snake_case mappers of either driver.
    const result = await this.db.raw(
      `update memberships m set delivered_seq = least(v.seq, r.last_seq)
       from (values ${values}) as v(room_id, user_id, seq), rooms r
       where m.room_id = v.room_id and m.user_id = v.user_id and r.id = v.room_id
         and m.delivered_seq < least(v.seq, r.last_seq)
       returning m.room_id as room, m.user_id as member`,
      batch.flatMap((d) => [d.roomId, d.userId, d.seq]),
    );
    return (result.rows as { room: string; member: string }[]).map((row) => ({ roomId: row.room, userId: row.member }));
  }

  /**
   * One query for the touched rooms' minima and sizes, one for the moved members of the small
   * ones, then one `room.receipts` per room, unless it would repeat what this node last said.
   */
  private async announce(touched: Map<string, Set<string>>): Promise<void> {
    const roomIds = [...touched.keys()];
    const stats: RoomStats[] = [];
    for (const batch of chunks(roomIds)) stats.push(...(await this.roomStats(batch)));
    const small = stats.filter((s) => Number(s.members) <= LIMITS.receiptsRoomMembersMax);
    const keys = small.flatMap((s) => [...touched.get(s.roomId)!].map((userId) => [s.roomId, userId]));
    const moved = new Map<string, ReceiptDto[]>();
    for (const batch of chunks(keys)) {
      const rows = (await this.db('memberships')
        .whereIn(['room_id', 'user_id'], batch)
        .select('room_id', 'user_id', 'delivered_seq', 'read_seq')) as (ReceiptRow & { roomId: string })[];
      for (const row of rows) moved.set(row.roomId, [...(moved.get(row.roomId) ?? []), toReceipt(row)]);
    }

    const present = new Set<string>();
    for (const s of stats) {
      present.add(s.roomId);
      const minima = { deliveredSeq: Number(s.deliveredSeq), readSeq: Number(s.readSeq) };
      const members = Number(s.members) <= LIMITS.receiptsRoomMembersMax ? (moved.get(s.roomId) ?? []) : undefined;
      if (!this.announced.update(s.roomId, minima) && !members?.length) continue;
      this.events.emit('room.receipts', { roomId: s.roomId, ...minima, ...(members ? { members } : {}) });
    }
    // Rooms left without members (or deleted) have nothing to announce.
    for (const roomId of roomIds) if (!present.has(roomId)) this.announced.forget(roomId);
  }

  private async roomStats(roomIds: string[]): Promise<RoomStats[]> {
    return (await this.db('memberships')
      .whereIn('room_id', roomIds)
      .groupBy('room_id')
      .select('room_id')
      .min({ deliveredSeq: 'delivered_seq', readSeq: 'read_seq' })
      .count({ members: '*' })) as RoomStats[];
  }
}

/** The last minima seen per room, for a bounded number of rooms (the least recently updated go first). */
export class MinimaMemo {
  private readonly rooms = new Map<string, Minima>();

  constructor(private readonly max = REMEMBERED_ROOMS_MAX) {}

  /** Remembers the room's minima; false when they are the ones it held already. */
  update(roomId: string, { deliveredSeq, readSeq }: Minima): boolean {
    const last = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    this.rooms.set(roomId, { deliveredSeq, readSeq });
    if (this.rooms.size > this.max) this.rooms.delete(this.rooms.keys().next().value!);
    return last?.deliveredSeq !== deliveredSeq || last.readSeq !== readSeq;
  }

  forget(roomId: string): void {
    this.rooms.delete(roomId);
  }
}

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
