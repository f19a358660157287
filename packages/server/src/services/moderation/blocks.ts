import type { BlockDto, PageDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { User } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { Actor } from '../actor.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import type { PageInput } from '../fields.js';
import { newestFirstPage } from '../pagination.js';

type Summary = Pick<User, 'id' | 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;
interface BlockRow extends Summary {
  createdAt: Date;
}

/** `(?, ?), …`: one row of a VALUES list per pair. */
const pairValues = (n: number) => Array.from({ length: n }, () => '(?::uuid, ?::uuid)').join(', ');

/**
 * Which of the (sender, other person) pairs have a block between them, either way round: one
 * query for a whole batch of sends into direct rooms. Keys are `sender:other`.
 */
export async function blockedPairs(db: Knex, pairs: readonly (readonly [string, string])[]): Promise<Set<string>> {
  if (!pairs.length) return new Set();
  const result = await db.raw(
    `select v.a, v.b from (values ${pairValues(pairs.length)}) as v(a, b)
     where exists (select 1 from user_blocks k
       where (k.blocker_id = v.a and k.blocked_id = v.b) or (k.blocker_id = v.b and k.blocked_id = v.a))`,
    pairs.flatMap(([a, b]) => [a, b]),
  );
  return new Set(((result.rows ?? result) as { a: string; b: string }[]).map((r) => `${r.a}:${r.b}`));
}

/** Refuses a direct room between two people when either has blocked the other. */
export async function refuseBlockedDirect(db: Knex, actorId: string, otherId: string): Promise<void> {
  if ((await blockedPairs(db, [[actorId, otherId]])).size) {
    throw new ForbiddenError('You cannot message this person');
  }
}

/**
 * People a user blocked. The server enforces it in direct rooms (neither opens one nor writes
 * into it while a block stands, either way round); in shared rooms the blocker's clients hide the
 * blocked person's messages from this list, the server does not filter history per viewer.
 */
export class BlocksService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, page: PageInput): Promise<PageDto<BlockDto>> {
    const query = this.db('user_blocks as k')
      .join('users as u', 'u.id', 'k.blocked_id')
      .where('k.blocker_id', actor.id)
      .select(...SUMMARY_COLUMNS.map((c) => `u.${c}`), 'k.created_at');
    const { items, ...rest } = await newestFirstPage<BlockRow>(
      query,
      { table: 'user_blocks', alias: 'k', key: 'blocked_id', scope: ['blocker_id', actor.id] },
      page,
      (row) => row.id,
    );
    return { items: items.map((row) => this.dto(row)), ...rest };
  }

  /** Idempotent: blocking again answers the standing block. */
  async block(actor: Actor, userId: string): Promise<BlockDto> {
    if (userId.toLowerCase() === actor.id) throw new ForbiddenError('You cannot block yourself');
    const user = (await this.db('users')
      .where({ id: userId, appId: actor.appId })
      .first(...SUMMARY_COLUMNS)) as Summary | undefined;
    if (!user) throw new NotFoundError('User');
    await this.db('user_blocks').insert({ blockerId: actor.id, blockedId: user.id }).onConflict(['blocker_id', 'blocked_id']).ignore();
    const row = (await this.db('user_blocks').where({ blockerId: actor.id, blockedId: user.id }).first('created_at')) as {
      createdAt: Date;
    };
    return this.dto({ ...user, createdAt: row.createdAt });
  }

  /** Idempotent: unblocking someone not blocked (or unknown) changes nothing. */
  async unblock(actor: Actor, userId: string): Promise<void> {
    await this.db('user_blocks').where({ blockerId: actor.id, blockedId: userId }).delete();
  }

  private dto(row: BlockRow): BlockDto {
    return { userId: row.id, user: toUserSummary(row), createdAt: new Date(row.createdAt).toISOString() };
  }
}
