import type { TranscriptInput, TranscriptQueuedDto } from '@confab/protocol';
import Joi from 'joi';

import type { Db } from '../../db/knex.js';
import { NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import type { Throttle } from '../../redis/throttle.js';
import { type Actor, isStaff } from '../actor.js';
import type { MailOutbox } from './outbox.js';
import { type TranscriptDoc, transcriptHtml, transcriptSubject, transcriptText } from './transcript-format.js';

export const transcriptSchema = Joi.object<TranscriptInput>({
  email: Joi.string().trim().lowercase().email({ tlds: false }).max(254),
});

// Sending mail to an address someone typed is a spam relay if unchecked: a visitor gets a few an hour.
const VISITOR_RATE = { limit: 3, periodMs: 3_600_000 };
const STAFF_RATE = { limit: 30, periodMs: 3_600_000 };
// A transcript carries the last this many messages (a row holds its text and HTML: bounded).
const MAX_LINES = 1_000;

interface MessageRow {
  id: string;
  seq: string | number;
  text: string;
  type: 'text' | 'system';
  createdAt: Date;
  deletedAt: Date | null;
  senderName: string | null;
  senderLastName: string | null;
  senderUsername: string | null;
  senderRole: string;
}

/**
 * Conversation transcripts by email: the visitor (to their own address, or one they give) or an
 * agent (to the visitor, or any address) queues one in the mail outbox. Built from messages only:
 * private notes live in `conversation_notes`, which this never reads.
 */
export class TranscriptsService {
  constructor(
    private readonly db: Db,
    private readonly outbox: MailOutbox,
    private readonly throttle: Throttle,
    private readonly publicUrl: string | null,
  ) {}

  async send(actor: Actor, roomId: string, input: TranscriptInput): Promise<TranscriptQueuedDto> {
    const room = (await this.db('rooms')
      .join('apps', 'apps.id', 'rooms.app_id')
      .where({ 'rooms.id': roomId, 'rooms.app_id': actor.appId, 'rooms.kind': 'support' })
      .first('rooms.id', 'rooms.created_by', 'rooms.created_at', 'rooms.last_seq', 'apps.name as app_name')) as
      { id: string; createdBy: string | null; createdAt: Date; lastSeq: string | number; appName: string } | undefined;
    // Another visitor's conversation is as absent as another app's.
    if (!room || (!isStaff(actor) && room.createdBy !== actor.id)) throw new NotFoundError('Conversation');
    const to = input.email ?? (await this.visitorEmail(room.createdBy));
    if (!to) {
      throw new ValidationError('The visitor gave no email: say where to send the transcript in `email`', [
        { path: 'body.email', message: 'required: no email is known for this conversation' },
      ]);
    }
    // A double click queues one mail: same conversation, same address, same last message.
    const dedupeKey = `transcript:${room.id}:${to.toLowerCase()}:${room.lastSeq}`;
    if (await this.outbox.has(dedupeKey)) return { queued: true, to };
    const allowed = await this.throttle.consume(`mail:transcript:${actor.id}`, isStaff(actor) ? STAFF_RATE : VISITOR_RATE);
    if (!allowed.allowed) throw new RateLimitedError(allowed.retryAfterMs);
    const doc = await this.document(room.id, room.createdAt, room.appName);
    await this.outbox.enqueue({
      appId: actor.appId,
      kind: 'transcript',
      to,
      subject: transcriptSubject(doc),
      text: transcriptText(doc),
      html: transcriptHtml(doc),
      roomId: room.id,
      dedupeKey,
    });
    return { queued: true, to };
  }

  private async visitorEmail(visitorId: string | null): Promise<string | null> {
    if (!visitorId) return null;
    const row = (await this.db('users').where({ id: visitorId }).first('email')) as { email: string | null } | undefined;
    return row?.email ?? null;
  }

  private async document(roomId: string, startedAt: Date, appName: string): Promise<TranscriptDoc> {
    const newest = (await this.db('messages as m')
      .join('users as u', 'u.id', 'm.sender_id')
      .where('m.room_id', roomId)
      .orderBy('m.seq', 'desc')
      .limit(MAX_LINES + 1)
      .select(
        'm.id',
        'm.seq',
        'm.text',
        'm.type',
        'm.created_at',
        'm.deleted_at',
        'u.name as sender_name',
        'u.last_name as sender_last_name',
        'u.username as sender_username',
        'u.role as sender_role',
      )) as MessageRow[];
    const truncated = newest.length > MAX_LINES;
    const rows = newest.slice(0, MAX_LINES).reverse();
    const files = rows.length
      ? ((await this.db('attachments')
          .whereIn(
            'message_id',
            rows.map((r) => r.id),
          )
          .orderBy('created_at')
          .select('id', 'message_id', 'filename')) as { id: string; messageId: string; filename: string }[])
      : [];
    const byMessage = new Map<string, { name: string; url: string | null }[]>();
    for (const f of files) {
      const list = byMessage.get(f.messageId) ?? [];
      // Opening it needs a sign-in (upload links expire too soon for mail); no public URL, no link.
      list.push({ name: f.filename, url: this.publicUrl ? `${this.publicUrl}/v1/uploads/${f.id}` : null });
      byMessage.set(f.messageId, list);
    }
    return {
      appName,
      conversationId: roomId,
      startedAt: new Date(startedAt),
      truncated,
      lines: rows.map((r) => ({
        at: new Date(r.createdAt),
        author:
          [r.senderName, r.senderLastName].filter(Boolean).join(' ') || r.senderUsername || (r.senderRole === 'user' ? 'Visitor' : 'Agent'),
        staff: r.senderRole === 'agent' || r.senderRole === 'admin',
        system: r.type === 'system',
        deleted: !!r.deletedAt,
        text: r.deletedAt ? '' : r.text,
        attachments: r.deletedAt ? [] : (byMessage.get(r.id) ?? []),
      })),
    };
  }
}
