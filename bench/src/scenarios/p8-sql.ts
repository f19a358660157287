// P8's baseline: the queries Confab issues for the inbox list and the room list, copied from
// SupportService.inbox and RoomsService.list with their DTO loaders (services/support,
// services/rooms, services/messages) and checked against the server's knex query log, run
// straight through pg in the same stages: the page query, then the loaders together (the last
// messages' own loaders after them), as the server's Promise.all does.
import type pg from 'pg';

/** Activity order of the room lists (services/rooms/activity.ts). */
const ACTIVITY = "date_trunc('milliseconds', coalesce(rooms.last_message_at, rooms.created_at))";

interface RoomRow {
  id: string;
  kind: string;
  created_by: string | null;
  assignee_id: string | null;
  last_seq: string;
}

/** `(?, ?, …)` for `values`, numbered from `$first`. */
const list = (count: number, first = 1) => `(${Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ')})`;

/** The DTO loaders of a page of rooms as `viewerId` sees them (room-dto, conversation-dto, message-dto). */
async function loadPage(db: pg.Pool, rooms: RoomRow[], viewerId: string, withPeople: boolean): Promise<number> {
  if (!rooms.length) return 0;
  const ids = rooms.map((r) => r.id);
  const people = [...new Set(rooms.flatMap((r) => [r.created_by, r.assignee_id]).filter((id): id is string => !!id))];
  const withMessages = rooms.filter((r) => Number(r.last_seq) > 0);
  const directs = rooms.filter((r) => r.kind === 'direct').map((r) => r.id);
  const work: Promise<unknown>[] = [
    db.query(`select "room_id", count(*)::int as count from "memberships" where "room_id" in ${list(ids.length)} group by "room_id"`, ids),
    db.query(`select * from "memberships" where "room_id" in ${list(ids.length)} and "user_id" = $${ids.length + 1}`, [...ids, viewerId]),
    lastMessages(db, withMessages),
  ];
  if (directs.length) {
    work.push(
      db.query(
        `select "m"."room_id", "u"."id", "u"."kind", "u"."role", "u"."name", "u"."username", "u"."avatar_url"
         from "memberships" as "m" inner join "users" as "u" on "u"."id" = "m"."user_id"
         where "m"."room_id" in ${list(directs.length)} and not "m"."user_id" = $${directs.length + 1}`,
        [...directs, viewerId],
      ),
    );
  }
  if (withPeople && people.length) {
    work.push(
      db.query(
        `select "id", "kind", "role", "name", "username", "avatar_url", "email" from "users" where "id" in ${list(people.length)}`,
        people,
      ),
    );
  }
  await Promise.all(work);
  return rooms.length;
}

/** loadLastMessages and toMessageDtos: the rooms' last messages, then their senders, reactions and attachments. */
async function lastMessages(db: pg.Pool, rooms: RoomRow[]): Promise<void> {
  if (!rooms.length) return;
  const pairs = rooms.flatMap((r) => [r.id, Number(r.last_seq)]);
  const tuples = rooms.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
  const { rows } = await db.query<{ id: string; sender_id: string | null }>(
    `select "messages".* from "messages" where ("room_id", "seq") in (${tuples})`,
    pairs,
  );
  if (!rows.length) return;
  const ids = rows.map((m) => m.id);
  const senders = [...new Set(rows.map((m) => m.sender_id).filter((id): id is string => !!id))];
  await Promise.all([
    senders.length
      ? db.query(
          `select "id", "kind", "role", "name", "username", "avatar_url" from "users" where "id" in ${list(senders.length)}`,
          senders,
        )
      : null,
    db.query(
      `select "message_id", "emoji", array_agg(user_id::text order by created_at, user_id) as user_ids from "reactions"
       where "message_id" in ${list(ids.length)} group by "message_id", "emoji" order by min(created_at), emoji`,
      ids,
    ),
    db.query(`select * from "attachments" where "message_id" in ${list(ids.length)} order by "created_at" asc`, ids),
  ]);
}

/** The page query of `GET /v1/support/conversations?status=…&limit=…` (SupportService.inbox). */
export const INBOX_SQL = `select "rooms".*,
  (select count(*)::int from messages x
     where x.room_id = rooms.id and x.seq > coalesce(m.read_seq, 0) and x.type = 'text'
       and x.deleted_at is null and x.sender_id is distinct from $1) as unread,
  ${ACTIVITY} as activity_at
from "rooms" left join "memberships" as "m" on "m"."room_id" = "rooms"."id" and "m"."user_id" = $2
where "rooms"."app_id" = $3 and "rooms"."kind" = $4 and "rooms"."status" = $5
order by ${ACTIVITY} desc, rooms.id desc limit $6`;

/** The page query of `GET /v1/rooms` (RoomsService.list). */
export const ROOMS_SQL = `select "rooms".*, "memberships"."read_seq" as "my_read_seq", ${ACTIVITY} as activity_at
from "rooms" inner join "memberships" on "memberships"."room_id" = "rooms"."id"
where "memberships"."user_id" = $1 and "rooms"."app_id" = $2
order by ${ACTIVITY} desc, rooms.id desc limit $3`;

export const inboxParams = (agentId: string, appId: string, limit: number) => [agentId, agentId, appId, 'support', 'open', limit + 1];
export const roomsParams = (agentId: string, appId: string, limit: number) => [agentId, appId, limit + 1];

/** The agents' inbox (status open, `limit` per page), as the server reads it; returns the rows on the page. */
export async function inboxPage(db: pg.Pool, agentId: string, appId: string, limit: number): Promise<number> {
  const { rows } = await db.query<RoomRow>(INBOX_SQL, inboxParams(agentId, appId, limit));
  return loadPage(db, rows.slice(0, limit), agentId, true);
}

/** An agent's room list (`limit` per page), as the server reads it. */
export async function roomsPage(db: pg.Pool, agentId: string, appId: string, limit: number): Promise<number> {
  const { rows } = await db.query<RoomRow>(ROOMS_SQL, roomsParams(agentId, appId, limit));
  return loadPage(db, rows.slice(0, limit), agentId, false);
}
