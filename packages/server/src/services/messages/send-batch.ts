import { randomUUID } from 'node:crypto';

import type { MessageSendInput, UserSummaryDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { type Attachment, Message } from '../../db/models/index.js';
import { type AppError, ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import { type Actor, isStaff } from '../actor.js';
import type { BumpedRoom } from '../room-version.js';
import { acrossBlocks, type Checks, enrolStaff, type LockedRoom, lockRooms, lockUploads, refusal, replyTargets } from './send-checks.js';

/** One `message:send` (socket) or `POST /v1/rooms/:id/messages` (REST). */
export interface SendRequest {
  actor: Actor;
  roomId: string;
  input: Omit<MessageSendInput, 'roomId'>;
}

/** A member the batch added (an agent's first message into a support conversation). */
export interface Enrolled {
  roomId: string;
  userId: string;
  role: 'agent';
}

/** What a batch wrote: each send's fate, and the members it added (whatever became of their sends). */
export interface WrittenSends {
  outcomes: SendOutcome[];
  enrolled: Enrolled[];
}

/** What became of one send of a batch. */
export type SendOutcome =
  /** Stored now. `followUps`: system messages it caused (a conversation reopened), after it in seq order. */
  | { kind: 'created'; message: WrittenRow; followUps: WrittenRow[]; room: BumpedRoom; files: Attachment[] }
  /** A retry of a message stored before: nothing new was written. */
  | { kind: 'stored'; message: Message }
  /** The same send (sender and clientId) twice in one batch: answered as request `of` is. */
  | { kind: 'same'; of: number }
  | { kind: 'failed'; error: AppError };

const REOPENED = 'Conversation reopened';

/** The idempotency key of a send. */
export const sendKey = (senderId: string, clientId: string) => `${senderId}\u0000${clientId}`;

/** `(?, ?), (?, ?)` for rows of `width` bindings each, with a cast per column. */
function valuesList(rows: number, casts: string[]): string {
  const row = `(${casts.map((cast) => `?::${cast}`).join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

/** Ids as the database spells them (a UUID may arrive in capitals), so they match the rows read back. */
function lowerCaseIds({ actor, roomId, input }: SendRequest): SendRequest {
  const { replyTo, attachments } = input;
  return {
    actor,
    roomId: roomId.toLowerCase(),
    input: { ...input, replyTo: replyTo?.toLowerCase(), attachments: attachments?.map((id) => id.toLowerCase()) },
  };
}

/** Messages already stored for these (sender, clientId) pairs, by pair. */
export async function findStored(db: Knex, requests: readonly SendRequest[]): Promise<Map<string, Message>> {
  if (!requests.length) return new Map();
  const rows = await Message.query(db).whereRaw(`(sender_id, client_id) in (${valuesList(requests.length, ['uuid', 'text'])})`, [
    ...requests.flatMap((r) => [r.actor.id, r.input.clientId]),
  ]);
  return new Map(rows.map((m) => [sendKey(m.senderId!, m.clientId!), m]));
}

/** A row to insert, in its room's seq order. `request`: the send it belongs to. */
interface PlannedRow {
  request: number;
  id: string;
  note: boolean;
}

interface RoomPlan {
  room: LockedRoom;
  rows: PlannedRow[];
  /** A visitor's message reopens a resolved or pending conversation (once per batch). */
  reopen: boolean;
}

function plan(requests: readonly SendRequest[], accepted: number[], rooms: Map<string, LockedRoom>): Map<string, RoomPlan> {
  const plans = new Map<string, RoomPlan>();
  for (const i of accepted) {
    const { actor, roomId } = requests[i]!;
    const room = rooms.get(roomId)!;
    let roomPlan = plans.get(roomId);
    if (!roomPlan) plans.set(roomId, (roomPlan = { room, rows: [], reopen: false }));
    roomPlan.rows.push({ request: i, id: randomUUID(), note: false });
    if (room.kind === 'support' && room.status !== 'open' && !roomPlan.reopen && !isStaff(actor)) {
      roomPlan.reopen = true;
      roomPlan.rows.push({ request: i, id: randomUUID(), note: true });
    }
  }
  return plans;
}

const RETURNED = `i.id, i.room_id as "roomId", i.seq, i.version, i.created_version as "createdVersion", i.sender_id as "senderId", i.type,
  i.meta, i.client_id as "clientId", i.text, i.reply_to_id as "replyToId", i.created_at as "createdAt", i.edited_at as "editedAt",
  i.deleted_at as "deletedAt",
  json_build_object('id', u.id, 'kind', u.kind, 'role', u.role, 'name', u.name, 'lastName', u.last_name, 'username', u.username,
    'avatarUrl', u.avatar_url)
    as sender`;

/** A message as the batch wrote it, with its sender as messages show them. */
export type WrittenRow = Message & { sender: UserSummaryDto };

/**
 * The batch's writes in one statement. `bumped` hands out each room's next seqs and versions
 * (a room gets as many as it has new rows, so seq stays gap-free and follows commit order: the
 * rows are locked until commit); `inserted` is the one multi-row insert, numbered from what
 * `bumped` returned; `marks` raises the senders' read and delivered watermarks to their own
 * messages; `linked` attaches the uploads. The rows come back with their senders.
 */
async function writeRows(trx: Knex.Transaction, plans: RoomPlan[], requests: readonly SendRequest[]): Promise<WrittenRow[]> {
  const bindings: unknown[] = [];
  const values = (rows: unknown[][], casts: string[]) => {
    for (const row of rows) bindings.push(...row);
    return valuesList(rows.length, casts);
  };
  const roomRows = plans.map((p) => [p.room.id, p.rows.length, p.reopen]);
  const messageRows = plans.flatMap((p) =>
    p.rows.map((row, n) => {
      const { actor, input } = requests[row.request]!;
      const back = p.rows.length - 1 - n;
      return row.note
        ? [row.id, p.room.id, back, actor.id, null, REOPENED, null, 'system', JSON.stringify({ event: 'reopened', actorId: actor.id })]
        : [row.id, p.room.id, back, actor.id, input.clientId, input.text, input.replyTo ?? null, 'text', null];
    }),
  );
  const links = plans.flatMap((p) =>
    p.rows.flatMap((row) => (row.note ? [] : (requests[row.request]!.input.attachments ?? []).map((id) => [id, row.id]))),
  );
  const sql = `with bumped as (
      update rooms set last_seq = rooms.last_seq + v.n, version = rooms.version + v.n, last_message_at = now(),
        status = case when v.reopen then 'open' else rooms.status end,
        resolved_at = case when v.reopen then null else rooms.resolved_at end,
        updated_at = case when v.reopen then now() else rooms.updated_at end
      from (values ${values(roomRows, ['uuid', 'int', 'boolean'])}) as v(id, n, reopen)
      where rooms.id = v.id
      returning rooms.id, rooms.last_seq, rooms.version, rooms.slow_mode_seconds
    ), inserted as (
      insert into messages (id, room_id, seq, version, created_version, sender_id, client_id, text, reply_to_id, type, meta)
      select r.id, r.room_id, b.last_seq - r.back, b.version - r.back, b.version - r.back, r.sender_id, r.client_id, r.text,
        r.reply_to_id, r.type, r.meta
      from (values ${values(messageRows, ['uuid', 'uuid', 'int', 'uuid', 'text', 'text', 'uuid', 'text', 'jsonb'])})
        as r(id, room_id, back, sender_id, client_id, text, reply_to_id, type, meta)
      join bumped b on b.id = r.room_id
      returning *
    ), marks as (
      update memberships m set read_seq = greatest(m.read_seq, x.seq), delivered_seq = greatest(m.delivered_seq, x.seq),
        last_posted_at = case when b.slow_mode_seconds > 0 then now() else m.last_posted_at end
      from (select room_id, sender_id, max(seq) as seq from inserted where type <> 'system' group by room_id, sender_id) as x
      join bumped b on b.id = x.room_id
      where m.room_id = x.room_id and m.user_id = x.sender_id
    )${
      links.length
        ? `, linked as (
      update attachments set message_id = l.message_id from (values ${values(links, ['uuid', 'uuid'])}) as l(id, message_id)
      where attachments.id = l.id
    )`
        : ''
    }
    select ${RETURNED} from inserted i join users u on u.id = i.sender_id`;
  const result = await trx.raw(sql, bindings as Knex.RawBinding[]);
  return result.rows as WrittenRow[];
}

/**
 * Writes a batch of sends in the caller's transaction: each room locked once, every check made
 * under the lock, one multi-row insert, one bump of every room's seq, one update of the senders'
 * watermarks. A send that fails a check fails alone and takes no seq; a database error throws and
 * the caller's transaction takes every send with it.
 */
export async function writeSends(
  trx: Knex.Transaction,
  sends: readonly SendRequest[],
  options: { checkStored: boolean } = { checkStored: true },
): Promise<WrittenSends> {
  const requests = sends.map(lowerCaseIds);
  const outcomes = new Array<SendOutcome>(requests.length);
  const rooms = await lockRooms(trx, [...new Set(requests.map((r) => r.roomId))], [...new Set(requests.map((r) => r.actor.id))]);
  // After the locks: a retry racing its original in the same room sees it committed. (A caller that
  // checked just before may skip this: a retry committed in between fails the insert on its unique key.)
  const stored = options.checkStored ? await findStored(trx, requests) : new Map<string, Message>();
  const blocked = await acrossBlocks(trx, requests, rooms);
  const firstOf = new Map<string, number>();
  const candidates: number[] = [];
  requests.forEach(({ actor, roomId, input }, i) => {
    const key = sendKey(actor.id, input.clientId);
    const earlier = stored.get(key)?.roomId ?? (firstOf.has(key) ? requests[firstOf.get(key)!]!.roomId : undefined);
    if (earlier !== undefined && earlier !== roomId) {
      outcomes[i] = { kind: 'failed', error: new ConflictError('This clientId was already used for a message in another room') };
    } else if (stored.has(key)) outcomes[i] = { kind: 'stored', message: stored.get(key)! };
    else if (firstOf.has(key)) outcomes[i] = { kind: 'same', of: firstOf.get(key)! };
    else if (rooms.get(roomId)?.appId !== actor.appId) outcomes[i] = { kind: 'failed', error: new NotFoundError('Room') };
    else if (blocked.has(i)) outcomes[i] = { kind: 'failed', error: new ForbiddenError('You cannot message this person') };
    else {
      firstOf.set(key, i);
      candidates.push(i);
    }
  });

  const asked = candidates.map((i) => requests[i]!);
  const enrolled = await enrolStaff(trx, asked, rooms);
  const checks: Checks = { rooms, replies: await replyTargets(trx, asked), uploads: await lockUploads(trx, asked), claimed: new Set() };
  const now = Date.now();
  const accepted = candidates.filter((i) => {
    const error = refusal(requests[i]!, checks, now);
    if (error) outcomes[i] = { kind: 'failed', error };
    return !error;
  });
  if (!accepted.length) return { outcomes, enrolled };

  const plans = [...plan(requests, accepted, rooms).values()];
  const byId = new Map((await writeRows(trx, plans, requests)).map((m) => [m.id, m]));
  for (const roomPlan of plans) {
    const { members: _members, slowModeSeconds: _slowMode, ...locked } = roomPlan.room;
    const added = roomPlan.rows.length;
    const room: BumpedRoom = {
      ...locked,
      lastSeq: locked.lastSeq + added,
      version: locked.version + added,
      status: roomPlan.reopen ? 'open' : locked.status,
    };
    for (const row of roomPlan.rows) {
      const message = byId.get(row.id)!;
      const outcome = outcomes[row.request];
      if (row.note) {
        if (outcome?.kind === 'created') outcome.followUps.push(message);
        continue;
      }
      const files = (requests[row.request]!.input.attachments ?? []).map(
        (id) => ({ ...checks.uploads.get(id)!, messageId: message.id }) as Attachment,
      );
      outcomes[row.request] = { kind: 'created', message, followUps: [], room, files };
    }
  }
  return { outcomes, enrolled };
}
