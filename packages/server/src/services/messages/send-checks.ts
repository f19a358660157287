import type { MembershipRole } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Attachment } from '../../db/models/index.js';
import { AppError, ForbiddenError, RateLimitedError, ValidationError } from '../../errors.js';
import { type Actor, isStaff } from '../actor.js';
import { blockedPairs } from '../moderation/blocks.js';
import type { BumpedRoom } from '../room-version.js';
import { directMembers } from '../rooms/direct-key.js';
import type { Enrolled, SendRequest } from './send-batch.js';

// What a batch of sends checks under the room locks before it writes (send-batch.ts): membership,
// mutes and slow mode, blocks between the two people of a direct room, replies and uploads.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const memberKey = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;

/** A sender's membership as the send checks it (times in ms since epoch). */
interface SenderMembership {
  role: MembershipRole;
  mutedUntil: number | null;
  lastPostedAt: number | null;
}

export interface LockedRoom extends BumpedRoom {
  /** The batch's senders who are members, by user id. */
  members: Map<string, SenderMembership>;
  /** One message per this many seconds per member (0: off); owners, moderators and staff are exempt. */
  slowModeSeconds: number;
}

type LockedRooms = Map<string, LockedRoom>;

/**
 * Takes the row locks of the rooms in id order (two batches never wait on each other in a cycle),
 * with the memberships of `senderIds` in each (role, mute, last post) and the room's slow mode.
 */
export async function lockRooms(trx: Knex.Transaction, roomIds: string[], senderIds: string[]): Promise<Map<string, LockedRoom>> {
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
export async function enrolStaff(trx: Knex.Transaction, requests: readonly SendRequest[], rooms: LockedRooms): Promise<Enrolled[]> {
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
export async function acrossBlocks(trx: Knex.Transaction, requests: readonly SendRequest[], rooms: LockedRooms): Promise<Set<number>> {
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
export async function replyTargets(trx: Knex.Transaction, requests: readonly SendRequest[]): Promise<Map<string, string>> {
  const ids = [...new Set(requests.flatMap((r) => (r.input.replyTo ? [r.input.replyTo] : [])))].filter((id) => UUID.test(id));
  if (!ids.length) return new Map();
  const rows: { id: string; roomId: string }[] = await trx('messages').whereIn('id', ids).select('id', 'room_id');
  return new Map(rows.map((r) => [r.id, r.roomId]));
}

/** The uploads the sends attach, locked until commit (two sends never claim one upload). */
export async function lockUploads(trx: Knex.Transaction, requests: readonly SendRequest[]): Promise<Map<string, Attachment>> {
  const ids = [...new Set(requests.flatMap((r) => r.input.attachments ?? []))].filter((id) => UUID.test(id));
  if (!ids.length) return new Map();
  const rows: Attachment[] = await trx('attachments').whereIn('id', ids).orderBy('id').forUpdate();
  return new Map(rows.map((a) => [a.id, a]));
}

export interface Checks {
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
export function refusal({ actor, roomId, input }: SendRequest, checks: Checks, now: number): AppError | null {
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
