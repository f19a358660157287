import { createHash } from 'node:crypto';

import { type InboundMailResultDto, LIMITS, type UserKind, type UserRole } from '@confab/protocol';
import { convert } from 'html-to-text';
import { type AddressObject, type HeaderValue, type ParsedMail, simpleParser } from 'mailparser';

import type { Db } from '../../db/knex.js';
import { App } from '../../db/models/index.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Actor } from '../actor.js';
import type { MessagesService } from '../messages/messages-service.js';
import type { UploadsService } from '../uploads/uploads-service.js';
import { inboundSecretMatches, replyTokenOf } from './addresses.js';
import { replyText } from './inbound-parse.js';
import type { ReplyTarget, ReplyTokens } from './reply-tokens.js';

export interface InboundDeps {
  db: Db;
  tokens: ReplyTokens;
  messages: MessagesService;
  uploads: UploadsService;
  logger: Logger;
  mailFrom: string;
  /** Attachments past MAX_UPLOAD_BYTES are left out, as an upload of them would be refused. */
  maxUploadBytes: number;
}

export interface InboundOutcome {
  result: InboundMailResultDto;
  /** Attachments left out (a refused type, too large, past the per-message limit). */
  skipped: number;
}

interface Visitor {
  id: string;
  email: string | null;
  role: UserRole;
  kind: UserKind;
}

const RECIPIENT_HEADERS = ['x-original-to', 'delivered-to', 'to', 'cc'] as const;

/** Addresses in a header as mailparser gives it: address objects, or the raw text of headers it does not parse. */
function addressesIn(value: HeaderValue | AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  if (Array.isArray(value)) return value.flatMap((v) => addressesIn(v as HeaderValue));
  if (typeof value === 'string') return value.match(/[^\s<>,;"()]+@[^\s<>,;"()]+/g) ?? [];
  if (typeof value === 'object' && 'value' in value && Array.isArray(value.value)) {
    return value.value.flatMap((a) => [
      ...(a.address ? [a.address] : []),
      ...(a.group ?? []).flatMap((g) => (g.address ? [g.address] : [])),
    ]);
  }
  return [];
}

/** Out-of-office and other automatic mails (RFC 3834 `Auto-Submitted`, and the older conventions), by the header that says so. */
export function automaticReplyHeader(mail: ParsedMail): string | null {
  const header = (name: string) => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value.trim().toLowerCase() : value === undefined ? null : String(value).toLowerCase();
  };
  const auto = header('auto-submitted');
  if (auto && !/^no\b/.test(auto)) return 'Auto-Submitted';
  if (/^(bulk|junk|auto_reply)\b/.test(header('precedence') ?? '')) return 'Precedence';
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return 'X-Autoreply';
  return null;
}

/**
 * Replies by email (`POST /v1/inbound/email`): the mail names its conversation by the reply
 * address's token and must come from that conversation's visitor; what they wrote (history and
 * signature stripped) and its attachments become their message. A mail with a Message-ID already
 * taken in is answered with the first message, adding nothing.
 */
export class InboundMail {
  constructor(private readonly deps: InboundDeps) {}

  /** The app whose id and inbound secret these are, or null. */
  async authenticate(appId: string, secret: string): Promise<App | null> {
    const app = await App.query(this.deps.db).findById(appId);
    if (!app) return null;
    const { inboundSecretHash } = (await this.deps.db('apps').where({ id: appId }).first('inbound_secret_hash')) as {
      inboundSecretHash: string | null;
    };
    return inboundSecretMatches(secret, inboundSecretHash) ? app : null;
  }

