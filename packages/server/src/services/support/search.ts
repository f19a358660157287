import { LIMITS, type MessageDto, type PageDto, type SupportSearchQuery, type SupportSearchResultDto } from '@confab/protocol';
import Joi from 'joi';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { type Message, RoomRecord } from '../../db/models/index.js';
import { type Actor, requireStaff } from '../actor.js';
import { toConversationDtos } from '../dto/conversation-dto.js';
import { toMessageDtos } from '../dto/message-dto.js';
import { type WithDefaults } from '../fields.js';
import { zip } from '../lists.js';
import { cursorSchema, decodeCursor, encodeCursor, splitPage } from '../pagination.js';
import { unreadColumn } from './support-service.js';

export type SearchInput = WithDefaults<SupportSearchQuery, 'limit'>;

export const searchSchema = Joi.object<SearchInput>({
  q: Joi.string().trim().min(1).max(LIMITS.searchQueryMax).required(),
  limit: Joi.number().integer().min(1).max(LIMITS.searchPageMax).default(LIMITS.searchPageDefault),
  cursor: cursorSchema,
});

// The indexed expressions of migration 008, on this query's aliases: PostgreSQL uses an expression
// index only for the same expression (support-search.test.ts checks the plan).
const MESSAGE_VECTOR = "to_tsvector('simple'::regconfig, m.text)";
const PERSON_VECTOR =
  "to_tsvector('simple'::regconfig, coalesce(u.name, '') || ' ' || coalesce(u.last_name, '') || ' ' || " +
  "coalesce(u.username, '') || ' ' || coalesce(u.email, '') || ' ' || replace(coalesce(u.email, ''), '@', ' '))";
const ROOM_ACTIVITY = "timezone('UTC', date_trunc('milliseconds', timezone('UTC', coalesce(r.last_message_at, r.created_at))))";
const MESSAGE_AT = "timezone('UTC', date_trunc('milliseconds', timezone('UTC', m.created_at)))";
// Written out where it is used (not a CTE): a constant the planner can match against the indexes.
const TSQUERY = "to_tsquery('simple'::regconfig, ?)";
// ts_rank is a float4: scaled to an integer, so the cursor carries it exactly.
const RANK_SCALE = 1_000_000;

interface Hit {
  room: string;
  message: string | null;
  seq: number | null;
  rank: number;
  at: Date | string;
}

/**
 * A `to_tsquery` text from what an agent typed: each word quoted (quotes and backslashes, the only
 * characters special inside quotes, are dropped), all of them required, the last also as a prefix.
 * The text goes to PostgreSQL as a bound value; the `simple` parser then splits each word as it
 * split the indexed text (an email stays one lexeme, `foo-bar` becomes a phrase). Null when nothing
 * searchable is left.
 */
