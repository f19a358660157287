import { LIMITS, type MessageDto, type PageDto, type RoomDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { type Message, type RoomRecord } from '../../db/models/index.js';
import { CACHED_MESSAGES, type MessageCache } from '../../redis/message-cache.js';
import type { Actor } from '../actor.js';
import { zip } from '../lists.js';
import { splitPage } from '../pagination.js';
import { requireMember } from '../rooms/access.js';
import { directMembers } from '../rooms/direct-key.js';
import { toRoomDto } from '../rooms/room-dto.js';
import { sharedReads } from '../shared-read.js';
import { toMessageDtos } from './message-dto.js';
import type { ListMessagesInput } from './schemas.js';

export interface JoinedRoom {
  room: RoomDto;
  /** The room version the returned messages reflect. */
  version: number;
  messages: MessageDto[];
  hasMore: boolean;
  memberIds: string[];
}

export interface CatchUp {
  messages: MessageDto[];
  /** More new messages than one catch-up carries: page on with `after`. */
  hasMore: boolean;
}

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
  constructor(
    private readonly db: Db,
    private readonly cache: MessageCache,
  ) {}

  /**
   * A page ordered by seq ascending. Without cursors: the latest page. `before` pages backwards
   * (older), `after` forwards (newer); `nextCursor` continues in that direction.
   */
  async list(actor: Actor, roomId: string, input: ListMessagesInput): Promise<PageDto<MessageDto>> {
    const { room } = await requireMember(this.db, actor, roomId);
    if (input.before === undefined && input.after === undefined) return this.latest(room, input.limit);
    const forward = input.after !== undefined;
    const query = this.messages(roomId).limit(input.limit + 1);
    if (input.before !== undefined) query.where('seq', '<', input.before);
    if (forward) query.where('seq', '>', input.after!).orderBy('seq', 'asc');
    else query.orderBy('seq', 'desc');
    const { items, hasMore } = splitPage((await query) as Message[], input.limit);
    const rows = forward ? items : items.reverse();
    const edge = forward ? rows[rows.length - 1] : rows[0];
    return page(await toMessageDtos(this.db, rows), hasMore, edge ? Number(edge.seq) : undefined);
  }

  /**
   * What a member's device needs when it starts watching a room: the room, then either the latest
   * page or (with `since`) the catch-up, and who else is in it. `listen` runs once membership is
   * checked and before anything is read, so no change can fall between the read and the live events.
   */
  async join(actor: Actor, roomId: string, since: number | undefined, listen: () => Promise<void>): Promise<JoinedRoom> {
    const { room } = await requireMember(this.db, actor, roomId);
    await listen();
    const [dto, history, memberIds] = await Promise.all([
      toRoomDto(this.db, room, actor.id),
      since === undefined
        ? this.latest(room).then((p) => ({ messages: p.items, hasMore: p.hasMore, version: Number(room.version) }))
        : this.catchUp(roomId, since).then((c) => ({ ...c, version: Number(room.version) })),
      this.memberIds(roomId),
    ]);
    return { room: dto, version: history.version, messages: history.messages, hasMore: history.hasMore, memberIds };
  }

  /** Whose presence a join reports (the first 200 members); shared by joins of one room arriving together. */
  private readonly memberIds = sharedReads(
    (roomId) =>
      this.db('memberships')
        .where({ roomId })
        .orderBy('joined_at')
        .limit(LIMITS.pageMax * 2)
        .pluck('user_id') as Promise<string[]>,
    100,
  );

  /** The latest `limit` messages: from the cache when it reflects the room's current version. */
  async latest(room: RoomRecord, limit: number = LIMITS.pageDefault): Promise<PageDto<MessageDto>> {
    if (limit <= CACHED_MESSAGES) {
      const cached = await this.cache.read(room.id, Number(room.version));
      if (cached) return this.slice(cached, limit);
    }
    // One statement, so the rows and the version they are tagged with come from one snapshot.
    const rows = (await this.db
      .select('m.*', 'r.version as room_version')
      .from('rooms as r')
      .joinRaw('left join lateral (select * from messages where room_id = r.id order by seq desc limit ?) m on true', [
        Math.max(limit, CACHED_MESSAGES),
      ])
      .where('r.id', room.id)) as (Message & { roomVersion: number })[];
    const version = Number(rows[0]?.roomVersion ?? room.version);
    const dtos = await toMessageDtos(this.db, rows.filter((r) => r.id).reverse());
    await this.cache.fill(room.id, version, dtos);
    return this.slice(dtos, limit);
  }

  /**
   * What a client holding everything up to `since` is missing: every later message, and the
   * older ones changed since `since` was created (edits, deletes, reactions): after merging by
   * id, its state equals a fresh fetch.
   */
  async catchUp(roomId: string, since: number): Promise<CatchUp> {
    const base = this.db('messages').select('created_version').where({ roomId }).where('seq', '<=', since).orderBy('seq', 'desc').limit(1);
    const rows = (await this.messages(roomId)
      .where((q) => {
        q.where('seq', '>', since).orWhere('version', '>', base);
      })
      .orderBy('seq', 'asc')
      .limit(LIMITS.catchUpMax + 1)) as Message[];
    const { items, hasMore } = splitPage(rows, LIMITS.catchUpMax);
    return { messages: await toMessageDtos(this.db, items), hasMore };
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

  private slice(messages: MessageDto[], limit: number): PageDto<MessageDto> {
    const items = messages.slice(-limit);
    const first = items[0];
    return page(items, first !== undefined && first.seq > 1, first?.seq);
  }
}
