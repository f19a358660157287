import type { SupportConversationDto, SupportInboxItemDto } from '@confab/sdk';
import { html, nothing, type TemplateResult } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { renderAvatar } from '../../lib/avatar.js';
import { describeUserAgent } from '../../lib/user-agent.js';
import { ratingText } from './inbox-rating.js';
import { icons, renderStatusPill, visitorName } from './inbox-views.js';

/** "Chrome 156 on Linux", in the agent's language; null without a user agent. */
export function browserOf(i18n: I18n, c: SupportConversationDto): string | null {
  const ua = c.support.visitor.userAgent;
  return ua ? describeUserAgent(ua, (browser, os) => i18n.t('browserOnOs', { browser, os })) : null;
}

/** "Portuguese (Brazil)" for `pt-BR`, in the agent's language; the tag itself when Intl cannot name it. */
export function languageName(i18n: I18n, tag: string): string {
  try {
    return new Intl.DisplayNames([i18n.locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** The visitor's wall clock now, "14:05 (Europe/Lisbon)"; null for a zone Intl does not know. */
export function localTime(i18n: I18n, timeZone: string, now = new Date()): string | null {
  try {
    const time = new Intl.DateTimeFormat(i18n.locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(now);
    return i18n.t('localTimeValue', { time, zone: timeZone });
  } catch {
    return null;
  }
}

/** A URL shown short (host and path, no scheme), linked in full. */
function renderLink(url: string) {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    // not a URL after all: shown as text
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return html`<span class="clip" title=${url}>${url}</span>`;
  const shown = `${u.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  return html`<a class="clip" href=${url} target="_blank" rel="noopener noreferrer nofollow" title=${url}>${shown}</a>`;
}

export interface DetailsOptions {
  /** The visitor's other conversations; null while they load. */
  previous: readonly SupportInboxItemDto[] | null;
  /** The pane's own back / close control: none in the three-column layout. */
  close: { label: string; kind: 'back' | 'close'; onClick: () => unknown } | null;
  open(c: SupportInboxItemDto): unknown;
  /** A section of its own between the facts and the earlier conversations (the conversation's emails). */
  extra?: unknown;
  now?: Date;
}

/** Who the visitor is, where they came from, and what they asked before, beside the conversation. */
export function renderDetails(i18n: I18n, c: SupportConversationDto, options: DetailsOptions) {
  const { t } = i18n;
  const v = c.support.visitor;
  const visitor = c.visitor;
  const firstSeen = [c.createdAt, ...(options.previous ?? []).map((p) => p.createdAt)].sort()[0]!;
  const browser = browserOf(i18n, c);
  const rows: [string, string | TemplateResult | null | undefined][] = [
    [t('email'), visitor?.email],
    [t('browser'), browser && v.userAgent ? html`<span class="clip" title=${v.userAgent}>${browser}</span>` : null],
    [t('page'), v.pageUrl ? renderLink(v.pageUrl) : null],
    [t('referrer'), v.referrer ? renderLink(v.referrer) : null],
    [t('language'), v.locale ? languageName(i18n, v.locale) : null],
    [t('localTime'), v.timezone ? localTime(i18n, v.timezone, options.now) : null],
    [t('firstSeen'), html`<time datetime=${firstSeen}>${i18n.dateTime(firstSeen)}</time>`],
    [t('ratingLabel'), c.rating ? ratingText(i18n, c.rating) : null],
  ];
  const close = options.close;
  return html`<aside id="details" class="details" aria-labelledby="details-title">
    <div class="details-head">
      ${
        close?.kind === 'back'
          ? html`<button class="btn icon" aria-label=${close.label} @click=${close.onClick}>${icons.back}</button>`
          : nothing
      }
      <h2 id="details-title" tabindex="-1">${t('visitorDetails')}</h2>
      ${
        close?.kind === 'close'
          ? html`<button class="btn icon close" aria-label=${close.label} @click=${close.onClick}>
              <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>
            </button>`
          : nothing
      }
    </div>
    <div class="card">
      ${renderAvatar({ ...visitor, id: visitor?.id ?? c.id })}
      <strong class="full-name">${visitorName(i18n, c)}</strong>
    </div>
    <dl>
      ${rows
        .filter(([, value]) => value)
        .map(
          ([label, value]) =>
            html`<div class="fact">
              <dt>${label}</dt>
              <dd>${value}</dd>
            </div>`,
        )}
    </dl>
    ${options.extra ?? nothing}
    <h3>${t('previousConversations')}</h3>
    ${renderPrevious(i18n, options)}
  </aside>`;
}

function renderPrevious(i18n: I18n, options: DetailsOptions) {
  const { t } = i18n;
  if (options.previous === null) return html`<p class="muted" role="status">${t('loading')}</p>`;
  if (!options.previous.length) return html`<p class="muted">${t('noPreviousConversations')}</p>`;
  return html`<ul class="previous">
    ${options.previous.map((p) => {
      // A system line (resolved, assigned) is the server's English: the pill says as much.
      const last = p.lastMessage?.type === 'system' ? null : p.lastMessage;
      const text = last?.deletedAt ? t('deleted') : (last?.text ?? '');
      const at = p.lastMessageAt ?? p.createdAt;
      return html`<li>
        <button class="prev" data-id=${p.id} @click=${() => options.open(p)}>
          <span class="row">${renderStatusPill(i18n, p.support.status)}<time datetime=${at}>${i18n.dateTime(at)}</time></span>
          ${text ? html`<span class="preview">${text}</span>` : nothing}
        </button>
      </li>`;
    })}
  </ul>`;
}
