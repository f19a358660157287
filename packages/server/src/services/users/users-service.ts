import type { PageDto, UserDto, UserRole } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { User } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, ForbiddenError } from '../../errors.js';
import type { Actor } from '../actor.js';
import { toUserDto } from '../dto/user-dto.js';
import { decodeCursor, encodeCursor, likePattern, splitPage } from '../pagination.js';
import type { ListUsersInput, UpdateMeInput } from './schemas.js';

const SORT_KEY = "lower(coalesce(name, username, ''))";
const EMAIL_UNAVAILABLE = 'That email cannot be used';

export class UsersService {
  constructor(private readonly db: Db) {}

  async exists(appId: string, userId: string): Promise<boolean> {
    return !!(await this.db('users').where({ id: userId, appId }).first('id'));
  }

  /** The app role of a user of the app; null when the app has no such user. */
  async roleOf(appId: string, userId: string): Promise<UserRole | null> {
    const row = (await this.db('users').where({ id: userId, appId }).first('role')) as { role: UserRole } | undefined;
    return row?.role ?? null;
  }

  async me(actor: Actor): Promise<UserDto> {
    const user = await User.query(this.db).findById(actor.id).throwIfNotFound();
    return toUserDto(user, actor);
  }

  async updateMe(actor: Actor, input: UpdateMeInput): Promise<UserDto> {
    if (input.email && actor.kind === 'member') {
      const taken = await this.db('users')
        .where({ appId: actor.appId, kind: 'member' })
        .whereRaw('lower(email) = lower(?)', [input.email])
        .whereNot('id', actor.id)
        .first('id');
      // Says no more than register does: not that the email has an account.
      if (taken) throw new ConflictError(EMAIL_UNAVAILABLE);
    }
    const user = await User.query(this.db)
      .patchAndFetchById(actor.id, input)
      .catch((err: unknown) => {
        if (dbErrorCode(err) === '23505') throw new ConflictError(EMAIL_UNAVAILABLE);
        throw err;
      });
    return toUserDto(user, actor);
  }

  /**
   * The rooms that hear each user's presence live: theirs of at most `maxMembers` members. One
   * query for the users of a burst of connections (rooms.presenceRoomIdsOf asks for one user).
   */
  async presenceRooms(userIds: string[], maxMembers: number): Promise<Map<string, string[]>> {
    const rows = (await this.db('memberships as m')
      .whereIn('m.user_id', userIds)
      .whereRaw('(select count(*) from (select 1 from memberships o where o.room_id = m.room_id limit ?) capped) <= ?', [
        maxMembers + 1,
        maxMembers,
      ])
      .select('m.user_id', 'm.room_id')) as { userId: string; roomId: string }[];
    const rooms = new Map<string, string[]>(userIds.map((id) => [id, []]));
    for (const { userId, roomId } of rows) rooms.get(userId)?.push(roomId);
    return rooms;
  }

  /** Records that the user was just seen; returns when, and who they are (for presence announcements). */
  async touchLastSeen(userId: string): Promise<{ lastSeenAt: Date; appId: string | null; role: UserRole | null }> {
    const now = new Date();
    const [row] = await this.db('users').where({ id: userId }).update({ lastSeenAt: now }).returning(['app_id', 'role']);
    return { lastSeenAt: now, appId: row?.appId ?? null, role: row?.role ?? null };
  }

  /**
   * Members of the caller's app, except the caller, by name. Guests (site visitors) neither are
   * listed nor may list: they reach people through support conversations, not a directory.
   */
  async list(actor: Actor, input: ListUsersInput): Promise<PageDto<UserDto>> {
    if (actor.kind === 'guest') throw new ForbiddenError('Guests cannot list the people of this app; start a support conversation instead');
    const query = User.query(this.db)
      .select('*', this.db.raw(`${SORT_KEY} as sort_key`))
      .where({ appId: actor.appId, kind: 'member' })
      // Erased people are no one to find (their row stays, anonymised, for their tombstones).
      .whereNull('erased_at')
      .whereNot('id', actor.id)
      .orderByRaw(`${SORT_KEY} asc, id asc`)
      .limit(input.limit + 1);
    if (input.q) {
      const pattern = likePattern(input.q);
      query.where((q) => {
        q.where('username', 'ilike', pattern)
          .orWhere('name', 'ilike', pattern)
          .orWhere('last_name', 'ilike', pattern)
          .orWhereRaw("(name || ' ' || coalesce(last_name, '')) ilike ?", [pattern]);
        if (actor.role !== 'user') q.orWhere('email', 'ilike', pattern);
      });
    }
    if (input.cursor) {
      const [sortKey, id] = decodeCursor(input.cursor, ['string', 'uuid']);
      query.whereRaw(`(${SORT_KEY}, id) > (?, ?)`, [sortKey, id]);
    }
    const rows = (await query) as (User & { sortKey: string })[];
    const { items, hasMore } = splitPage(rows, input.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((u) => toUserDto(u, actor)),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([last.sortKey, last.id]) } : {}),
    };
  }
}
