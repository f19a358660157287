import type { MailSettingsInput, VisitorInfo } from '@confab/protocol';

import type { Config } from '../../config.js';
import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { Presence } from '../../redis/presence.js';
import { Poller } from '../poller.js';
import type { UnsubscribeLinks } from './addresses.js';
import { chatLinkOf, continuityHtml, type ContinuityLine, continuitySubject, continuityText } from './continuity-format.js';
import { CONTINUITY_STRINGS, mailLocaleOf } from './mail-strings.js';
import type { MailOutbox } from './outbox.js';
import { ReplyTokens } from './reply-tokens.js';
import { MAIL_SCHEDULE_DEFAULTS, MAIL_SETTINGS_DEFAULTS, type MailScheduleOptions, mailSettingsOf } from './settings.js';

/** Conversations looked at per query; a round pages on while pages come back full, up to MAX_PAGES. */
const BATCH = 100;
const MAX_PAGES = 20;
/** A reply unread for longer than this is no news to mail any more (and old rooms leave the scan). */
const RECENT_DAYS = 7;
const NEWEST_MS = "date_trunc('milliseconds', max(m.created_at))";

interface Due {
  roomId: string;
  appId: string;
  visitorId: string;
  visitor: VisitorInfo | null;
  email: string;
  appName: string;
  mail: Partial<MailSettingsInput> | null;
  threadMessageId: string | null;
  readSeq: number;
  mailedSeq: number | null;
  newestSeq: number;
  newestAt: Date;
}

interface LineRow {
  id: string;
  text: string;
  createdAt: Date;
  name: string | null;
  lastName: string | null;
  username: string | null;
}

export type ContinuityConfig = Pick<Config, 'jwtSecret' | 'mailFrom'>;

/**
 * Conversation continuity: a visitor who gave an email and is offline gets the agents' replies they
 * have not read by mail, once the newest of them is `continuityDelayMinutes` old (so a burst of
 * replies is one mail). Each mail carries only what came after the last one, threads under the
 * first, and answers to the conversation's reply address. Every node runs this; the outbox's dedupe
 * key and the `mail_continuity` row make two nodes looking at once queue one mail.
 */
export class ContinuityMailer {
  private readonly schedule: MailScheduleOptions;
  private readonly poller: Poller;
  private readonly tokens: ReplyTokens;

  constructor(
    private readonly db: Db,
    private readonly outbox: MailOutbox,
    private readonly presence: Presence,
    private readonly unsubscribe: UnsubscribeLinks,
    config: ContinuityConfig,
    private readonly logger: Logger,
    schedule: Partial<MailScheduleOptions> = {},
  ) {
    this.schedule = { ...MAIL_SCHEDULE_DEFAULTS, ...schedule };
    this.tokens = new ReplyTokens(config.jwtSecret, config.mailFrom);
    this.poller = new Poller({
      intervalMs: this.schedule.scheduleMs,
      round: () => this.round(),
      logger,
      doing: 'mailing unread replies to visitors',
      runAtStart: false,
    });
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** Looks through every conversation now due, page by page; visitors online are left to the chat. */
  async round(): Promise<boolean> {
    let after: Due | null = null;
    let queued = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await this.due(after);
      const online = rows.length ? await this.presence.online([...new Set(rows.map((r) => r.visitorId))]) : new Set<string>();
      for (const row of rows) {
        if (online.has(row.visitorId)) continue;
        try {
          if (await this.mail(row)) queued++;
        } catch (err) {
          this.logger.warn({ err: (err as Error).message, room: row.roomId }, 'continuity mail not queued');
        }
      }
      if (rows.length < BATCH) break;
      after = rows.at(-1) ?? null;
    }
    if (queued) this.outbox.notify();
    return false;
  }

