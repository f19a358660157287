import type { ModerationAction, ModerationDetails, ModerationEntryDto, PageDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { User } from '../../db/models/index.js';
import { SUMMARY_COLUMNS, toUserSummary } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { newestFirstPage } from '../pagination.js';
import type { Outbox } from '../webhooks/outbox.js';

/** One action to record (see `MODERATION_ACTIONS`). `roomId` null: app-wide. */
export interface ModerationRecord {
  appId: string;
  roomId: string | null;
  /** Null: the server (retention) or the operator. */
  actorId: string | null;
  action: ModerationAction;
  targetUserId?: string | null;
  messageId?: string | null;
  reason?: string | null;
  details?: ModerationDetails;
}

interface LogRow {
  id: string;
  appId: string;
  roomId: string | null;
  actorId: string | null;
  action: ModerationAction;
  targetUserId: string | null;
  messageId: string | null;
  reason: string | null;
  details: ModerationDetails;
  createdAt: Date;
}

type Summary = Pick<User, 'id' | 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>;

/**
 * The audit log of moderation: each action is written in the transaction that carries it out (so
 * the log never says what did not happen, nor misses what did), with its `moderation.action`
 * webhook; after the commit, `announce` tells the room and the person it targets (`room:moderation`).
 */
export class ModerationLog {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly outbox: Outbox,
  ) {}

  /** Writes the entry inside `trx` and queues its webhook; answers it as the wire shows it. */
  async record(trx: Knex.Transaction, record: ModerationRecord): Promise<ModerationEntryDto> {
    const [row] = (await trx('moderation_log')
      .insert({
        appId: record.appId,
        roomId: record.roomId,
        actorId: record.actorId,
        action: record.action,
        targetUserId: record.targetUserId ?? null,
        messageId: record.messageId ?? null,
        reason: record.reason || null,
        details: JSON.stringify(record.details ?? {}),
      })
      .returning('*')) as LogRow[];
    const [entry] = await this.toDtos(trx, [row!]);
    await this.outbox.enqueue(trx, record.appId, 'moderation.action', entry);
    return entry!;
  }

  /** After the commit: the room (and the person it targets) hears the entry. */
  announce(appId: string, entry: ModerationEntryDto): void {
    this.events.emit('moderation.recorded', { appId, entry });
  }

  /** A page of the log, newest first: one room's, or (`roomId` undefined) the whole app's. */
  async list(appId: string, roomId: string | undefined, page: PageInput): Promise<PageDto<ModerationEntryDto>> {
    const query = this.db('moderation_log').where({ appId });
    if (roomId) query.where({ roomId });
    const { items, ...rest } = await newestFirstPage<LogRow>(
      query,
      { table: 'moderation_log', key: 'id', scope: ['app_id', appId] },
      page,
      (row) => row.id,
    );
    return { items: await this.toDtos(this.db, items), ...rest };
  }

  private async toDtos(db: Knex, rows: LogRow[]): Promise<ModerationEntryDto[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.actorId, r.targetUserId]).filter((id): id is string => id !== null))];
    const people = new Map<string, Summary>(
      ids.length ? ((await db('users').whereIn('id', ids).select(SUMMARY_COLUMNS)) as Summary[]).map((u) => [u.id, u]) : [],
    );
    const person = (id: string | null) => {
      const found = id ? people.get(id) : undefined;
      return found ? toUserSummary(found) : null;
    };
    return rows.map((r) => ({
      id: r.id,
      roomId: r.roomId,
      action: r.action,
      actorId: r.actorId,
      actor: person(r.actorId),
      targetUserId: r.targetUserId,
      target: person(r.targetUserId),
      messageId: r.messageId,
      reason: r.reason,
      details: r.details ?? {},
      createdAt: new Date(r.createdAt).toISOString(),
    }));
  }
}
