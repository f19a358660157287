import type { MessageReportDto, PageDto, ReportInput, ReportReason } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { Message, type User } from '../../db/models/index.js';
import { ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import { type Actor, requireStaff } from '../actor.js';
import { toMessageDtos } from '../dto/message-dto.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { newestFirstPage } from '../pagination.js';
import { canModerate, findMembership, findRoom, requireMember } from '../rooms/access.js';
import type { Outbox } from '../webhooks/outbox.js';

/** Reports one person may file (new or changed), far above honest use. */
export const REPORT_RATE = { limit: 20, periodMs: 3_600_000 };

interface ReportRow {
  id: string;
  appId: string;
  roomId: string;
  messageId: string;
  reporterId: string;
  reason: ReportReason;
  comment: string | null;
  createdAt: Date;
}

type Summary = Pick<User, 'id' | 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;

/**
 * Messages reported by the people who can read them: one report per message and reporter (a repeat
 * changes its reason and comment). A new report goes out as the `message.reported` webhook (written
 * with it) and, after the commit, to the room's owners and moderators and the app's admins and
 * agents (`moderation:report`), who read the reports of a room or of the whole app.
 */
export class MessageReports {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly outbox: Outbox,
    private readonly throttle: Throttle,
  ) {}

  /** Files (or changes) the caller's report; `created` false when they had reported it before. */
  async report(actor: Actor, messageId: string, input: ReportInput): Promise<{ report: MessageReportDto; created: boolean }> {
    const message = await Message.query(this.db)
      .select('messages.*')
      .join('rooms', 'rooms.id', 'messages.room_id')
      .where('rooms.app_id', actor.appId)
      .findOne('messages.id', messageId);
    if (!message) throw new NotFoundError('Message');
    await requireMember(this.db, actor, message.roomId);
    if (message.type === 'system') throw new ForbiddenError('System messages cannot be reported');
    if (message.senderId === actor.id) throw new ForbiddenError('You cannot report your own message');
    const allowed = await this.throttle.consume(`report:${actor.id}`, REPORT_RATE);
    if (!allowed.allowed) throw new RateLimitedError(allowed.retryAfterMs);

    const { report, created } = await this.db.transaction(async (trx) => {
      const result = await trx.raw(
        `insert into message_reports (app_id, room_id, message_id, reporter_id, reason, comment)
         values (?, ?, ?, ?, ?, ?)
         on conflict (message_id, reporter_id) do update set reason = excluded.reason, comment = excluded.comment
         returning *, (xmax = 0) as inserted`,
        [actor.appId, message.roomId, message.id, actor.id, input.reason, input.comment || null],
      );
      const row = ((result.rows ?? result) as (Record<string, unknown> & { inserted: boolean })[])[0]!;
      const [dto] = await this.toDtos(trx, [camel(row)]);
      if (row.inserted) await this.outbox.enqueue(trx, actor.appId, 'message.reported', dto);
      return { report: dto!, created: Boolean(row.inserted) };
    });
    if (created) {
      const recipientIds = await this.recipients(actor.appId, message.roomId, actor.id);
      this.events.emit('message.reported', { appId: actor.appId, report, recipientIds });
    }
    return { report, created };
  }

  /** A room's reports, newest first: for its moderators. */
  async ofRoom(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<MessageReportDto>> {
    const room = await findRoom(this.db, actor, roomId);
    if (!canModerate(actor, room, await findMembership(this.db, room.id, actor.id))) {
      throw new ForbiddenError('Only the room’s moderators can read its reports');
    }
    return this.list(actor.appId, room.id, page);
  }

  /** Every report of the app, newest first: for its admins and agents. */
  async ofApp(actor: Actor, page: PageInput): Promise<PageDto<MessageReportDto>> {
    requireStaff(actor, 'Only agents and admins of this app can read its reports');
    return this.list(actor.appId, undefined, page);
  }

  private async list(appId: string, roomId: string | undefined, page: PageInput): Promise<PageDto<MessageReportDto>> {
    const query = this.db('message_reports').where({ appId });
    if (roomId) query.where({ roomId });
    const { items, ...rest } = await newestFirstPage<ReportRow>(
      query,
      { table: 'message_reports', key: 'id', scope: ['app_id', appId] },
      page,
      (row) => row.id,
    );
    return { items: await this.toDtos(this.db, items), ...rest };
  }

  /** Who hears a new report: the room's owners and moderators, and the app's admins and agents (not the reporter). */
  private async recipients(appId: string, roomId: string, reporterId: string): Promise<string[]> {
    const moderators = (await this.db('memberships')
      .where({ roomId })
      .whereIn('role', ['owner', 'moderator'])
      .pluck('user_id')) as string[];
    const staff = (await this.db('users')
      .where({ appId })
      .whereIn('role', ['admin', 'agent'])
      .whereNull('erased_at')
      .pluck('id')) as string[];
    return [...new Set([...moderators, ...staff])].filter((id) => id !== reporterId);
  }

  private async toDtos(db: Knex, rows: ReportRow[]): Promise<MessageReportDto[]> {
    if (!rows.length) return [];
    const messages = (await Message.query(db).whereIn(
      'id',
      rows.map((r) => r.messageId),
    )) as Message[];
    const wire = new Map((await toMessageDtos(db, messages)).map((m) => [m.id, m]));
    const reporterIds = [...new Set(rows.map((r) => r.reporterId))];
    const people = new Map(((await db('users').whereIn('id', reporterIds).select(SUMMARY_COLUMNS)) as Summary[]).map((u) => [u.id, u]));
    return rows.flatMap((r) => {
      const message = wire.get(r.messageId);
      if (!message) return [];
      const reporter = people.get(r.reporterId);
      return [
        {
          id: r.id,
          roomId: r.roomId,
          messageId: r.messageId,
          message,
          reporterId: r.reporterId,
          reporter: reporter ? toUserSummary(reporter) : null,
          reason: r.reason,
          comment: r.comment,
          createdAt: new Date(r.createdAt).toISOString(),
        },
      ];
    });
  }
}

/** A raw row's columns as the knex mappers would name them. */
function camel(row: Record<string, unknown>): ReportRow {
  return {
    id: row.id as string,
    appId: (row.app_id ?? row.appId) as string,
    roomId: (row.room_id ?? row.roomId) as string,
    messageId: (row.message_id ?? row.messageId) as string,
    reporterId: (row.reporter_id ?? row.reporterId) as string,
    reason: row.reason as ReportReason,
    comment: (row.comment ?? null) as string | null,
    createdAt: (row.created_at ?? row.createdAt) as Date,
  };
}
