import type { IncomingMessage } from 'node:http';

import { LIMITS } from '@confab/protocol';

import { AppError } from '../../errors.js';
import { humanBytes } from '../../services/uploads/sizes.js';
import { route } from '../route.js';

/** Largest inbound mail: providers cap messages near 25–35 MB, attachments base64-encoded included. */
export const INBOUND_MAIL_BYTES_MAX = 35 * 1024 * 1024;

/**
 * The body's bytes, counted as they arrive (Content-Length is the sender's word only). Past the cap
 * the rest is read and dropped, so the client gets the 413 rather than a connection cut mid-send.
 */
export function readCapped(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? 0) > maxBytes;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) reject(new AppError('payload_too_large', `Inbound mail is limited to ${humanBytes(maxBytes)}`, { maxBytes }));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => reject(new AppError('bad_request', `The body could not be read: ${err.message}`)));
    req.on('aborted', () => reject(new AppError('bad_request', 'The body was cut off')));
  });
}

export const inboundRoutes = [
  route('POST /v1/inbound/email', {
    tag: 'mail',
    summary: 'Take in a reply to a conversation mail (for mail providers)',
    description:
      'The raw mail (`Content-Type: message/rfc822`, at most 35 MB, else `payload_too_large`; another type is ' +
      '`unsupported_media_type`), posted by a mail provider with HTTP Basic auth: the app id as username and the ' +
      "app's inbound secret (`POST /v1/support/mail-settings/inbound-secret`); without it, or with a wrong one, " +
      '`unauthorized`. The conversation is the one whose reply address (`support+<token>@…`, looked for in ' +
      'X-Original-To, Delivered-To, To and Cc) the mail went to; an unknown token, or one of another app, is ' +
      "`not_found`. The From address must be the visitor's email (`forbidden` otherwise; checking SPF/DKIM is the " +
      "provider's job). Automatic replies (`Auto-Submitted` other than `no`, `Precedence: bulk|junk|auto_reply`, " +
      '`X-Autoreply`) are refused with `validation_failed`, so an out-of-office never enters a conversation. The ' +
      'text part (or the HTML as text) loses our mail below the `##- … -##` line, quoted history and the signature, ' +
      `and is cut to ${LIMITS.messageTextMax} characters; attachments become attachments (up to ` +
      `${LIMITS.attachmentsPerMessageMax}; files of a refused type, such as HTML or scripts, or over MAX_UPLOAD_BYTES ` +
      'are left out and the rest of the mail still counts). Nothing left to add is `validation_failed`. The message ' +
      "is the visitor's, in the conversation (201). The same mail again (same Message-ID) answers 200 with " +
      '`created: false` and the first message, adding nothing: a provider may safely retry.',
    handler: async ({ services, app, koa, status }) => {
      const raw = await readCapped(koa.req, INBOUND_MAIL_BYTES_MAX);
      const { result } = await services.inbound.receive(app, raw);
      if (!result.created) status(200);
      return result;
    },
  }),
];
