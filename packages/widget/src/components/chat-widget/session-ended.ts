import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';
import type { VisitorEnd } from './visitor-state.js';

/**
 * What the panel shows once the session really ended: why, in words, and how to go on (a host
 * user is signed in again; an anonymous visitor starts a new conversation).
 */
export function renderSessionEnded(i18n: I18n, reason: VisitorEnd | null, hostUser: boolean, onContinue: () => void) {
  const { t } = i18n;
  return html`<div class="status ended" role="alert">
    <p><strong>${t(reason === 'logout-elsewhere' ? 'sessionEndedElsewhere' : 'sessionEnded')}</strong></p>
    ${hostUser ? nothing : html`<p>${t('sessionEndedGuest')}</p>`}
    <button class="primary" @click=${onContinue}>${t(hostUser ? 'continueChat' : 'startNewChat')}</button>
  </div>`;
}
