import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { Presence } from '../../redis/presence.js';
import { Poller } from '../poller.js';
import { sha256Hex, type UnsubscribeLinks } from './addresses.js';
import { notificationHtml, notificationSubject, notificationText, type WaitingConversation } from './agent-notify-format.js';
import type { MailOutbox } from './outbox.js';
import { MAIL_SCHEDULE_DEFAULTS, MAIL_SETTINGS_DEFAULTS, type MailScheduleOptions, readMailSettings } from './settings.js';

/** Per recipient, at most one notification per this many settings-minutes; what comes due meanwhile waits for a digest. */
export const NOTIFY_WINDOW_MINUTES = 10;
/**
 * A conversation told of while a recipient was throttled reaches them once their window opens,
 * which is within one window; three leave room for rounds that failed meanwhile.
 */
const BACKLOG_WINDOWS = 3;
const STAFF_ROLES = ['agent', 'admin'];

/** An open support conversation whose latest text message is the visitor's, with no staff text after it. */
interface Wait {
  appId: string;
  roomId: string;
  assigneeId: string | null;
  /** Seq of the first visitor text message after the last staff one: it names the wait. */
  seq: number;
  waitAt: Date;
  text: string;
  visitorName: string | null;
  /** The wait agents were last told of (`mail_agent_waits.seq`), and when, in µs since the epoch. */
  toldSeq: number | null;
  notifiedUs: number | null;
  /** Waiting longer than the app's `notifyAfterMinutes`. */
  due: boolean;
  nowUs: number;
}

interface Recipient {
  address: string;
  userIds: Set<string>;
}

/**
 * Mails the agents of an app about conversations waiting unanswered while none of them is online.
 * Each wait is told once (`mail_agent_waits`, written in the transaction that queues its mails);
 * each recipient gets at most one mail per window, a digest of what came due while they were
 * throttled. Every node runs it; per app, rounds take turns on an advisory lock.
 */
