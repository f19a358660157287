import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';

const chatIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
</svg>`;
const closeIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z" />
</svg>`;

/** The round button that opens and closes the chat (`part="launcher"`), with the unread badge. */
export function renderLauncher(i18n: I18n, opened: boolean, unread: number, onToggle: () => void) {
  const { t } = i18n;
  const action = t(opened ? 'closeChat' : 'openChat');
  return html`<button
    class="launcher"
    part="launcher"
    aria-label=${unread ? `${action}, ${t('unread', { count: unread })}` : action}
    aria-expanded=${opened ? 'true' : 'false'}
    aria-controls="panel"
    @click=${onToggle}
  >
    <slot name="launcher-icon">${opened ? closeIcon : chatIcon}</slot>
    ${unread ? html`<span class="badge" part="badge" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>` : nothing}
  </button>`;
}
