import type { MessageDto, PageDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { ValidationError } from '../../errors.js';
import type { Actor } from '../actor.js';
import type { PageInput } from '../fields.js';
import { decodeCursor, encodeCursor, splitPage } from '../pagination.js';
import type { MessagesService } from './messages-service.js';

/**
 * A person's own messages across every room they wrote in, newest first: what they said, wherever
 * (their data, so membership since left does not hide it). Deleted messages and system events are
 * left out. The cursor is the last message's id; the page goes on from its exact time, read from
 * the row in SQL, so messages of one millisecond are never skipped or repeated.
 */
export class MyMessages {
  constructor(
    private readonly db: Db,
    private readonly messages: MessagesService,
  ) {}

  async list(actor: Actor, page: PageInput): Promise<PageDto<MessageDto>> {
    const query = this.db('messages')
      .where({ senderId: actor.id, type: 'text' })
      .whereNull('deletedAt')
      .orderBy([
        { column: 'createdAt', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit + 1)
      .select('id');
    if (page.cursor) {
      const [id] = decodeCursor(page.cursor, ['uuid']);
      const known = await this.db('messages').where({ id, senderId: actor.id }).first('id');
      if (!known) throw new ValidationError('The cursor names none of your messages', [{ path: 'query.cursor', message: 'unknown' }]);
      // The row's own time, compared in SQL: a JavaScript Date would drop its microseconds.
      query.whereRaw('(created_at, id) < (select created_at, id from messages where id = ?)', [id]);
    }
    const { items, hasMore } = splitPage((await query) as { id: string }[], page.limit);
    const dtos = new Map((await this.messages.dtosOf(items.map((r) => r.id))).map((m) => [m.id, m]));
    const last = items.at(-1);
    return {
      items: items.flatMap((r) => dtos.get(r.id) ?? []),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([last.id]) } : {}),
    };
  }
}
