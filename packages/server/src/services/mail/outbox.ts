import type { Db } from '../../db/knex.js';
import { newMessageId } from './transport.js';

export interface MailRequest {
  appId: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  roomId: string | null;
  /** One logical mail is one row: a second request with the same key queues nothing. */
  dedupeKey: string;
  /** Where answers go (a conversation's reply address); unset: the From address. */
  replyTo?: string | null;
  /** The recipient's one-click unsubscribe link (`List-Unsubscribe`); unset: the From mailbox only. */
  unsubscribeUrl?: string | null;
  /** The Message-ID this one follows in a thread (`In-Reply-To` and `References`). */
  inReplyTo?: string | null;
}

/**
 * The mail outbox: a row per logical mail, sent later by the sender loop (sender.ts) with retries.
 * This node's sender hears of a new row at once; other nodes' find it when they next poll.
 */
export class MailOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly mailFrom: string,
  ) {}

  /** Queues the mail unless its dedupe key is already queued; `created` tells which. */
  async enqueue(mail: MailRequest, db: Db = this.db): Promise<{ id: string; created: boolean; messageId: string }> {
    const [row] = (await db('mail_outbox')
      .insert({
        appId: mail.appId,
        kind: mail.kind,
        to: mail.to,
        subject: mail.subject,
        textBody: mail.text,
        htmlBody: mail.html,
        roomId: mail.roomId,
        dedupeKey: mail.dedupeKey,
        messageId: newMessageId(this.mailFrom, mail.kind),
        replyTo: mail.replyTo ?? null,
        unsubscribeUrl: mail.unsubscribeUrl ?? null,
        inReplyTo: mail.inReplyTo ?? null,
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning(['id', 'message_id'])) as { id: string; messageId: string }[];
    if (row) {
      // Inside a caller's transaction the row is not visible yet: the sender's poll finds it.
      if (db === this.db) this.listeners.forEach((listener) => listener());
      return { id: row.id, created: true, messageId: row.messageId };
    }
    const existing = (await db('mail_outbox').where({ dedupeKey: mail.dedupeKey }).first('id', 'message_id')) as {
      id: string;
      messageId: string;
    };
    return { id: existing.id, created: false, messageId: existing.messageId };
  }

  /** Tells this node's sender to look now (after a transaction that queued mail committed). */
  notify(): void {
    this.listeners.forEach((listener) => listener());
  }

  /** Whether a mail with this key is already queued (or sent). */
  async has(dedupeKey: string): Promise<boolean> {
    return !!(await this.db('mail_outbox').where({ dedupeKey }).first('id'));
  }

  /** Calls `listener` after each new row; returns the unsubscribe. */
  onQueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