export function toPrefixQuery(q: string): string | null {
  const words = q
    .split(/[\s'\\]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, 32);
  if (!words.length) return null;
  return words.map((w, i) => `'${w}'${i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

type Cursor = readonly [rank: number, at: string, roomId: string];

/**
 * The search itself: conversations whose messages or visitor match the `to_tsquery` text `query`,
 * best first, `limit` of them after `after`. Exported for the test that reads its plan.
 */
export function hitsQuery(db: Db, appId: string, query: string, limit: number, after: Cursor | null): Knex.Raw {
  // A future filter for non-agents (`m.type <> 'note'`) goes beside `m.type <> 'system'`; only agents search today.
  return db.raw(
    `with by_message as (
       select distinct on (m.room_id) m.room_id as room, m.id as message, m.seq as seq,
              round(ts_rank(${MESSAGE_VECTOR}, ${TSQUERY}) * ${RANK_SCALE})::int as rank, ${MESSAGE_AT} as at
       from messages m join rooms r on r.id = m.room_id
       where ${MESSAGE_VECTOR} @@ ${TSQUERY} and m.deleted_at is null and m.type <> 'system'
         and r.app_id = ? and r.kind = 'support'
       order by m.room_id, rank desc, at desc, m.seq desc
     ),
     by_visitor as (
       select r.id as room, null::uuid as message, null::bigint as seq,
              round(ts_rank(${PERSON_VECTOR}, ${TSQUERY}) * ${RANK_SCALE})::int as rank, ${ROOM_ACTIVITY} as at
       from users u join rooms r on r.created_by = u.id
       where ${PERSON_VECTOR} @@ ${TSQUERY} and u.app_id = ? and r.app_id = ? and r.kind = 'support'
         and not exists (select 1 from by_message b where b.room = r.id)
     ),
     found as (select * from by_message union all select * from by_visitor)
     select room, message, seq, rank, at from found
     ${after ? 'where (rank, at, room) < (?, ?::timestamptz, ?::uuid)' : ''}
     order by rank desc, at desc, room desc
     limit ?`,
    [query, query, appId, query, query, appId, appId, ...(after ?? []), limit],
  );
}

/**
 * Agents' search of the app's support conversations: by the words of messages (not tombstones, not
 * system messages), and by the visitor's name, username and email. One result per conversation,
 * with its best match, best rank first, newest first among equals.
 */
export class SupportSearch {
  constructor(private readonly db: Db) {}

  async search(actor: Actor, input: SearchInput): Promise<PageDto<SupportSearchResultDto>> {
    requireStaff(actor, 'Only agents and admins of this app can search conversations');
    const after = input.cursor ? decodeCursor(input.cursor, ['int', 'iso-date', 'uuid']) : null;
    const query = toPrefixQuery(input.q);
    if (!query) return { items: [], hasMore: false };
    const hits = await this.hits(actor.appId, query, input.limit, after);
    const { items, hasMore } = splitPage(hits, input.limit);
    const last = items[items.length - 1];
    return {
      items: await this.results(actor, items),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([last.rank, new Date(last.at).toISOString(), last.room]) } : {}),
    };
  }

  /** The conversations matching `query` after the cursor: one row past `limit`. */
  private async hits(appId: string, query: string, limit: number, after: Cursor | null): Promise<Hit[]> {
    const result = await hitsQuery(this.db, appId, query, limit + 1, after);
    return ((result.rows ?? result) as Hit[]).map((h) => ({ ...h, seq: h.seq === null ? null : Number(h.seq), rank: Number(h.rank) }));
  }

  /** Each hit as the inbox shows its conversation, with the match and its neighbours. */
  private async results(actor: Actor, hits: Hit[]): Promise<SupportSearchResultDto[]> {
    if (!hits.length) return [];
    const roomIds = hits.map((h) => h.room);
    const rooms = (await RoomRecord.query(this.db)
      .select('rooms.*', unreadColumn(this.db, actor.id))
      .leftJoin('memberships as m', (j) => j.on('m.room_id', 'rooms.id').andOnVal('m.user_id', actor.id))
      .whereIn('rooms.id', roomIds)) as (RoomRecord & { unread: number })[];
    const byId = new Map(rooms.map((r) => [r.id, r]));
    const ordered = roomIds.map((id) => byId.get(id)).filter((r): r is RoomRecord & { unread: number } => !!r);
    const conversations = new Map(
      zip(ordered, await toConversationDtos(this.db, ordered, actor.id)).map(([row, dto]) => [
        row.id,
        { ...dto, unreadCount: Number(row.unread) },
      ]),
    );

    const matched = hits.filter((h) => h.seq !== null);
    // The match and the message either side of it, for every hit, in one query.
    const pairs = matched.flatMap((h) => [-1, 0, 1].flatMap((d) => [h.room, h.seq! + d]));
    const placeholders = matched.flatMap(() => Array<string>(3).fill('(?::uuid, ?::bigint)')).join(', ');
    const rows = matched.length
      ? ((await this.db('messages')
          .whereRaw(`(room_id, seq) in (${placeholders})`, pairs)
          .orderBy([{ column: 'room_id' }, { column: 'seq' }])) as Message[])
      : [];
    const dtos = new Map<string, MessageDto>((await toMessageDtos(this.db, rows)).map((dto) => [`${dto.roomId}:${dto.seq}`, dto]));
    const at = (room: string, seq: number) => dtos.get(`${room}:${seq}`);

    return hits.flatMap((h) => {
      const conversation = conversations.get(h.room);
      if (!conversation) return [];
      const message = h.seq === null ? undefined : at(h.room, h.seq);
      const before = h.seq === null ? undefined : at(h.room, h.seq - 1);
      const after = h.seq === null ? undefined : at(h.room, h.seq + 1);
      return [{ conversation, message: message ?? null, before: before ? [before] : [], after: after ? [after] : [] }];
    });
  }
}
