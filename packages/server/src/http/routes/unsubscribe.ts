import type { UnsubscribeQuery } from '@confab/protocol';
import Joi from 'joi';
import type Koa from 'koa';

import { PAGE_CSP, type UnsubscribePage } from '../../services/mail/unsubscribe.js';
import { route } from '../route.js';

const tag = 'mail';
const query = Joi.object<UnsubscribeQuery>({ t: Joi.string().max(2_000).required() });

/** The page as its own self-contained document: no script, nothing loaded from elsewhere. */
function answerPage(koa: Koa.Context, page: UnsubscribePage): Uint8Array {
  koa.type = 'text/html; charset=utf-8';
  koa.set('Content-Security-Policy', PAGE_CSP);
  koa.set('Content-Language', page.lang);
  koa.set('Cache-Control', 'no-store');
  // The app's default no-referrer makes browsers send `Origin: null` on the form's POST, which the origin guard refuses.
  koa.set('Referrer-Policy', 'same-origin');
  return Buffer.from(page.html, 'utf8');
}

export const unsubscribeRoutes = [
  route('GET /v1/mail/unsubscribe', {
    tag,
    summary: 'The unsubscribe page of a mail',
    description:
      'The link in a mail’s `List-Unsubscribe` header and footer. Answers a small HTML page (en, pt-BR or es by ' +
      '`Accept-Language`) asking to confirm, whose button POSTs to the same link; a GET alone changes nothing (mail ' +
      'scanners follow links). A token not made by this server is `forbidden`.',
    query,
    handler: async ({ services, input, koa }) =>
      answerPage(koa, await services.unsubscribe.confirmPage(input.query.t, koa.get('accept-language'))),
  }),
  route('POST /v1/mail/unsubscribe', {
    tag,
    summary: 'Unsubscribe an address',
    description:
      'Records the address the token names as unsubscribed from the app’s continuity mails and agent notifications ' +
      '(transcripts asked for are still sent) and answers an HTML page saying so. Also the RFC 8058 one-click POST ' +
      '(body `List-Unsubscribe=One-Click`, which is not read). Repeating it changes nothing. A token not made by this ' +
      'server is `forbidden`.',
    query,
    handler: async ({ services, input, koa }) =>
      answerPage(koa, await services.unsubscribe.unsubscribe(input.query.t, koa.get('accept-language'))),
  }),
];
