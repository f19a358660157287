import { LIMITS, type MessageDto, type PageDto, type RoomDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { type Message, type RoomRecord } from '../../db/models/index.js';
import { NotFoundError } from '../../errors.js';
import { CACHED_MESSAGES, type MessageCache } from '../../redis/message-cache.js';
import type { CachedRoom } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import { toMessageDtos } from '../dto/message-dto.js';
import { GroupCommit } from '../group-commit.js';
import { zip } from '../lists.js';
import { splitPage } from '../pagination.js';
import type { RoomAccess } from '../rooms/access.js';
import { directMembers } from '../rooms/direct-key.js';
import { RoomViews } from '../rooms/room-views.js';
import { sharedReads } from '../shared-read.js';
import { CatchUps } from './catch-up.js';
import type { ListMessagesInput } from './schemas.js';

export interface JoinedRoom {
  room: RoomDto;
  /** The room version the returned messages reflect. */
  version: number;
  messages: MessageDto[];
  hasMore: boolean;
  memberIds: string[];
}

interface LatestRows {
  version: number;
  /** Ascending seq. */
  messages: MessageDto[];
}

interface LatestRequest {
  roomId: string;
  limit: number;
}

const LATEST_BATCH = { maxBatch: 500, maxFlights: 2 };
/** Rooms whose parsed latest page a node keeps (about 25 KB each). */
const HELD_PAGES_MAX = 200;

/** A message changed at one room version, in its current state. */
export interface RoomChange {
  event: 'message:created' | 'message:updated' | 'message:deleted';
  version: number;
  message: MessageDto;
}

export interface RoomChanges {
  /** Where the room stands now. */
  lastSeq: number;
  version: number;
  /** People to reach on all their devices about new messages (direct rooms). */
  notifyUserIds: string[];
  /** In version order. */
  changes: RoomChange[];
  /** The answer covers the versions up to here: fewer than asked when more rows changed than one read carries. */
  through: number;
}

/** The most rows one `changesBetween` reads. */
export const CHANGES_MAX = 500;

const page = (items: MessageDto[], hasMore: boolean, cursor?: number): PageDto<MessageDto> => ({
  items,
  hasMore,
  ...(hasMore && cursor !== undefined ? { nextCursor: String(cursor) } : {}),
});

/** Reading messages: history pages (the latest from the cache), and catch-up after a reconnect. */
export class HistoryService {
  private readonly catchUps: CatchUps;
  private readonly views: RoomViews;
  /** Latest pages the cache could not give, read together (a crowd opening one room shares one read). */
  private readonly pages = new GroupCommit<LatestRequest, LatestRows>((batch) => this.readLatest(batch), LATEST_BATCH);
  /** Parsed cached pages of the rooms read most recently, by room, with the version they reflect. */
  private readonly heldPages = new Map<string, LatestRows>();

  constructor(
    private readonly db: Db,
    private readonly cache: MessageCache,
    private readonly access: RoomAccess,
  ) {
    this.catchUps = new CatchUps(db);
    this.views = new RoomViews(db);
  }

  /**
   * A page ordered by seq ascending. Without cursors: the latest page. `before` pages backwards
   * (older), `after` forwards (newer); `nextCursor` continues in that direction.
   */
  async list(actor: Actor, roomId: string, input: ListMessagesInput): Promise<PageDto<MessageDto>> {
    if (input.around !== undefined) return this.around(actor, roomId, input.around, input.limit);
    if (input.before === undefined && input.after === undefined && input.limit <= CACHED_MESSAGES)
      return this.cachedLatest(actor, roomId, input.limit);
    const { room } = await this.access.reader(actor, roomId);
    if (input.before === undefined && input.after === undefined) return this.latest(room, input.limit);
    const forward = input.after !== undefined;
    const query = this.messages(room.id).limit(input.limit + 1);
    if (input.before !== undefined) query.where('seq', '<', input.before);
    if (forward) query.where('seq', '>', input.after!).orderBy('seq', 'asc');
    else query.orderBy('seq', 'desc');
    const { items, hasMore } = splitPage((await query) as Message[], input.limit);
    const rows = forward ? items : items.reverse();
    const edge = forward ? rows[rows.length - 1] : rows[0];
    return page(await toMessageDtos(this.db, rows), hasMore, edge ? Number(edge.seq) : undefined);
  }

  /**
   * A page centred on one message of the room (a search result opened at its match): half the
   * page older than it, the rest from it on. `hasMore` and `nextCursor` are about older messages,
   * as on the latest page; newer ones follow with `after` the last seq.
   */
  private async around(actor: Actor, roomId: string, messageId: string, limit: number): Promise<PageDto<MessageDto>> {
    const { room } = await this.access.reader(actor, roomId);
    const target = (await this.messages(room.id).where({ id: messageId }).first('seq')) as Pick<Message, 'seq'> | undefined;
    if (!target) throw new NotFoundError('Message');
    const seq = Number(target.seq);
    // Half each side; near either end of the room the other side fills the page.
    const [older, newer] = (await Promise.all([
      this.messages(room.id)
        .where('seq', '<', seq)
        .orderBy('seq', 'desc')
        .limit(limit + 1),
      this.messages(room.id).where('seq', '>=', seq).orderBy('seq', 'asc').limit(limit),
    ])) as [Message[], Message[]];
    const olderCount = Math.min(older.length, Math.max(Math.floor(limit / 2), limit - newer.length));
    const hasMore = older.length > olderCount;
    const rows = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, limit - olderCount)];
    return page(await toMessageDtos(this.db, rows), hasMore, rows[0] ? Number(rows[0].seq) : undefined);
  }

  /**
   * What a member's device needs when it starts watching a room: the room, then either the latest
   * page or (with `since`) the catch-up, and who else is in it. `listen` runs once membership is
   * checked and before anything is read, so no change can fall between the read and the live
   * events. Concurrent joins (a reconnect storm) share their database reads.
   */
  async join(actor: Actor, roomId: string, since: number | undefined, listen: () => Promise<void>): Promise<JoinedRoom> {
    const { room } = await this.access.reader(actor, roomId);
    await listen();
    const [dto, history, memberIds] = await Promise.all([
      this.views.get(room.id, actor.id),
      since === undefined ? this.latest(room).then((p) => ({ messages: p.items, hasMore: p.hasMore })) : this.catchUps.get(room.id, since),
      this.memberIds(room.id),
    ]);
    return { room: dto, version: room.version, messages: history.messages, hasMore: history.hasMore, memberIds };
  }

  /** Whose presence a join reports (the first 200 members); shared by joins of one room arriving together. */
  private readonly memberIds = sharedReads(
    // Why async: a knex builder runs again on every `then`, so only a real promise is shared.
    async (roomId) =>
      this.db('memberships')
        .where({ roomId })
        .orderBy('joined_at')
        .limit(LIMITS.pageMax * 2)
        .pluck('user_id') as Promise<string[]>,
    100,
  );

  /**
   * The first page in one Redis round trip: membership, room and the cached page together. The
   * pages of the busiest rooms are also kept here, parsed, by version: Redis then only confirms
   * that the one held is current.
   */
  private async cachedLatest(actor: Actor, id: string, limit: number): Promise<PageDto<MessageDto>> {
    const roomId = id.toLowerCase();
    const held = this.heldPages.get(roomId);
    const { room, latest } = await this.access.reader(actor, roomId, { held: held?.version });
    if (latest === 'held' && held) return this.slice(held.messages, limit);
    // null: Redis had no page at this version; undefined: the room came from the database, not looked at.
    if (!latest || latest === 'held') return this.latest(room, limit, latest !== null);
    this.heldPages.delete(roomId);
    this.heldPages.set(roomId, { version: room.version, messages: latest });
    if (this.heldPages.size > HELD_PAGES_MAX) this.heldPages.delete(this.heldPages.keys().next().value!);
    return this.slice(latest, limit);
  }

  /** The latest `limit` messages: from the cache when it reflects the room's current version (unless known not to). */
  async latest(
    room: Pick<CachedRoom, 'id' | 'version'>,
    limit: number = LIMITS.pageDefault,
    tryCache = true,
  ): Promise<PageDto<MessageDto>> {
    if (tryCache && limit <= CACHED_MESSAGES) {
      const cached = await this.cache.read(room.id, room.version);
      if (cached) return this.slice(cached, limit);
    }
    const latest = await this.pages.submit({ roomId: room.id, limit });
    if (latest.version !== room.version) {
      // The room moved since it was checked, or was changed without telling the room cache: drop its entry.
      await this.access.cache.invalidate({ roomIds: [room.id] });
    }
    return this.slice(latest.messages, limit);
  }

  /**
   * The latest messages of each room (as many as the cache holds, or the largest page), in one
   * statement, so each room's rows and the version they are tagged with come from one snapshot;
   * each room's page then goes to the cache.
   */
  private async readLatest(batch: LatestRequest[]): Promise<PromiseSettledResult<LatestRows>[]> {
    const ids = [...new Set(batch.map((r) => r.roomId))];
    const limit = Math.max(CACHED_MESSAGES, ...batch.map((r) => r.limit));
    const rows = (await this.db
      .select('m.*', 'r.id as room_ref', 'r.version as room_version')
      .from('rooms as r')
      .joinRaw('left join lateral (select * from messages where room_id = r.id order by seq desc limit ?) m on true', [limit])
      .whereIn('r.id', ids)
      .orderBy([{ column: 'r.id' }, { column: 'm.seq', order: 'desc' }])) as (Message & { roomRef: string; roomVersion: number })[];
    const dtos = await toMessageDtos(
      this.db,
      rows.filter((r) => r.id),
    );
    const byRoom = new Map<string, LatestRows>();
    for (const row of rows) if (!byRoom.has(row.roomRef)) byRoom.set(row.roomRef, { version: Number(row.roomVersion), messages: [] });
    for (const dto of dtos) byRoom.get(dto.roomId)?.messages.unshift(dto);
    await Promise.all([...byRoom.entries()].map(([roomId, latest]) => this.cache.fill(roomId, latest.version, latest.messages)));
    return batch.map(({ roomId }) => {
      const latest = byRoom.get(roomId);
      return latest ? { status: 'fulfilled', value: latest } : { status: 'rejected', reason: new NotFoundError('Room') };
    });
  }

  /**
   * The room's changes with versions `fromVersion`..`toVersion`, for a node that missed their
   * announcements. Each version went to exactly one message row, so the rows carrying a version in
   * the range are those changes, in their current state (a row changed again later carries that
   * later version and comes with it). Null when the room does not exist.
   */
  async changesBetween(roomId: string, fromVersion: number, toVersion: number): Promise<RoomChanges | null> {
    const room = (await this.db('rooms').where({ id: roomId }).first('kind', 'direct_key', 'last_seq', 'version')) as
      Pick<RoomRecord, 'kind' | 'directKey' | 'lastSeq' | 'version'> | undefined;
    if (!room) return null;
    const rows = (await this.messages(roomId)
      .whereBetween('version', [fromVersion, toVersion])
      .orderBy('version')
      .limit(CHANGES_MAX)) as Message[];
    const dtos = await toMessageDtos(this.db, rows);
    const changes = zip(rows, dtos).map(([row, message]): RoomChange => ({
      event: Number(row.createdVersion) >= fromVersion ? 'message:created' : row.deletedAt ? 'message:deleted' : 'message:updated',
      version: Number(row.version),
      message,
    }));
    return {
      lastSeq: Number(room.lastSeq),
      version: Number(room.version),
      notifyUserIds: directMembers(room),
      changes,
      through: rows.length === CHANGES_MAX ? Number(rows.at(-1)?.version ?? toVersion) : toVersion,
    };
  }

  /** Where the room stands: its newest seq and version; null when it does not exist. */
  async head(roomId: string): Promise<{ lastSeq: number; version: number } | null> {
    const row = (await this.db('rooms').where({ id: roomId }).first('last_seq', 'version')) as
      Pick<RoomRecord, 'lastSeq' | 'version'> | undefined;
    return row ? { lastSeq: Number(row.lastSeq), version: Number(row.version) } : null;
  }

  private messages(roomId: string) {
    return this.db('messages').where({ roomId });
  }

  /**
   * The newest `limit` of the latest messages read (from the cache or the database, which read at
   * most `max(CACHED_MESSAGES, limit)`). Fewer than that means they are all the room has: no older
   * page, even where the history does not start at seq 1 (retention deleted its beginning).
   */
  private slice(messages: MessageDto[], limit: number): PageDto<MessageDto> {
    const items = messages.slice(-limit);
    const first = items[0];
    const all = messages.length < Math.max(CACHED_MESSAGES, limit);
    const hasMore = items.length < messages.length || (!all && first !== undefined && first.seq > 1);
    return page(items, hasMore, first?.seq);
  }
}
