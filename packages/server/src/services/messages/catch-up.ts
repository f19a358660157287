import { LIMITS, type MessageDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import type { Message } from '../../db/models/index.js';
import { toMessageDtos } from '../dto/message-dto.js';
import { GroupCommit } from '../group-commit.js';
import { splitPage } from '../pagination.js';

export interface CatchUp {
  messages: MessageDto[];
  /** More new messages than one catch-up carries: page on with `after`. */
  hasMore: boolean;
}

interface Request {
  roomId: string;
  since: number;
}

type Row = Message & { baseVersion: number | null };

/** The rows every catch-up of a room from `since` onwards needs, read once. */
interface Shared {
  since: number;
  /** created_version of the newest message at or before `since`: older messages changed after it count too. */
  base: number | null;
  rows: Row[];
  /** More rows exist after the last one. */
  truncated: boolean;
}

// Batches are read one after another while a storm lasts: each takes one connection, so joins
// leave the pool to the sends.
const BATCH = { maxBatch: 2_000, maxFlights: 2 };

/**
 * What a client holding everything up to `since` is missing: every later message, and the older
 * ones changed since `since` was created (edits, deletes, reactions); after merging by id, its
 * state equals a fresh fetch. Concurrent catch-ups (a reconnect storm) share their reads: one
 * query gives every room of the batch its rows from the lowest `since` asked, and each request
 * gets its own slice (exactly the answer of its own query; those whose slice the shared rows cannot
 * tell are read again together, from their own lowest `since`). A batch is read after its requests were made, never
 * before: a joining socket listens before it asks, so no change falls between.
 */
export class CatchUps {
  private readonly batches = new GroupCommit<Request, CatchUp>((batch) => this.read(batch), BATCH);

  constructor(private readonly db: Db) {}

  get(roomId: string, since: number): Promise<CatchUp> {
    return this.batches.submit({ roomId, since });
  }

  private async read(batch: Request[]): Promise<PromiseSettledResult<CatchUp>[]> {
    const lowest = new Map<string, number>();
    for (const { roomId, since } of batch) lowest.set(roomId, Math.min(lowest.get(roomId) ?? since, since));
    const shared = await this.sharedRows(lowest);
    const slices = batch.map(({ roomId, since }) => slice(shared.get(roomId)!, since));
    const rows = new Map<string, Row>();
    for (const rowsOf of slices) for (const row of rowsOf ?? []) rows.set(row.id, row);
    const dtos = new Map((await toMessageDtos(this.db, [...rows.values()])).map((m) => [m.id, m]));
    // The rest read together again, from their own lowest `since`: each round answers at least those asking from it.
    const rest = batch.filter((_, i) => !slices[i]);
    const later = rest.length ? await this.read(rest) : [];
    return batch.map((_, i): PromiseSettledResult<CatchUp> => {
      const own = slices[i];
      if (!own) return later.shift()!;
      const { items, hasMore } = splitPage(own, LIMITS.catchUpMax);
      return { status: 'fulfilled', value: { messages: items.map((row) => dtos.get(row.id)!), hasMore } };
    });
  }

  /** One query: for each room, the rows of a catch-up from its lowest `since` (one past the limit). */
  private async sharedRows(lowest: Map<string, number>): Promise<Map<string, Shared>> {
    const rooms = [...lowest.entries()];
    const rows = (await this.db
      .select('m.*', 'b.base as base_version')
      .from(
        this.db.raw(
          `(values ${rooms.map(() => '(?::uuid, ?::bigint)').join(', ')}) as q(room_id, since)`,
          rooms.flatMap(([roomId, since]) => [roomId, since]),
        ),
      )
      .joinRaw(
        `left join lateral (select created_version as base from messages
           where room_id = q.room_id and seq <= q.since order by seq desc limit 1) b on true`,
      )
      .joinRaw(
        `join lateral (select * from messages where room_id = q.room_id and (seq > q.since or version > b.base)
           order by seq asc limit ?) m on true`,
        [LIMITS.catchUpMax + 1],
      )
      .orderBy([
        { column: 'm.room_id', order: 'asc' },
        { column: 'm.seq', order: 'asc' },
      ])) as Row[];
    const shared = new Map<string, Shared>();
    for (const [roomId, since] of rooms) shared.set(roomId, { since, base: null, rows: [], truncated: false });
    for (const row of rows) {
      const entry = shared.get(row.roomId)!;
      entry.rows.push(row);
      entry.base = row.baseVersion === null ? null : Number(row.baseVersion);
    }
    for (const entry of shared.values()) entry.truncated = entry.rows.length > LIMITS.catchUpMax;
    return shared;
  }
}

/**
 * A request's rows out of its room's shared rows (in seq order, one past the limit), or null when
 * they cannot be told from them. The shared rows hold every message after the lowest `since` up to
 * the last one read, and every older one changed after that `since`'s base; a later `since` has a
 * later base (created versions grow with seq), so its rows are among them.
 */
function slice(shared: Shared, since: number): Row[] | null {
  if (since === shared.since) return shared.rows;
  const last = shared.rows.at(-1);
  if (shared.truncated && last && since > Number(last.seq)) return null;
  let base = shared.base;
  for (const row of shared.rows) {
    const seq = Number(row.seq);
    if (seq > shared.since && seq <= since) base = Number(row.createdVersion);
  }
  const own = shared.rows.filter((row) => Number(row.seq) > since || (base !== null && Number(row.version) > base));
  // Past the end of what was read, more of this request's rows may exist: only a full page is certain.
  return shared.truncated && own.length <= LIMITS.catchUpMax ? null : own;
}
