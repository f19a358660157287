import type { SupportConversationDto } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';

/** The agent's sign-in form; `notice` says why they are back here (session ended, signed out elsewhere). */
export function renderSignIn(i18n: I18n, notice: string, error: string, onSubmit: (e: Event) => void) {
  const { t } = i18n;
  return html`<form class="signin" @submit=${onSubmit}>
    <h2>${t('signIn')}</h2>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : nothing}
    <label class="field">${t('username')} <input name="username" autocomplete="username" required /></label>
    <label class="field">${t('password')} <input name="password" type="password" autocomplete="current-password" required /></label>
    ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
    <button class="primary" type="submit">${t('signIn')}</button>
  </form>`;
}

/** Who the visitor is and where they came from, beside the conversation. */
export function renderDetails(i18n: I18n, c: SupportConversationDto) {
  const { t } = i18n;
  const v = c.support.visitor;
  const rows: [string, string | undefined | null][] = [
    [t('name'), c.visitor?.name || c.visitor?.username],
    [t('email'), c.visitor?.email],
    [t('statusLabel'), t(`status_${c.support.status}`)],
    [t('page'), v.pageUrl],
    [t('referrer'), v.referrer],
    [t('browser'), v.userAgent],
    [t('language'), v.locale],
    [t('firstSeen'), i18n.dateTime(c.createdAt)],
  ];
  return html`<aside class="details" aria-label=${t('visitorDetails')}>
    <h2>${t('visitorDetails')}</h2>
    <dl>
      ${rows
        .filter(([, value]) => value)
        .map(
          ([label, value]) =>
            html`<dt>${label}</dt>
              <dd>${value}</dd>`,
        )}
    </dl>
  </aside>`;
}
