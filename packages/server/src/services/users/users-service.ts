import type { PageDto, UserDto, UserRole } from '@confab/protocol';
import type { Db } from '../../db/knex.js';
import { User } from '../../db/models/index.js';
import { ConflictError } from '../../errors.js';
import type { Actor } from '../actor.js';
import { decodeCursor, encodeCursor, likePattern, splitPage } from '../pagination.js';
import type { ListUsersInput, UpdateMeInput } from './schemas.js';
import { toUserDto } from './user-dto.js';

const SORT_KEY = "lower(coalesce(name, username, ''))";

export class UsersService {
  constructor(private readonly db: Db) {}

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
      if (taken) throw new ConflictError('That email is already registered');
    }
    const user = await User.query(this.db).patchAndFetchById(actor.id, input);
    return toUserDto(user, actor);
  }

  /** Marks the user as seen now (presence changes); returns that time. */
  /** Records that the user was just seen; returns when, and who they are (for presence announcements). */
  async touchLastSeen(userId: string): Promise<{ lastSeenAt: Date; appId: string | null; role: UserRole | null }> {
    const now = new Date();
    const [row] = await this.db('users').where({ id: userId }).update({ lastSeenAt: now }).returning(['app_id', 'role']);
    return { lastSeenAt: now, appId: row?.appId ?? null, role: row?.role ?? null };
  }

  /**
   * Members of the caller's app, except the caller, by name. Guests (site visitors) are never
   * listed: they reach people through support conversations, not a directory.
   */
  async list(actor: Actor, input: ListUsersInput): Promise<PageDto<UserDto>> {
    const query = User.query(this.db)
      .select('*', this.db.raw(`${SORT_KEY} as sort_key`))
      .where({ appId: actor.appId, kind: 'member' })
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
      const [sortKey, id] = decodeCursor(input.cursor, 2);
      query.whereRaw(`(${SORT_KEY}, id) > (?, ?)`, [String(sortKey), String(id)]);
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