  /** Conversations with agent replies unread by their visitor, not mailed yet, the newest older than the app's delay. */
  private async due(after: Due | null): Promise<Due[]> {
    const { db } = this;
    const query = db('rooms as r')
      .join('apps as a', 'a.id', 'r.app_id')
      .join('users as u', 'u.id', 'r.created_by')
      .join('memberships as vm', (on) => on.on('vm.room_id', 'r.id').andOn('vm.user_id', 'r.created_by'))
      .leftJoin('mail_continuity as mc', 'mc.room_id', 'r.id')
      .join('messages as m', (on) =>
        on.on('m.room_id', 'r.id').andOn('m.seq', '>', 'vm.read_seq').andOn('m.seq', '>', db.raw('coalesce(mc.mailed_seq, 0)')),
      )
      .join('users as s', 's.id', 'm.sender_id')
      .where('r.kind', 'support')
      // Cheap filters on the room before its messages are read.
      .whereRaw('r.last_seq > vm.read_seq and r.last_seq > coalesce(mc.mailed_seq, 0)')
      .whereRaw(`r.last_message_at > now() - interval '${RECENT_DAYS} days'`)
      .whereNotNull('u.email')
      .whereRaw("coalesce((a.settings->'mail'->>'continuity')::boolean, ?)", [MAIL_SETTINGS_DEFAULTS.continuity])
      .whereNotExists(db('mail_unsubscribes as mu').select(db.raw('1')).whereRaw('mu.app_id = r.app_id and mu.address = lower(u.email)'))
      .where('m.type', 'text')
      .whereNull('m.deleted_at')
      .whereIn('s.role', ['agent', 'admin'])
      .groupBy(
        'r.id',
        'r.app_id',
        'r.created_by',
        'r.visitor',
        'u.email',
        'a.name',
        'a.settings',
        'mc.thread_message_id',
        'vm.read_seq',
        'mc.mailed_seq',
      )
      .havingRaw(
        "max(m.created_at) <= now() - interval '1 millisecond' * (? * coalesce((a.settings->'mail'->>'continuityDelayMinutes')::int, ?))",
        [this.schedule.minuteMs, MAIL_SETTINGS_DEFAULTS.continuityDelayMinutes],
      )
      // Milliseconds, as the page's cursor carries them (finer, the last row of a page would come again).
      .orderByRaw(`${NEWEST_MS}, r.id`)
      .limit(BATCH)
      .select(
        'r.id as room_id',
        'r.app_id',
        'r.created_by as visitor_id',
        'r.visitor',
        'u.email',
        'a.name as app_name',
        db.raw("a.settings->'mail' as mail"),
        'mc.thread_message_id',
        'vm.read_seq',
        'mc.mailed_seq',
        db.raw('max(m.seq) as newest_seq'),
        db.raw('max(m.created_at) as newest_at'),
      );
    if (after) query.havingRaw(`(${NEWEST_MS}, r.id) > (?::timestamptz, ?::uuid)`, [new Date(after.newestAt), after.roomId]);
    return (await query) as Due[];
  }

  /** Queues one conversation's mail and records it, in one transaction; false when there was nothing (left) to mail. */
  private async mail(row: Due): Promise<boolean> {
    const settings = mailSettingsOf(row.mail);
    return this.db.transaction(async (trx) => {
      // Read while this round looked at other conversations: nothing to mail.
      const member = (await trx('memberships').where({ roomId: row.roomId, userId: row.visitorId }).first('read_seq')) as
        { readSeq: number } | undefined;
      if (!member || member.readSeq >= row.newestSeq) return false;
      const since = Math.max(member.readSeq, row.mailedSeq ?? 0);
      const locale = mailLocaleOf(row.visitor?.locale);
      const lines = await this.lines(trx, row.roomId, since, row.newestSeq, CONTINUITY_STRINGS[locale].agent);
      if (!lines.length) return false;
      const doc = {
        appName: row.appName,
        locale,
        timeZone: row.visitor?.timezone ?? null,
        lines,
        chatUrl: chatLinkOf(settings.chatUrl, row.visitor?.pageUrl),
        unsubscribeUrl: this.unsubscribe.url(row.appId, row.email),
      };
      const queued = await this.outbox.enqueue(
        {
          appId: row.appId,
          kind: 'continuity',
          to: row.email,
          subject: continuitySubject(doc),
          text: continuityText(doc),
          html: continuityHtml(doc),
          roomId: row.roomId,
          dedupeKey: `continuity:${row.roomId}:${row.newestSeq}`,
          replyTo: await this.tokens.addressFor(trx, row.appId, row.roomId),
          unsubscribeUrl: doc.unsubscribeUrl,
          inReplyTo: row.threadMessageId,
        },
        trx,
      );
      // Another node queued this very mail first.
      if (!queued.created) return false;
      await trx('mail_continuity')
        .insert({ roomId: row.roomId, mailedSeq: row.newestSeq, threadMessageId: queued.messageId })
        .onConflict('room_id')
        .merge({
          mailedSeq: trx.raw('greatest(mail_continuity.mailed_seq, excluded.mailed_seq)'),
          mailedAt: trx.fn.now(),
          threadMessageId: trx.raw('coalesce(mail_continuity.thread_message_id, excluded.thread_message_id)'),
        });
      return true;
    });
  }

  /** The agents' text messages after `since` up to `newest`, with their attachments' names. */
  private async lines(trx: Db, roomId: string, since: number, newest: number, unnamed: string): Promise<ContinuityLine[]> {
    const rows = (await trx('messages as m')
      .join('users as u', 'u.id', 'm.sender_id')
      .where('m.room_id', roomId)
      .where('m.seq', '>', since)
      .where('m.seq', '<=', newest)
      .where('m.type', 'text')
      .whereNull('m.deleted_at')
      .whereIn('u.role', ['agent', 'admin'])
      .orderBy('m.seq')
      .select('m.id', 'm.text', 'm.created_at', 'u.name', 'u.last_name', 'u.username')) as LineRow[];
    const files = rows.length
      ? ((await trx('attachments')
          .whereIn(
            'message_id',
            rows.map((r) => r.id),
          )
          .orderBy('created_at')
          .select('message_id', 'filename')) as { messageId: string; filename: string }[])
      : [];
    return rows.map((r) => ({
      at: new Date(r.createdAt),
      author: [r.name, r.lastName].filter(Boolean).join(' ') || r.username || unnamed,
      text: r.text,
      attachments: files.filter((f) => f.messageId === r.id).map((f) => f.filename),
    }));
  }
}
