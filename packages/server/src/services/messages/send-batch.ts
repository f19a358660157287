import { randomUUID } from 'node:crypto';

import type { MembershipRole, MessageSendInput, UserSummaryDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { type Attachment, Message } from '../../db/models/index.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import { type Actor, isStaff } from '../actor.js';
import { blockedPairs } from '../moderation/blocks.js';
import type { BumpedRoom } from '../room-version.js';
import { directMembers } from '../rooms/direct-key.js';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REOPENED = 'Conversation reopened';

/** The idempotency key of a send. */
export const sendKey = (senderId: string, clientId: string) => `${senderId}\u0000${clientId}`;
const memberKey = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;

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

/** A sender's membership as the send checks it (times in ms since epoch). */
interface SenderMembership {
  role: MembershipRole;
  mutedUntil: number | null;
  lastPostedAt: number | null;
}

interface LockedRoom extends BumpedRoom {
  /** The batch's senders who are members, by user id. */
  members: Map<string, SenderMembership>;
  /** One message per this many seconds per member (0: off); owners, moderators and staff are exempt. */
  slowModeSeconds: number;
}

/**
 * Takes the row locks of the rooms in id order (two batches never wait on each other in a cycle),
 * with the memberships of `senderIds` in each (role, mute, last post) and the room's slow mode.
 */
async function lockRooms(trx: Knex.Transaction, roomIds: string[], senderIds: string[]): Promise<Map<string, LockedRoom>> {
  const ids = roomIds.filter((id) => UUID.test(id)).sort();
  if (!ids.length) return new Map();
  const result = await trx.raw(
    `select r.id, r.app_id as "appId", r.kind, r.direct_key as "directKey", r.status, r.created_by as "createdBy",
       r.last_seq as "lastSeq", r.version, r.slow_mode_seconds as "slowModeSeconds",
       coalesce((select json_agg(json_build_object('userId', m.user_id, 'role', m.role,
           'mutedUntil', (extract(epoch from m.muted_until) * 1000)::float8,
           'lastPostedAt', (extract(epoch from m.last_posted_at) * 1000)::float8))
         from memberships m where m.room_id = r.id and m.user_id = any(?::uuid[])), '[]'::json) as members
     from rooms r where r.id = any(?::uuid[]) order by r.id for update of r`,
    [senderIds, ids],
  );
  const rows: (Omit<LockedRoom, 'members'> & { members: (SenderMembership & { userId: string })[] | string })[] = result.rows;
  return new Map(
    rows.map((r) => {
      const members = typeof r.members === 'string' ? (JSON.parse(r.members) as (SenderMembership & { userId: string })[]) : r.members;
      return [
        r.id,
        {
          ...r,
          lastSeq: Number(r.lastSeq),
          version: Number(r.version),
          slowModeSeconds: Number(r.slowModeSeconds ?? 0),
          members: new Map(members.map(({ userId, ...m }) => [userId, m])),
        },
      ];
    }),
  );
}

/**
 * Which senders may write to the rooms they write to. Agents and admins writing into a support
 * conversation become members on their first message (role `agent`), as when they open it.
 */
async function enrolStaff(trx: Knex.Transaction, requests: readonly SendRequest[], rooms: Map<string, LockedRoom>): Promise<Enrolled[]> {
  const enrol = new Map<string, { roomId: string; userId: string; role: 'agent' }>();
  for (const { roomId, actor } of requests) {
    const room = rooms.get(roomId);
    if (room?.kind === 'support' && isStaff(actor) && !room.members.has(actor.id))
      enrol.set(memberKey(roomId, actor.id), { roomId, userId: actor.id, role: 'agent' });
  }
  if (!enrol.size) return [];
  await trx('memberships')
    .insert([...enrol.values()])
    .onConflict(['room_id', 'user_id'])
    .ignore();
  for (const { roomId, userId } of enrol.values()) {
    rooms.get(roomId)!.members.set(userId, { role: 'agent', mutedUntil: null, lastPostedAt: null });
  }
  return [...enrol.values()];
}

/** The sends into direct rooms across a block, either way round (one query for the batch). */
async function acrossBlocks(trx: Knex.Transaction, requests: readonly SendRequest[], rooms: Map<string, LockedRoom>): Promise<Set<number>> {
  const pairs = new Map<number, [string, string]>();
  requests.forEach(({ actor, roomId }, i) => {
    const room = rooms.get(roomId);
    const people = room ? directMembers(room) : [];
    const other = people.find((id) => id !== actor.id);
    if (other && people.includes(actor.id)) pairs.set(i, [actor.id, other]);
  });
  const blocked = await blockedPairs(trx, [...pairs.values()]);
  return new Set([...pairs].filter(([, [a, b]]) => blocked.has(`${a}:${b}`)).map(([i]) => i));
}

/** The rooms of the messages replied to, by message id. */
async function replyTargets(trx: Knex.Transaction, requests: readonly SendRequest[]): Promise<Map<string, string>> {
  const ids = [...new Set(requests.flatMap((r) => (r.input.replyTo ? [r.input.replyTo] : [])))].filter((id) => UUID.test(id));
  if (!ids.length) return new Map();
  const rows: { id: string; roomId: string }[] = await trx('messages').whereIn('id', ids).select('id', 'room_id');
  return new Map(rows.map((r) => [r.id, r.roomId]));
}

/** The uploads the sends attach, locked until commit (two sends never claim one upload). */
async function lockUploads(trx: Knex.Transaction, requests: readonly SendRequest[]): Promise<Map<string, Attachment>> {
  const ids = [...new Set(requests.flatMap((r) => r.input.attachments ?? []))].filter((id) => UUID.test(id));
  if (!ids.length) return new Map();
  const rows: Attachment[] = await trx('attachments').whereIn('id', ids).orderBy('id').forUpdate();
  return new Map(rows.map((a) => [a.id, a]));
}

interface Checks {
  rooms: Map<string, LockedRoom>;
  replies: Map<string, string>;
  uploads: Map<string, Attachment>;
  /** Uploads claimed by earlier sends of this batch. */
  claimed: Set<string>;
}

/** Slow mode holds back members; the room's owners and moderators and the app's staff write freely. */
const slowed = (actor: Actor, member: SenderMembership) => !isStaff(actor) && member.role !== 'owner' && member.role !== 'moderator';

/**
 * Why this send cannot be written (checked under the room lock), or null when it can. An accepted
 * send in a slow-mode room counts as the sender's last post, so their next one in the batch waits.
 */
function refusal({ actor, roomId, input }: SendRequest, checks: Checks, now: number): AppError | null {
  const room = checks.rooms.get(roomId);
  const member = room?.members.get(actor.id);
  if (!room || !member) return new ForbiddenError('You are not a member of this room');
  if (member.mutedUntil !== null && member.mutedUntil > now) {
    const mutedUntil = new Date(member.mutedUntil).toISOString();
    return new AppError('forbidden', `You are muted in this room until ${mutedUntil}`, { mutedUntil });
  }
  if (input.replyTo && checks.replies.get(input.replyTo) !== roomId) {
    return new ValidationError('replyTo must be a message of this room', [{ path: 'body.replyTo', message: 'not a message of this room' }]);
  }
  const files = input.attachments ?? [];
  const usable = (id: string) => {
    const upload = checks.uploads.get(id);
    return upload && upload.uploaderId === actor.id && upload.appId === actor.appId && !upload.messageId && !checks.claimed.has(id);
  };
  if (!files.every(usable)) {
    return new ValidationError('Attachments must be your own uploads, not yet sent', [
      { path: 'body.attachments', message: 'unknown or already sent attachment' },
    ]);
  }
  const waitMs =
    room.slowModeSeconds > 0 && slowed(actor, member) && member.lastPostedAt !== null
      ? member.lastPostedAt + room.slowModeSeconds * 1000 - now
      : 0;
  if (waitMs > 0) {
    return new RateLimitedError(Math.ceil(waitMs), `Slow mode: one message every ${room.slowModeSeconds} seconds`, {
      slowModeSeconds: room.slowModeSeconds,
    });
  }
  for (const id of files) checks.claimed.add(id);
  if (room.slowModeSeconds > 0) member.lastPostedAt = now;
  return null;
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
