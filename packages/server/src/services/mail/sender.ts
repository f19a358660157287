import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { Poller } from '../poller.js';
import type { MailOutbox } from './outbox.js';
import { MailSendError, type MailTransport, type OutgoingMail } from './transport.js';

export interface MailSenderOptions {
  /** How often every node looks for due mail (retries, and rows other nodes queued). */
  pollMs: number;
  /** First retry delay; each next one is 3× longer, up to `maxDelayMs`. */
  retryBaseMs: number;
  maxDelayMs: number;
  /** A mail failing this many times is given up (`failed`). */
  maxAttempts: number;
  /** How long a claimed row stays this node's: longer than one SMTP exchange can last. */
  leaseMs: number;
  /** Mails sent at once on this node. */
  concurrency: number;
}

export const MAIL_SENDER_DEFAULTS: MailSenderOptions = {
  pollMs: 5_000,
  retryBaseMs: 30_000,
  maxDelayMs: 3 * 3600_000,
  maxAttempts: 8,
  leaseMs: 120_000,
  concurrency: 4,
};

interface Due {
  id: string;
  to: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  messageId: string;
  attempts: number;
  kind: string;
  replyTo: string | null;
  unsubscribeUrl: string | null;
  inReplyTo: string | null;
}

/**
 * Sends queued mail apart from any request. Each node claims due rows with `skip locked` and a
 * lease, then sends, then marks them sent: a node killed between send and mark leaves the row to be
 * claimed again when the lease ends. So delivery is at least once (SMTP has no exactly-once), and a
 * repeat carries the row's fixed Message-ID, which receiving systems use to drop duplicates.
 */
export class MailSender {
  private readonly options: MailSenderOptions;
  private readonly poller: Poller;
  private offQueued: () => void = () => undefined;

  constructor(
    private readonly db: Db,
    private readonly outbox: MailOutbox,
    private readonly transport: MailTransport,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    options: Partial<MailSenderOptions> = {},
  ) {
    this.options = { ...MAIL_SENDER_DEFAULTS, ...options };
    metrics.countPendingMail(async () => {
      const row = (await this.db('mail_outbox').where('status', 'pending').count({ n: '*' }).first()) as { n: string | number };
      return Number(row.n);
    });
    this.poller = new Poller({ intervalMs: this.options.pollMs, round: () => this.round(), logger, doing: 'sending queued mail' });
  }

  start(): void {
    this.offQueued = this.outbox.onQueued(() => this.poller.kick());
    this.poller.start();
  }

  /** Stops polling and waits for sends in flight (unfinished rows go to the next claim). */
  async stop(): Promise<void> {
    this.offQueued();
    await this.poller.stop();
    this.transport.close();
  }

  /** Claims a batch, sends it; another round follows when the batch was full. */
  private async round(): Promise<boolean> {
    const due = await this.claim(this.options.concurrency);
    await Promise.all(due.map((row) => this.send(row)));
    return due.length === this.options.concurrency;
  }

  private async claim(limit: number): Promise<Due[]> {
    return (await this.db('mail_outbox')
      .whereIn(
        'id',
        this.db('mail_outbox')
          .select('id')
          .where('status', 'pending')
          .where('next_attempt_at', '<=', this.db.fn.now())
          .orderBy('next_attempt_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .update({
        attempts: this.db.raw('attempts + 1'),
        nextAttemptAt: this.db.raw("now() + interval '1 millisecond' * ?", [this.options.leaseMs]),
      })
      .returning([
        'id',
        'to',
        'subject',
        'text_body',
        'html_body',
        'message_id',
        'attempts',
        'kind',
        'reply_to',
        'unsubscribe_url',
        'in_reply_to',
      ])) as Due[];
  }

  private async send(row: Due): Promise<void> {
    const mail: OutgoingMail = {
      id: row.id,
      to: row.to,
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
      messageId: row.messageId,
      kind: row.kind,
      replyTo: row.replyTo,
      unsubscribeUrl: row.unsubscribeUrl,
      inReplyTo: row.inReplyTo,
    };
    try {
      await this.transport.send(mail);
    } catch (err) {
      await this.failed(row, err instanceof MailSendError ? err : new MailSendError((err as Error).message, false));
      return;
    }
    await this.db('mail_outbox').where({ id: row.id }).update({ status: 'sent', sentAt: this.db.fn.now(), lastError: null });
    this.metrics.mailSent.inc({ kind: row.kind });
  }

  private async failed(row: Due, err: MailSendError): Promise<void> {
    const lastError = err.message.slice(0, 500);
    if (err.permanent || row.attempts >= this.options.maxAttempts) {
      await this.db('mail_outbox').where({ id: row.id }).update({ status: 'failed', lastError });
      this.metrics.mailFailed.inc({ kind: row.kind });
      this.logger.warn({ mail: row.id, attempts: row.attempts, error: lastError }, 'mail given up');
      return;
    }
    const delay = Math.min(this.options.maxDelayMs, this.options.retryBaseMs * 3 ** (row.attempts - 1)) * (0.8 + Math.random() * 0.4);
    await this.db('mail_outbox')
      .where({ id: row.id })
      .update({ lastError, nextAttemptAt: new Date(Date.now() + delay) });
    this.metrics.mailRetries.inc({ kind: row.kind });
  }
}