  async receive(app: App, raw: Buffer): Promise<InboundOutcome> {
    const { db } = this.deps;
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true });
    } catch (err) {
      throw new AppError('bad_request', `The mail could not be parsed: ${(err as Error).message}`);
    }
    const target = await this.target(app.id, mail);
    const visitor = (await db('rooms')
      .join('users', 'users.id', 'rooms.created_by')
      .where({ 'rooms.id': target.roomId, 'rooms.app_id': app.id, 'rooms.kind': 'support' })
      .first('users.id', 'users.email', 'users.role', 'users.kind')) as Visitor | undefined;
    if (!visitor) throw new NotFoundError('Conversation');
    const from = mail.from?.value[0]?.address?.toLowerCase();
    if (!from || !visitor.email || from !== visitor.email.toLowerCase()) {
      throw new ForbiddenError("Only the conversation's visitor can reply to it by email, from the address they gave");
    }
    const automatic = automaticReplyHeader(mail);
    if (automatic) {
      throw new ValidationError('Automatic replies (out of office and the like) are not added to conversations', [
        { path: `headers.${automatic}`, message: `${automatic} marks this mail as sent automatically` },
      ]);
    }
    // A mail without a Message-ID is the same mail when its bytes are.
    const messageKey = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const seen = (await db('mail_inbound').where({ appId: app.id, messageId: messageKey }).first('room_id', 'chat_message_id')) as
      { roomId: string; chatMessageId: string | null } | undefined;
    if (seen?.chatMessageId) {
      return { result: { conversationId: seen.roomId, messageId: seen.chatMessageId, created: false }, skipped: 0 };
    }

    const actor: Actor = {
      id: visitor.id,
      appId: app.id,
      role: visitor.role,
      kind: visitor.kind,
      // No session: the mail provider's secret stands for the visitor's sign-in.
      sessionId: 'inbound-mail',
      tokenExpiresAt: Date.now() + 60_000,
    };
    const text = replyText(this.textOf(mail), LIMITS.messageTextMax);
    const files = mail.attachments.filter((a) => !a.related);
    if (!text && !files.length) {
      throw new ValidationError('The mail holds no text of its own (only quoted history or a signature) and no attachment', [
        { path: 'body.text', message: 'empty after quoted history and signature were removed' },
      ]);
    }
    const { ids, skipped } = await this.upload(actor, files);
    if (!text && !ids.length) {
      throw new ValidationError('The mail holds no text of its own, and none of its attachments could be accepted', [
        { path: 'body.attachments', message: 'every attachment was refused' },
      ]);
    }
    const clientId = `mail:${createHash('sha256').update(`${app.id}\n${messageKey}`).digest('hex').slice(0, 40)}`;
    const sent = await this.deps.messages.send(actor, target.roomId, { clientId, text, attachments: ids });
    await db('mail_inbound')
      .insert({ appId: app.id, messageId: messageKey, roomId: target.roomId, chatMessageId: sent.message.id })
      .onConflict(['app_id', 'message_id'])
      .merge(['chat_message_id']);
    return { result: { conversationId: target.roomId, messageId: sent.message.id, created: sent.created }, skipped };
  }

  /** The conversation of the first reply token among the recipients that is one of this app's. */
  private async target(appId: string, mail: ParsedMail): Promise<ReplyTarget> {
    const recipients = RECIPIENT_HEADERS.flatMap((name) =>
      addressesIn(name === 'to' ? mail.to : name === 'cc' ? mail.cc : mail.headers.get(name)),
    );
    const tokens = [...new Set(recipients.map((a) => replyTokenOf(this.deps.mailFrom, a)).filter((t): t is string => !!t))];
    for (const token of tokens) {
      const found = await this.deps.tokens.find(this.deps.db, token);
      // Another app's conversation answers as one that does not exist.
      if (found?.appId === appId) return found;
    }
    throw new NotFoundError('Conversation of the reply address');
  }

  private textOf(mail: ParsedMail): string {
    if (mail.text?.trim()) return mail.text;
    if (typeof mail.html === 'string' && mail.html) {
      return convert(mail.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] });
    }
    return '';
  }

  /** Each attachment as an upload of the visitor's; refused and oversized ones are left out. */
  private async upload(actor: Actor, files: ParsedMail['attachments']): Promise<{ ids: string[]; skipped: number }> {
    const ids: string[] = [];
    let skipped = 0;
    for (const file of files) {
      if (ids.length >= LIMITS.attachmentsPerMessageMax || file.content.length > this.deps.maxUploadBytes || !file.content.length) {
        skipped++;
        continue;
      }
      try {
        ids.push((await this.deps.uploads.create(actor, file.content, file.filename ?? 'attachment')).id);
      } catch (err) {
        // Active content and unknown types are refused by the sniffer: the rest of the mail still counts.
        if (!(err instanceof AppError) || err.code !== 'unsupported_media_type') throw err;
        skipped++;
      }
    }
    if (skipped) this.deps.logger.info({ skipped }, 'inbound mail attachments left out');
    return { ids, skipped };
  }
}
