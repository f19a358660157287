import type { Db } from '../../db/knex.js';
import { ForbiddenError } from '../../errors.js';
import type { UnsubscribeLinks } from './addresses.js';

export type PageLanguage = 'en' | 'pt-BR' | 'es';

const TEXTS: Record<PageLanguage, Record<'title' | 'ask' | 'explain' | 'button' | 'doneTitle' | 'done', string>> = {
  en: {
    title: 'Unsubscribe',
    ask: 'Stop emails from {app} to {address}?',
    explain:
      'You will no longer get conversation updates or notifications from {app} at this address. Transcripts you ask for are still sent.',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    done: '{address} will get no more emails from {app}, except transcripts you ask for.',
  },
  'pt-BR': {
    title: 'Cancelar inscrição',
    ask: 'Parar os emails de {app} para {address}?',
    explain:
      'Você não receberá mais atualizações de conversas nem notificações de {app} neste endereço. ' +
      'Transcrições que você pedir continuam sendo enviadas.',
    button: 'Cancelar inscrição',
    doneTitle: 'Sua inscrição foi cancelada',
    done: '{address} não receberá mais emails de {app}, exceto transcrições que você pedir.',
  },
  es: {
    title: 'Darse de baja',
    ask: '¿Dejar de enviar emails de {app} a {address}?',
    explain:
      'Ya no recibirás actualizaciones de conversaciones ni avisos de {app} en esta dirección. ' +
      'Las transcripciones que pidas se siguen enviando.',
    button: 'Darse de baja',
    doneTitle: 'Te has dado de baja',
    done: '{address} no recibirá más emails de {app}, salvo las transcripciones que pidas.',
  },
};

/** The page's language from `Accept-Language`: the most wanted of en, pt (as pt-BR) and es; en otherwise. */
export function pageLanguage(header: string | undefined): PageLanguage {
  const wanted = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((w) => w.q > 0 && Number.isFinite(w.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { primary } of wanted) {
    if (primary === 'en' || primary === '*') return 'en';
    if (primary === 'pt') return 'pt-BR';
    if (primary === 'es') return 'es';
  }
  return 'en';
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A template's text with `{app}` and `{address}` filled in as escaped, emphasised HTML. */
const fill = (template: string, values: { app: string; address: string }) =>
  escapeHtml(template).replace(/\{(app|address)\}/g, (_, key: 'app' | 'address') => `<strong>${escapeHtml(values[key])}</strong>`);

/** What the page's Content-Security-Policy allows: its own inline style, and posting its form back here. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}' +
  'h1{font-size:1.4rem}' +
  'button{font:inherit;padding:.5rem 1.2rem;border:0;border-radius:.3rem;background:#2456d6;color:#fff;cursor:pointer}' +
  '.note{color:#555;font-size:.9rem}';

function page(lang: PageLanguage, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
  );
}

export interface UnsubscribePage {
  html: string;
  lang: PageLanguage;
}

/**
 * The unsubscribe links of mails (`UnsubscribeLinks` signs them): the page asks first (link
 * scanners follow GETs), the POST (the page's button, or a mail client's RFC 8058 one-click)
 * records the address. Recorded addresses get no continuity mail and no agent notification.
 */
export class UnsubscribeService {
  constructor(
    private readonly db: Db,
    readonly links: UnsubscribeLinks,
  ) {}

  /** The confirmation page, with a form that posts back to the same link. */
  async confirmPage(token: string, acceptLanguage?: string): Promise<UnsubscribePage> {
    const { address, appName } = await this.resolve(token);
    const lang = pageLanguage(acceptLanguage);
    const t = TEXTS[lang];
    const values = { app: appName, address };
    // Relative to this page's own address, so it still holds behind a proxy that mounts the API under a path.
    const action = `unsubscribe?t=${encodeURIComponent(token)}`;
    const body =
      `<h1>${escapeHtml(t.title)}</h1><p>${fill(t.ask, values)}</p><p class="note">${fill(t.explain, values)}</p>` +
      `<form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(t.button)}</button></form>`;
    return { html: page(lang, t.title, body), lang };
  }

  /** Records the address (again is fine) and answers the "unsubscribed" page. */
  async unsubscribe(token: string, acceptLanguage?: string): Promise<UnsubscribePage> {
    const { appId, address, appName } = await this.resolve(token);
    await this.db('mail_unsubscribes').insert({ appId, address }).onConflict(['app_id', 'address']).ignore();
    const lang = pageLanguage(acceptLanguage);
    const t = TEXTS[lang];
    return { html: page(lang, t.doneTitle, `<h1>${escapeHtml(t.doneTitle)}</h1><p>${fill(t.done, { app: appName, address })}</p>`), lang };
  }

  private async resolve(token: string): Promise<{ appId: string; address: string; appName: string }> {
    const named = this.links.verify(token);
    const app = named ? ((await this.db('apps').where({ id: named.appId }).first('name')) as { name: string } | undefined) : undefined;
    // A link not made here, or for an app since deleted, names nobody to unsubscribe.
    if (!named || !app) throw new ForbiddenError('This unsubscribe link is not valid');
    return { appId: named.appId, address: named.address.toLowerCase(), appName: app.name };
  }
}
