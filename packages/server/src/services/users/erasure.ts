import type { EraseMeInput, ErasureDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { type App, User } from '../../db/models/index.js';
import { ForbiddenError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RevokedSessions } from '../../redis/revoked-sessions.js';
import type { RoomCache } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import type { DomainEvents } from '../events.js';
import type { ModerationLog } from '../moderation/audit.js';
import { KEY_COLUMNS, storageKeys, type UploadStorage } from '../uploads/storage.js';
import type { Outbox } from '../webhooks/outbox.js';
import { checkErasureProof } from './erasure-proof.js';

/** Rows changed per transaction: a person with 100,000 messages never holds a room's lock for long. */
export const ERASURE_BATCH = 500;
/** How long a request waits for its erasure before answering `pending` (the run goes on). */
const ANSWER_WITHIN_MS = 10_000;
/** Unfinished erasures one housekeeping round resumes. */
const RESUME_PER_ROUND = 20;
export const ERASED_NAME = 'Deleted user';

/** `self`, `admin`, `operator` or `retention` (user_erasures.requested_by). */
export type ErasureRequester = 'self' | 'admin' | 'operator' | 'retention';

interface ErasureRow {
  userId: string;
  appId: string;
  requestedBy: ErasureRequester;
  requestedAt: Date;
  finishedAt: Date | null;
}

export interface ErasureRunOptions {
  /** Stops after this many batches, as a crash would (the next run goes on from there). */
  maxBatches?: number;
}

const toDto = (row: ErasureRow): ErasureDto => ({
  userId: row.userId,
  status: row.finishedAt ? 'done' : 'pending',
  requestedAt: new Date(row.requestedAt).toISOString(),
  finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
});

/**
 * Erasure of a person's data (docs/moderation.md, "Erasure"). The intent is committed first
 * (`user_erasures`), then each step runs in bounded batches and is idempotent, so a run that
 * stops anywhere (a crash, a timeout) is finished by the next one (a repeated request, or
 * housekeeping's `resumePending`):
 * 1. their sessions end (and again at the end, for one opened meanwhile);
 * 2. mails to their address and of their conversations go, and their unsubscribe row;
 * 3. the profile is anonymised (name "Deleted user"; username, email, external id, password,
 *    avatar and metadata cleared), so nobody signs in as them again;
 * 4. their messages become tombstones (text '', `deleted_at` set, seq kept: rooms stay gap-free),
 *    each batch one room's transaction that gives every changed message its own room version,
 *    so caches and catch-up see the change; the reactions on them go too;
 * 5. their reactions on others' messages, their uploads (bytes, then rows), their blocks and
 *    reports, their notes' text and their ratings' comments;
 * 6. the erasure is marked finished with its `user.erased` audit entry and webhook; the rooms they
 *    were in hear `user:erased`, and their sockets close.
 */
export class Erasure {
  constructor(
    private readonly deps: {
      db: Db;
      events: DomainEvents;
      revoked: RevokedSessions;
      storage: UploadStorage;
      roomCache: RoomCache;
      log: ModerationLog;
      outbox: Outbox;
      logger: Logger;
    },
  ) {}

  /**
   * `DELETE /v1/me`: with the password (members who have one) or a host token signed at most
   * `LIMITS.erasureTokenMaxAgeSeconds` ago for their external id; guests (neither) need no more
   * than their session.
   */
  async eraseMe(actor: Actor, app: App, input: EraseMeInput): Promise<ErasureDto> {
    const user = await User.query(this.deps.db).findOne({ id: actor.id, appId: actor.appId });
    if (!user) throw new ForbiddenError('Your account is gone');
    if (!user.erasedAt) await checkErasureProof(user, app, input);
    return this.start(actor.appId, actor.id, 'self');
  }

  /** Commits the intent (once), then runs it for up to a few seconds: `done`, or `pending` while it goes on. */
  async start(appId: string, userId: string, requestedBy: ErasureRequester): Promise<ErasureDto> {
    const { db, logger } = this.deps;
    await db('user_erasures').insert({ userId, appId, requestedBy }).onConflict('user_id').ignore();
    const run = this.run(userId).catch((err: Error) => {
      logger.warn({ err: err.message, userId }, 'erasure stopped halfway; housekeeping resumes it');
      return false;
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ANSWER_WITHIN_MS);
      timer.unref();
    });
    await Promise.race([run, waited]);
    clearTimeout(timer);
    return toDto((await db('user_erasures').where({ userId }).first()) as ErasureRow);
  }

  /** Commits the intent and runs it to the end (retention's erasure of idle guests); true once finished. */
  async erase(appId: string, userId: string, requestedBy: ErasureRequester): Promise<boolean> {
    await this.deps.db('user_erasures').insert({ userId, appId, requestedBy }).onConflict('user_id').ignore();
    return this.run(userId);
  }

  /** Housekeeping: finishes erasures that stopped halfway; answers how many it finished. */
  async resumePending(): Promise<number> {
    const pending = (await this.deps
      .db('user_erasures')
      .whereNull('finished_at')
      .orderBy('requested_at')
      .limit(RESUME_PER_ROUND)
      .pluck('user_id')) as string[];
    let finished = 0;
    for (const userId of pending) if (await this.run(userId)) finished++;
    return finished;
  }

  /** Carries out (the rest of) an erasure whose intent is committed; true once it is finished. */
  async run(userId: string, options: ErasureRunOptions = {}): Promise<boolean> {
    const { db } = this.deps;
    const job = (await db('user_erasures').where({ userId }).first()) as ErasureRow | undefined;
    if (!job) return false;
    if (job.finishedAt) return true;
    let batches = options.maxBatches ?? Infinity;
    const more = () => batches-- > 0;
    await this.endSessions(userId);
    const user = await User.query(db).findById(userId);
    if (!user) return false;
    if (!user.erasedAt) {
      await this.forgetMail(user);
      await this.anonymise(userId);
    }
    for (;;) {
      if (!more()) return false;
      if (!(await this.tombstoneBatch(job.appId, userId))) break;
    }
    for (;;) {
      if (!more()) return false;
      if (!(await this.reactionsBatch(job.appId, userId))) break;
    }
    for (;;) {
      if (!more()) return false;
      if (!(await this.uploadsBatch(userId))) break;
    }
    await this.dropOwnRows(userId);
    await this.endSessions(userId);
    await this.finish(job);
    return true;
  }

  /** Ends every open session of theirs, on every node. */
  private async endSessions(userId: string): Promise<void> {
    const { db, revoked, events } = this.deps;
    const rows = (await db('refresh_tokens')
      .where({ userId })
      .whereNull('revoked_at')
      .update({ revokedAt: new Date() })
      .returning('family_id')) as { familyId: string }[];
    const sessionIds = [...new Set(rows.map((r) => r.familyId))];
    if (!sessionIds.length) return;
    await revoked.revoke(sessionIds);
    for (const sessionId of sessionIds) events.emit('session.ended', { userId, sessionId });
  }

  /** Mails to their address or of their conversations (they quote their words), and their unsubscribe row. */
  private async forgetMail(user: User): Promise<void> {
    const { db } = this.deps;
    const theirRooms = db('rooms').where({ appId: user.appId, kind: 'support', createdBy: user.id }).select('id');
    await db('mail_outbox')
      .where({ appId: user.appId })
      .where((q) => {
        q.whereIn('room_id', theirRooms);
        if (user.email) q.orWhereRaw('lower("to") = lower(?)', [user.email]);
      })
      .delete();
    if (user.email) await db('mail_unsubscribes').where({ appId: user.appId, address: user.email.toLowerCase() }).delete();
  }

  private async anonymise(userId: string): Promise<void> {
    await this.deps
      .db('users')
      .where({ id: userId })
      .update({
        name: ERASED_NAME,
        lastName: null,
        username: null,
        email: null,
        avatarUrl: null,
        externalId: null,
        passwordHash: null,
        metadata: JSON.stringify({}),
        erasedAt: new Date(),
      });
  }

  /** One batch of their messages made tombstones, room by room; false when none is left. */
  private async tombstoneBatch(appId: string, userId: string): Promise<boolean> {
    const rows = (await this.deps
      .db('messages')
      .where({ senderId: userId })
      .whereNot('type', 'system')
      .where((q) => void q.whereNull('deleted_at').orWhereNot('text', ''))
      // Newest first: the messages most in sight (cached pages, open clients) go first.
      .orderBy([{ column: 'room_id' }, { column: 'seq', order: 'desc' }])
      .limit(ERASURE_BATCH)
      .select('id', 'room_id')) as { id: string; roomId: string }[];
    for (const [roomId, ids] of byRoom(rows)) {
      await this.changeMessages(appId, roomId, ids, async (trx) => {
        await trx('reactions').whereIn('message_id', ids).delete();
        await trx('messages')
          .whereIn('id', ids)
          .update({ text: '', deletedAt: trx.raw('coalesce(deleted_at, now())') });
      });
    }
    return rows.length > 0;
  }

  /** One batch of their reactions on others' messages removed; false when none is left. */
  private async reactionsBatch(appId: string, userId: string): Promise<boolean> {
    const rows = (await this.deps
      .db('reactions as x')
      .join('messages as m', 'm.id', 'x.message_id')
      .where('x.user_id', userId)
      .distinct('m.id', 'm.room_id')
      .limit(ERASURE_BATCH)) as { id: string; roomId: string }[];
    for (const [roomId, ids] of byRoom(rows)) {
      await this.changeMessages(appId, roomId, ids, async (trx) => {
        await trx('reactions').where({ userId }).whereIn('message_id', ids).delete();
      });
    }
    return rows.length > 0;
  }

  /** One batch of their uploads: the bytes first (so none outlive their row), then the rows. */
  private async uploadsBatch(userId: string): Promise<boolean> {
    const { db, storage } = this.deps;
    const rows = (await db('attachments')
      .where({ uploaderId: userId })
      .limit(ERASURE_BATCH)
      .select('id', ...KEY_COLUMNS)) as { id: string; storageKey: string; thumbKey: string | null }[];
    for (const key of storageKeys(rows)) await storage.delete(key);
    if (rows.length)
      await db('attachments')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .delete();
    return rows.length > 0;
  }

  /**
   * A change to some messages of one room in its own transaction: the room's version moves on by
   * one per message and each gets its own (as every message write does), registered with the
   * room cache, so no cached page or held version serves the old text.
   */
  private async changeMessages(appId: string, roomId: string, ids: string[], change: (trx: Knex.Transaction) => Promise<void>) {
    const { db, roomCache } = this.deps;
    const ticket = await roomCache.beginWrite({ appId, roomIds: [roomId] });
    let version: number;
    try {
      version = await db.transaction(async (trx) => {
        const [room] = (await trx('rooms')
          .where({ id: roomId })
          .update({ version: trx.raw('version + ?', [ids.length]) })
          .returning('version')) as { version: number | string }[];
        const top = Number(room!.version);
        await change(trx);
        await trx.raw(
          `update messages m set version = v.version from (values ${ids.map(() => '(?::uuid, ?::bigint)').join(', ')}) as v(id, version)
           where m.id = v.id`,
          ids.flatMap((id, i) => [id, top - ids.length + 1 + i]),
        );
        return top;
      });
    } catch (err) {
      await roomCache.endWrite(ticket, null);
      throw err;
    }
    await roomCache.endWrite(ticket, { [roomId]: { version } });
  }

  /** What else is theirs: blocks they made, reports they filed, their notes' text, their ratings' comments. */
  private async dropOwnRows(userId: string): Promise<void> {
    const { db } = this.deps;
    await db('user_blocks').where({ blockerId: userId }).delete();
    await db('message_reports').where({ reporterId: userId }).delete();
    await db('conversation_notes')
      .where({ authorId: userId })
      .update({ text: '', deletedAt: db.raw('coalesce(deleted_at, now())') });
    await db('conversation_ratings')
      .whereIn('room_id', db('rooms').where({ kind: 'support', createdBy: userId }).select('id'))
      .whereNotNull('comment')
      .update({ comment: null });
  }

  /** Marks it finished (once, whoever gets there first), with its audit entry and webhook; then tells the rooms. */
  private async finish(job: ErasureRow): Promise<void> {
    const { db, log, outbox, roomCache, events } = this.deps;
    const { appId, userId } = job;
    const done = await db.transaction(async (trx) => {
      const finished = await trx('user_erasures').where({ userId }).whereNull('finished_at').update({ finishedAt: new Date() });
      if (!Number(finished)) return null;
      const entry = await log.record(trx, {
        appId,
        roomId: null,
        actorId: job.requestedBy === 'self' ? userId : null,
        action: 'user.erased',
        targetUserId: userId,
      });
      await outbox.enqueue(trx, appId, 'user.erased', { userId });
      return entry;
    });
    if (!done) return;
    const roomIds = (
      (await db
        .select('room_id')
        .from('memberships')
        .where({ userId })
        .union((q) => void q.distinct('room_id').from('messages').where({ senderId: userId }))) as { roomId: string }[]
    ).map((r) => r.roomId);
    await roomCache.invalidate({ appId, roomIds, userIds: [userId] });
    log.announce(appId, done);
    events.emit('user.erased', { appId, userId, roomIds });
  }
}

/** Rows grouped by room, in the order met. */
function byRoom(rows: { id: string; roomId: string }[]): Map<string, string[]> {
  const rooms = new Map<string, string[]>();
  for (const { id, roomId } of rows) rooms.set(roomId, [...(rooms.get(roomId) ?? []), id]);
  return rooms;
}
