import type { PageDto, UserBanDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { User } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { RevokedSessions } from '../../redis/revoked-sessions.js';
import type { Actor } from '../actor.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { newestFirstPage } from '../pagination.js';
import type { ModerationLog } from './audit.js';

interface BanRow {
  userId: string;
  bannedBy: string | null;
  reason: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

type BanWithUser = BanRow & Pick<User, 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;

const ACTIVE = '(b.expires_at is null or b.expires_at > now())';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toUserBanDto(row: BanWithUser): UserBanDto {
  return {
    userId: row.userId,
    user: toUserSummary({ ...row, id: row.userId }),
    bannedBy: row.bannedBy,
    reason: row.reason,
    createdAt: iso(row.createdAt)!,
    expiresAt: iso(row.expiresAt),
  };
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new ForbiddenError("Only the app's admins can ban people from the app");
}

/**
 * Bans from the whole app, by its admins: every session of the person ends at once on every node
 * (their sockets are closed), and signing in, refreshing and exchanging host tokens refuse them
 * (auth/bans.ts) until the ban ends or is lifted.
 */
export class AppBans {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly revoked: RevokedSessions,
    private readonly log: ModerationLog,
  ) {}

  /** Bans (or re-bans, replacing the end and reason) `userId`; admins cannot ban themselves or each other. */
  async ban(actor: Actor, userId: string, input: { durationSeconds?: number; reason?: string }): Promise<UserBanDto> {
    requireAdmin(actor);
    const expiresAt = input.durationSeconds ? new Date(Date.now() + input.durationSeconds * 1000) : null;
    const { sessionIds, entry } = await this.db.transaction(async (trx) => {
      // The user row lock first: a sign-in racing the ban either sees it or has committed its session (ended below).
      const target = (await trx('users').where({ id: userId, appId: actor.appId }).forUpdate().first('id', 'role')) as
        Pick<User, 'id' | 'role'> | undefined;
      if (!target) throw new NotFoundError('User');
      if (target.id === actor.id) throw new ForbiddenError('You cannot ban yourself');
      if (target.role === 'admin') throw new ForbiddenError('An admin cannot be banned; take away their admin role first');
      const fields = { bannedBy: actor.id, reason: input.reason || null, expiresAt };
      await trx('user_bans')
        .insert({ userId: target.id, appId: actor.appId, ...fields })
        .onConflict('user_id')
        .merge({ ...fields, createdAt: trx.fn.now() });
      const ended = (await trx('refresh_tokens')
        .where({ userId: target.id })
        .whereNull('revoked_at')
        .update({ revokedAt: new Date() })
        .returning('family_id')) as { familyId: string }[];
      const entry = await this.log.record(trx, {
        appId: actor.appId,
        roomId: null,
        actorId: actor.id,
        action: 'user.banned',
        targetUserId: target.id,
        reason: input.reason,
        details: { until: iso(expiresAt) },
      });
      return { sessionIds: [...new Set(ended.map((r) => r.familyId))], entry };
    });
    // As logout does: every node learns the sessions ended, then their sockets go.
    await this.revoked.revoke(sessionIds);
    for (const sessionId of sessionIds) this.events.emit('session.ended', { userId, sessionId });
    this.events.emit('user.banned', { appId: actor.appId, userId });
    this.log.announce(actor.appId, entry);
    const [ban] = await this.rows(this.db, actor.appId).where('b.user_id', userId);
    return toUserBanDto(ban!);
  }

  /** Lifts a ban; `not_found` when there is none. The person signs in again (their old sessions stay ended). */
  async unban(actor: Actor, userId: string): Promise<void> {
    requireAdmin(actor);
    const entry = await this.db.transaction(async (trx) => {
      const where = { userId, appId: actor.appId };
      const lifted = (await trx('user_bans as b')
        .where(where)
        .select(trx.raw(`${ACTIVE} as active`))
        .forUpdate()
        .first()) as { active: boolean } | undefined;
      if (!lifted) throw new NotFoundError('Ban');
      await trx('user_bans').where(where).delete();
      if (!lifted.active) return null;
      return this.log.record(trx, {
        appId: actor.appId,
        roomId: null,
        actorId: actor.id,
        action: 'user.unbanned',
        targetUserId: userId,
        details: { until: null },
      });
    });
    if (entry) this.log.announce(actor.appId, entry);
  }

  /** The app's bans in force, newest first: for its admins. */
  async list(actor: Actor, page: PageInput): Promise<PageDto<UserBanDto>> {
    requireAdmin(actor);
    const query = this.rows(this.db, actor.appId).whereRaw(ACTIVE);
    const { items, ...rest } = await newestFirstPage<BanWithUser>(
      query,
      { table: 'user_bans', alias: 'b', key: 'user_id', scope: ['app_id', actor.appId] },
      page,
      (row) => row.userId,
    );
    return { items: items.map(toUserBanDto), ...rest };
  }

  private rows(db: Knex, appId: string): Knex.QueryBuilder {
    const user = SUMMARY_COLUMNS.filter((c) => c !== 'id').map((c) => `u.${c}`);
    return db('user_bans as b')
      .join('users as u', 'u.id', 'b.user_id')
      .where('b.app_id', appId)
      .select('b.*', ...user);
  }
}