export class AgentNotifier {
  private readonly options: MailScheduleOptions;
  private readonly poller: Poller;
  /** Per app, when (Date.now()) the first throttled recipient with something to be told may be mailed. */
  private readonly wake = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly outbox: MailOutbox,
    private readonly presence: Presence,
    private readonly links: UnsubscribeLinks,
    private readonly logger: Logger,
    options: Partial<MailScheduleOptions> = {},
  ) {
    this.options = { ...MAIL_SCHEDULE_DEFAULTS, ...options };
    this.poller = new Poller({ intervalMs: this.options.scheduleMs, round: () => this.round(), logger, doing: 'notifying agents by mail' });
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  private get windowMs(): number {
    return NOTIFY_WINDOW_MINUTES * this.options.minuteMs;
  }

  /** Every app with a wait due and untold, or told lately (a throttled recipient's digest may be due). */
  private async round(): Promise<boolean> {
    const backlogUs = BACKLOG_WINDOWS * this.windowMs * 1000;
    const waits = await this.waits(this.db, null);
    const fresh = new Set(waits.filter((w) => w.due && w.toldSeq !== w.seq).map((w) => w.appId));
    const backlog = new Set(waits.filter((w) => w.toldSeq === w.seq && w.notifiedUs! > w.nowUs - backlogUs).map((w) => w.appId));
    for (const appId of this.wake.keys()) if (!backlog.has(appId)) this.wake.delete(appId);
    // An app with only digests to come is looked at again when the first of its throttled recipients' windows opens.
    const apps = [...new Set([...fresh, ...[...backlog].filter((id) => (this.wake.get(id) ?? 0) <= Date.now())])];
    let again = false;
    for (const appId of apps) {
      try {
        again = (await this.notifyApp(appId)) || again;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, app: appId }, 'notifying agents by mail failed');
      }
    }
    return again;
  }

  /** One app's round; true when it gave way to a later round (see `behind`). */
  private async notifyApp(appId: string): Promise<boolean> {
    if (await this.anyAgentAvailable(appId)) return false;
    const outcome = await this.db.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtext('confab:agent-notify:' || current_schema() || ':' || ?))", [appId]);
      if (await this.behind(trx, appId)) return 'behind' as const;
      const settings = await readMailSettings(trx, appId);
      if (!settings.notifyAgents) return { queued: 0, wakeInMs: Infinity };
      const waits = await this.waits(trx, appId);
      const fresh = waits.filter((w) => w.due && w.toldSeq !== w.seq);
      const told = waits.filter((w) => w.toldSeq === w.seq);
      if (!fresh.length && !told.length) return { queued: 0, wakeInMs: Infinity };
      const app = (await trx('apps').where({ id: appId }).first('name')) as { name: string };
      const recipients = await this.recipients(trx, appId);
      const last = await this.lastMailed(
        trx,
        appId,
        recipients.map((r) => r.address),
      );
      const nowUs = waits[0]!.nowUs;
      let queued = 0;
      let wakeInMs = Infinity;
      for (const recipient of recipients) {
        const lastUs = last.get(recipient.address) ?? null;
        const since = Math.max(lastUs ?? -Infinity, nowUs - BACKLOG_WINDOWS * this.windowMs * 1000);
        const items = [...fresh, ...told.filter((w) => w.notifiedUs! > since)]
          .filter((w) => (w.assigneeId ? recipient.userIds.has(w.assigneeId) : true))
          .sort((a, b) => a.waitAt.getTime() - b.waitAt.getTime() || a.roomId.localeCompare(b.roomId));
        if (!items.length) continue;
        const opensUs = lastUs === null ? -Infinity : lastUs + this.windowMs * 1000;
        if (opensUs > nowUs) {
          // Throttled: what is recorded now (after its last mail) goes into its digest once the window opens.
          wakeInMs = Math.min(wakeInMs, (opensUs - nowUs) / 1000);
          continue;
        }
        await this.queue(trx, appId, app.name, settings.inboxUrl, recipient.address, items);
        queued += 1;
      }
      for (const w of fresh) {
        await trx('mail_agent_waits')
          .insert({ roomId: w.roomId, appId, seq: w.seq, notifiedAt: trx.fn.now() })
          .onConflict('room_id')
          .merge(['seq', 'notified_at']);
      }
      return { queued, wakeInMs };
    });
    if (outcome === 'behind') return true;
    this.wake.set(appId, Date.now() + outcome.wakeInMs);
    if (outcome.queued > 0) this.outbox.notify();
    return false;
  }

  private async queue(trx: Knex.Transaction, appId: string, appName: string, inboxUrl: string | null, to: string, items: Wait[]) {
    const conversations: WaitingConversation[] = items.map((w) => ({
      roomId: w.roomId,
      visitorName: w.visitorName ?? 'Visitor',
      firstText: w.text,
      waitingSince: new Date(w.waitAt),
    }));
    const doc = { appName, conversations, inboxUrl, unsubscribeUrl: this.links.url(appId, to) };
    const single = items.length === 1 ? items[0]! : null;
    // Content-named: a round retried after a failure queues the same mail once (each wait reaches a recipient once).
    const dedupeKey = single
      ? `agent_notification:${single.roomId}:${single.seq}:${to}`
      : `agent_notification:${appId}:${to}:${sha256Hex(items.map((w) => `${w.roomId}:${w.seq}`).join(','))}`;
    await this.outbox.enqueue(
      {
        appId,
        kind: 'agent_notification',
        to,
        subject: notificationSubject(doc),
        text: notificationText(doc),
        html: notificationHtml(doc),
        roomId: single?.roomId ?? null,
        dedupeKey,
        unsubscribeUrl: doc.unsubscribeUrl,
      },
      trx,
    );
  }

  /** Staff who take conversations now: availability `online` and connected (as auto-assignment decides). */
  private async anyAgentAvailable(appId: string): Promise<boolean> {
    const rows: { id: string }[] = await this.db('users')
      .where({ appId, kind: 'member', availability: 'online' })
      .whereIn('role', STAFF_ROLES)
      .select('id');
    if (!rows.length) return false;
    return (await this.presence.online(rows.map((r) => r.id))).size > 0;
  }

  /**
   * Whether a round that committed under the lock stamped a time later than this transaction's
   * now(): this one started first and waited, so its times would sort before that round's and a
   * throttled recipient could miss what it records. It gives way and the app runs again at once.
   */
  private async behind(trx: Knex.Transaction, appId: string): Promise<boolean> {
    const [row] = (await trx.select(
      trx.raw(
        `now() <= greatest(
           (select max(notified_at) from mail_agent_waits where app_id = ?),
           (select max(created_at) from mail_outbox where app_id = ? and kind = 'agent_notification')) as behind`,
        [appId, appId],
      ),
    )) as { behind: boolean | null }[];
    return row?.behind === true;
  }

  /** Staff with an email who did not unsubscribe, one recipient per address (lower-cased). */
  private async recipients(trx: Knex.Transaction, appId: string): Promise<Recipient[]> {
    const staff: { id: string; email: string }[] = await trx('users')
      .where({ appId, kind: 'member' })
      .whereIn('role', STAFF_ROLES)
      .whereNotNull('email')
      .whereNotExists(
        trx('mail_unsubscribes').where('mail_unsubscribes.app_id', appId).whereRaw('mail_unsubscribes.address = lower(users.email)'),
      )
      .orderBy('id')
      .select('id', 'email');
    const byAddress = new Map<string, Recipient>();
    for (const u of staff) {
      const address = u.email.trim().toLowerCase();
      if (!address) continue;
      const r = byAddress.get(address) ?? { address, userIds: new Set<string>() };
      r.userIds.add(u.id);
      byAddress.set(address, r);
    }
    return [...byAddress.values()];
  }

  /** When each address was last sent a notification by this app (µs since the epoch). */
  private async lastMailed(trx: Knex.Transaction, appId: string, addresses: string[]): Promise<Map<string, number>> {
    if (!addresses.length) return new Map();
    const rows = (await trx('mail_outbox')
      .where({ appId, kind: 'agent_notification' })
      .whereIn('to', addresses)
      .groupBy('to')
      .select('to', trx.raw('(extract(epoch from max(created_at)) * 1000000)::float8 as last_us'))) as { to: string; lastUs: number }[];
    return new Map(rows.map((r) => [r.to, Number(r.lastUs)]));
  }

  /** The waits of one app (or of every app with notifications on), with whether each is due and was told. */
  private async waits(db: Knex, appId: string | null): Promise<Wait[]> {
    const { notifyAfterMinutes, notifyAgents } = MAIL_SETTINGS_DEFAULTS;
    const query = db
      .queryBuilder()
      .from('rooms as r')
      .join('apps as a', 'a.id', 'r.app_id')
      .leftJoin('users as v', 'v.id', 'r.created_by')
      .leftJoin('mail_agent_waits as t', 't.room_id', 'r.id')
      // The last staff text message (0: none), then the first visitor text message after it.
      .joinRaw(
        `cross join lateral (
           select coalesce((select m.seq from messages m join users s on s.id = m.sender_id
             where m.room_id = r.id and m.type = 'text' and s.role in ('agent', 'admin')
             order by m.seq desc limit 1), 0) as seq) as answered`,
      )
      .joinRaw(
        `join lateral (
           select m.seq, m.created_at, m.text from messages m join users s on s.id = m.sender_id
           where m.room_id = r.id and m.type = 'text' and m.seq > answered.seq and s.role = 'user' and m.deleted_at is null
           order by m.seq limit 1) as w on true`,
      )
      .where({ 'r.kind': 'support', 'r.status': 'open' })
      .whereRaw("coalesce((a.settings->'mail'->>'notifyAgents')::boolean, ?)", [notifyAgents])
      .select(
        'r.app_id',
        'r.id as room_id',
        'r.assignee_id',
        'w.seq',
        'w.created_at as wait_at',
        'w.text',
        db.raw("coalesce(nullif(trim(concat_ws(' ', v.name, v.last_name)), ''), v.username) as visitor_name"),
        't.seq as told_seq',
        db.raw('(extract(epoch from t.notified_at) * 1000000)::float8 as notified_us'),
        db.raw('(extract(epoch from now()) * 1000000)::float8 as now_us'),
        db.raw(
          "w.created_at <= now() - interval '1 millisecond' * ? * coalesce((a.settings->'mail'->>'notifyAfterMinutes')::int, ?) as due",
          [this.options.minuteMs, notifyAfterMinutes],
        ),
      );
    if (appId) query.where('r.app_id', appId);
    const rows = (await query) as Wait[];
    return rows.map((w) => ({
      ...w,
      seq: Number(w.seq),
      toldSeq: w.toldSeq === null ? null : Number(w.toldSeq),
      notifiedUs: w.notifiedUs === null ? null : Number(w.notifiedUs),
      nowUs: Number(w.nowUs),
    }));
  }
}
