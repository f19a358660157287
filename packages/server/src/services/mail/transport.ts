import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import nodemailer from 'nodemailer';

import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';

/** One mail as the outbox holds it: everything needed to build the same message again. */
export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  /** Fixed when queued: a resend after a crash is recognisably the same message. */
  messageId: string;
  kind: string;
  replyTo: string | null;
  unsubscribeUrl: string | null;
  inReplyTo: string | null;
}

/** A failed send; `permanent` ones (SMTP 5xx) are not retried. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface MailTransport {
  /** Where mail goes: `smtp` or `files` (the embedded default). */
  readonly kind: 'smtp' | 'files';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The address part of `Name <a@b>` or `a@b`. */
export function addressOf(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

/** A Message-ID in the sender's domain, e.g. `<transcript.1f2e...@example.com>`. */
export function newMessageId(from: string, kind: string): string {
  const domain = addressOf(from).split('@')[1] ?? 'localhost';
  return `<${kind}.${randomBytes(16).toString('hex')}@${domain}>`;
}

/**
 * `List-Unsubscribe`: the recipient's one-click link (RFC 8058) when the mail has one, and always
 * the From mailbox (a `mailto:` with subject "unsubscribe").
 */
function unsubscribeHeaders(from: string, url: string | null): Record<string, string> {
  const mailto = `<mailto:${addressOf(from)}?subject=unsubscribe>`;
  if (!url) return { 'List-Unsubscribe': mailto };
  return { 'List-Unsubscribe': `<${url}>, ${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function message(from: string, mail: OutgoingMail) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    messageId: mail.messageId,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: [mail.inReplyTo] } : {}),
    headers: { ...unsubscribeHeaders(from, mail.unsubscribeUrl), 'Auto-Submitted': 'auto-generated' },
  };
}

/** SMTP_URL set: nodemailer over SMTP; unset: `.eml` files under DATA_DIR/mail (paths logged). */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>, logger: Logger): MailTransport {
  return config.smtpUrl
    ? smtpTransport(config.smtpUrl, config.mailFrom)
    : fileTransport(join(config.dataDir, 'mail'), config.mailFrom, logger);
}

function smtpTransport(url: string, from: string): MailTransport {
  const parsed = new URL(url);
  const smtp = nodemailer.createTransport({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
    secure: parsed.protocol === 'smtps:',
    ...(parsed.username ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } } : {}),
    // A stuck server must not hold a row past its lease (sender.ts).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await smtp.sendMail(message(from, mail));
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        const code = e.responseCode;
        throw new MailSendError((code ? `SMTP ${code}: ` : '') + e.message.slice(0, 400), code !== undefined && code >= 500);
      }
    },
    close: () => smtp.close(),
  };
}

function fileTransport(dir: string, from: string, logger: Logger): MailTransport {
  const build = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'files',
    async send(mail) {
      const info = await build.sendMail(message(from, mail));
      await mkdir(dir, { recursive: true });
      // One file per outbox row: a resend rewrites the same file rather than adding one.
      const path = join(dir, `${mail.id}.eml`);
      const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, info.message as Buffer);
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw new MailSendError(`writing ${path} failed: ${(err as Error).message}`, false);
      }
      logger.info({ mail: mail.id, path }, 'mail written to file (SMTP_URL unset)');
    },
    close: () => build.close(),
  };
}
