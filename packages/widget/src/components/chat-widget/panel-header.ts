import type { ReplyTime } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { I18n, Strings } from '../../i18n/index.js';
import { renderAvatar } from '../../lib/avatar.js';
import type { VisitorState } from './visitor-state.js';

export interface PanelHeaderOptions {
  /** The element's `title` and `subtitle` attributes (empty: the defaults). */
  title: string;
  subtitle: string;
  settings: VisitorState['settings'];
  /** Inline panels have no close button. */
  inline: boolean;
  /** The connection is down: the header says so instead of who is online. */
  reconnecting: boolean;
  onClose: () => void;
  /** Offered when there is a list of conversations to go back to. */
  onBack: (() => void) | null;
  /** The open conversation's menu (a lazily defined element), beside the close button. */
  menu?: unknown;
}

/** How many agents' faces the header and the launcher show before "+N". */
export const FACES = 3;

export const REPLY_TIME: Record<ReplyTime, keyof Strings> = { minutes: 'replyMinutes', hours: 'replyHours', day: 'replyDay' };

const backIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15.4 5 8.4 12l7 7 1.4-1.4L11.2 12l5.6-5.6z" /></svg>`;

/**
 * The panel's title bar (`part="header"`): the way back to the conversations, the faces of who is
 * online, the title, who can answer now (or that the chat is reconnecting), how fast the team
 * usually replies, and the close button.
 */
export function renderPanelHeader(i18n: I18n, options: PanelHeaderOptions) {
  const { t } = i18n;
  const { title, subtitle, settings, inline, reconnecting, onClose, onBack, menu = nothing } = options;
  const reply = settings?.replyTime ? t(REPLY_TIME[settings.replyTime]) : '';
  return html`<header part="header">
    ${onBack ? html`<button class="icon back" aria-label=${t('backToConversations')} @click=${onBack}>${backIcon}</button>` : nothing}
    ${renderFaces(settings, 'md')}
    <div class="text">
      <slot name="header">
        <h2>${title || t('defaultTitle')}</h2>
        <p>${reconnecting ? t('reconnecting') : subtitle || availability(i18n, settings)}</p>
        ${reply ? html`<span class="reply-time">${reply}</span>` : nothing}
      </slot>
    </div>
    ${menu} ${inline ? nothing : html`<button class="icon close" aria-label=${t('closeChat')} @click=${onClose}>✕</button>`}
  </header>`;
}

/** Up to three online agents' avatars, then "+N" (decorative: the text beside them says who is online). */
export function renderFaces(settings: VisitorState['settings'], size: 'sm' | 'md') {
  const online = settings?.agents.filter((a) => a.status === 'online') ?? [];
  if (!online.length) return nothing;
  const more = online.length - FACES;
  return html`<span class=${`faces ${size}`} aria-hidden="true"
    >${online.slice(0, more > 0 ? FACES - 1 : FACES).map((a) => renderAvatar(a, 'sm'))}${
      more > 0 ? html`<span class="avatar sm more">+${more + 1}</span>` : nothing
    }</span
  >`;
}

function availability(i18n: I18n, settings: VisitorState['settings']) {
  const { t } = i18n;
  if (!settings) return t('defaultSubtitle');
  return settings.available
    ? html`<span class="dot" aria-hidden="true"></span>${t('agentsOnline', { count: settings.online })}`
    : t('teamOffline');
}
