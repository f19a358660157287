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
  async enqueue(mail: MailRequest): Promise<{ id: string; created: boolean }> {
    const [row] = (await this.db('mail_outbox')
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
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning('id')) as { id: string }[];
    if (row) {
      this.listeners.forEach((listener) => listener());
      return { id: row.id, created: true };
    }
    const existing = (await this.db('mail_outbox').where({ dedupeKey: mail.dedupeKey }).first('id')) as { id: string };
    return { id: existing.id, created: false };
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
