import { randomUUID } from 'node:crypto';

import type { MessageSendInput, SystemEventDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { type Attachment, Message } from '../../db/models/index.js';
import { type AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { type Actor, isStaff } from '../actor.js';
import type { BumpedRoom } from './room-version.js';

/** One `message:send` (socket) or `POST /v1/rooms/:id/messages` (REST). */
export interface SendRequest {
  actor: Actor;
  roomId: string;
  input: Omit<MessageSendInput, 'roomId'>;
}

/** What became of one send of a batch. */
export type SendOutcome =
  /** Stored now. `followUps`: system messages it caused (a conversation reopened), after it in seq order. */
  | { kind: 'created'; message: Message; followUps: Message[]; room: BumpedRoom; files: Attachment[] }
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

/** Messages already stored for these (sender, clientId) pairs, by pair. */
export async function findStored(db: Knex, requests: readonly SendRequest[]): Promise<Map<string, Message>> {
  if (!requests.length) return new Map();
  const rows = await Message.query(db).whereRaw(`(sender_id, client_id) in (${valuesList(requests.length, ['uuid', 'text'])})`, [
    ...requests.flatMap((r) => [r.actor.id, r.input.clientId]),
  ]);
  return new Map(rows.map((m) => [sendKey(m.senderId!, m.clientId!), m]));
}

interface LockedRoom extends BumpedRoom {
  lastMessageAt: Date | null;
}

/** Takes the rows locks of the rooms in id order (two batches never wait on each other in a cycle). */
async function lockRooms(trx: Knex.Transaction, roomIds: string[]): Promise<Map<string, LockedRoom>> {
  const ids = roomIds.filter((id) => UUID.test(id)).sort();
  if (!ids.length) return new Map();
  const rows: LockedRoom[] = await trx('rooms')
    .whereIn('id', ids)
    .orderBy('id')
    .forUpdate()
    .select('id', 'app_id', 'kind', 'direct_key', 'status', 'created_by', 'last_seq', 'version', 'last_message_at');
  return new Map(rows.map((r) => [r.id, { ...r, lastSeq: Number(r.lastSeq), version: Number(r.version) }]));
}

/**
 * Which senders are members of the rooms they write to. Agents and admins writing into a support
 * conversation become members on their first message (role `agent`), as when they open it.
 */
async function members(trx: Knex.Transaction, requests: readonly SendRequest[], rooms: Map<string, LockedRoom>): Promise<Set<string>> {
  if (!requests.length) return new Set();
  const rows: { roomId: string; userId: string }[] = await trx('memberships')
    .whereRaw(
      `(room_id, user_id) in (${valuesList(requests.length, ['uuid', 'uuid'])})`,
      requests.flatMap((r) => [r.roomId, r.actor.id]),
    )
    .select('room_id', 'user_id');
  const found = new Set(rows.map((r) => memberKey(r.roomId, r.userId)));
  const enrol = new Map<string, { roomId: string; userId: string; role: 'agent' }>();
  for (const { roomId, actor } of requests) {
    const key = memberKey(roomId, actor.id);
    if (!found.has(key) && rooms.get(roomId)?.kind === 'support' && isStaff(actor))
      enrol.set(key, { roomId, userId: actor.id, role: 'agent' });
  }
  if (enrol.size) {
    await trx('memberships')
      .insert([...enrol.values()])
      .onConflict(['room_id', 'user_id'])
      .ignore();
    for (const key of enrol.keys()) found.add(key);
  }
  return found;
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
  members: Set<string>;
  replies: Map<string, string>;
  uploads: Map<string, Attachment>;
  /** Uploads claimed by earlier sends of this batch. */
  claimed: Set<string>;
}

/** Why this send cannot be written (checked under the room lock), or null when it can. */
function refusal({ actor, roomId, input }: SendRequest, checks: Checks): AppError | null {
  if (!checks.members.has(memberKey(roomId, actor.id))) return new ForbiddenError('You are not a member of this room');
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
  for (const id of files) checks.claimed.add(id);
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

/**
 * Hands out each room's next seqs and versions in one statement: a room gets as many as it has
 * new rows, so seq stays gap-free and follows commit order (the rows are locked until commit).
 */
async function bumpRooms(trx: Knex.Transaction, plans: RoomPlan[]): Promise<Map<string, { lastSeq: number; version: number }>> {
  const result = await trx.raw(
    `update rooms set last_seq = rooms.last_seq + v.n, version = rooms.version + v.n, last_message_at = now(),
       status = case when v.reopen then 'open' else rooms.status end,
       resolved_at = case when v.reopen then null else rooms.resolved_at end,
       updated_at = case when v.reopen then now() else rooms.updated_at end
     from (values ${valuesList(plans.length, ['uuid', 'int', 'boolean'])}) as v(id, n, reopen)
     where rooms.id = v.id
     returning rooms.id, rooms.last_seq as "lastSeq", rooms.version`,
    plans.flatMap((p) => [p.room.id, p.rows.length, p.reopen]),
  );
  const rows: { id: string; lastSeq: string | number; version: string | number }[] = result.rows ?? result;
  return new Map(rows.map((r) => [r.id, { lastSeq: Number(r.lastSeq), version: Number(r.version) }]));
}

/** The rows to insert for one room, numbered from the seq and version its bump ended at. */
function rowsOf(roomPlan: RoomPlan, bumped: { lastSeq: number; version: number }, requests: readonly SendRequest[]): Partial<Message>[] {
  const first = { seq: bumped.lastSeq - roomPlan.rows.length + 1, version: bumped.version - roomPlan.rows.length + 1 };
  return roomPlan.rows.map((row, n) => {
    const { actor, input } = requests[row.request]!;
    const numbered = {
      id: row.id,
      roomId: roomPlan.room.id,
      seq: first.seq + n,
      version: first.version + n,
      createdVersion: first.version + n,
    };
    if (row.note) {
      const meta: SystemEventDto = { event: 'reopened', actorId: actor.id };
      return { ...numbered, senderId: actor.id, type: 'system', meta, text: REOPENED };
    }
    return { ...numbered, senderId: actor.id, clientId: input.clientId, text: input.text, replyToId: input.replyTo ?? null };
  });
}

async function linkUploads(trx: Knex.Transaction, links: { uploadId: string; messageId: string }[]): Promise<void> {
  if (!links.length) return;
  await trx.raw(
    `update attachments set message_id = v.message_id from (values ${valuesList(links.length, ['uuid', 'uuid'])}) as v(id, message_id)
     where attachments.id = v.id`,
    links.flatMap((l) => [l.uploadId, l.messageId]),
  );
}

/** Senders have seen their own messages: their read and delivered watermarks move up to them. */
async function raiseWatermarks(trx: Knex.Transaction, marks: Map<string, { roomId: string; userId: string; seq: number }>): Promise<void> {
  if (!marks.size) return;
  const rows = [...marks.values()].sort((a, b) => a.roomId.localeCompare(b.roomId) || a.userId.localeCompare(b.userId));
  await trx.raw(
    `update memberships m set read_seq = greatest(m.read_seq, v.seq), delivered_seq = greatest(m.delivered_seq, v.seq)
     from (values ${valuesList(rows.length, ['uuid', 'uuid', 'bigint'])}) as v(room_id, user_id, seq)
     where m.room_id = v.room_id and m.user_id = v.user_id`,
    rows.flatMap((r) => [r.roomId, r.userId, r.seq]),
  );
}

/**
 * Writes a batch of sends in the caller's transaction: each room locked once, every check made
 * under the lock, one multi-row insert, one bump of every room's seq, one update of the senders'
 * watermarks. A send that fails a check fails alone and takes no seq; a database error throws and
 * the caller's transaction takes every send with it.
 */
export async function writeSends(trx: Knex.Transaction, requests: readonly SendRequest[]): Promise<SendOutcome[]> {
  const outcomes = new Array<SendOutcome>(requests.length);
  const rooms = await lockRooms(trx, [...new Set(requests.map((r) => r.roomId))]);
  // After the locks: a retry racing its original in the same room sees it committed.
  const stored = await findStored(trx, requests);
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
    else {
      firstOf.set(key, i);
      candidates.push(i);
    }
  });

  const asked = candidates.map((i) => requests[i]!);
  const memberSet = await members(trx, asked, rooms);
  const replies = await replyTargets(trx, asked);
  const uploads = await lockUploads(trx, asked);
  const checks: Checks = { rooms, members: memberSet, replies, uploads, claimed: new Set() };
  const accepted = candidates.filter((i) => {
    const error = refusal(requests[i]!, checks);
    if (error) outcomes[i] = { kind: 'failed', error };
    return !error;
  });
  if (!accepted.length) return outcomes;

  const plans = [...plan(requests, accepted, rooms).values()];
  const bumped = await bumpRooms(trx, plans);
  const inserted = await Message.query(trx)
    .insert(plans.flatMap((p) => rowsOf(p, bumped.get(p.room.id)!, requests)))
    .returning('*');
  const byId = new Map(inserted.map((m) => [m.id, m]));

  const links: { uploadId: string; messageId: string }[] = [];
  const marks = new Map<string, { roomId: string; userId: string; seq: number }>();
  for (const roomPlan of plans) {
    const { lastSeq, version } = bumped.get(roomPlan.room.id)!;
    const room: BumpedRoom = { ...roomPlan.room, lastSeq, version, status: roomPlan.reopen ? 'open' : roomPlan.room.status };
    for (const row of roomPlan.rows) {
      const message = byId.get(row.id)!;
      const { actor, input } = requests[row.request]!;
      if (row.note) {
        const outcome = outcomes[row.request];
        if (outcome?.kind === 'created') outcome.followUps.push(message);
        continue;
      }
      const files = (input.attachments ?? []).map((id) => ({ ...uploads.get(id)!, messageId: message.id }) as Attachment);
      links.push(...files.map((f) => ({ uploadId: f.id, messageId: message.id })));
      marks.set(memberKey(room.id, actor.id), { roomId: room.id, userId: actor.id, seq: Number(message.seq) });
      outcomes[row.request] = { kind: 'created', message, followUps: [], room, files };
    }
  }
  await linkUploads(trx, links);
  await raiseWatermarks(trx, marks);
  return outcomes;
}
