import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { renderFaces, REPLY_TIME } from './panel-header.js';
import type { VisitorState } from './visitor-state.js';

const chatIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
</svg>`;
const closeIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z" />
</svg>`;

export interface LauncherOptions {
  opened: boolean;
  unread: number;
  /** Known once the chat was loaded (settings are fetched lazily): the reply time and who is online. */
  settings: VisitorState['settings'];
  onToggle: () => void;
}

/**
 * The round button that opens and closes the chat (`part="launcher"`), with the unread badge and,
 * once the team's settings are known and while closed, a note beside it (`part="launcher-note"`):
 * the faces of who is online and how fast the team usually replies.
 */
export function renderLauncher(i18n: I18n, { opened, unread, settings, onToggle }: LauncherOptions) {
  const { t } = i18n;
  const action = t(opened ? 'closeChat' : 'openChat');
  const reply = settings?.replyTime ? t(REPLY_TIME[settings.replyTime]) : '';
  const note = !opened && reply;
  return html`${
      note
        ? html`<div class="launcher-note" part="launcher-note" id="launcher-note" aria-hidden="true" @click=${onToggle}>
            ${renderFaces(settings, 'sm')}<span>${reply}</span>
          </div>`
        : nothing
    }<button
      class="launcher"
      part="launcher"
      aria-label=${unread ? `${action}, ${t('unread', { count: unread })}` : action}
      aria-describedby=${note ? 'launcher-note' : nothing}
      aria-expanded=${opened ? 'true' : 'false'}
      aria-controls="panel"
      @click=${onToggle}
    >
      <slot name="launcher-icon">${opened ? closeIcon : chatIcon}</slot>
      ${unread ? html`<span class="badge" part="badge" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>` : nothing}
    </button>`;
}
