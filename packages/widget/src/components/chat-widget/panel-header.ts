import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';
import type { VisitorState } from './visitor-state.js';

export interface PanelHeaderOptions {
  /** The element's `title` and `subtitle` attributes (empty: the defaults). */
  title: string;
  subtitle: string;
  settings: VisitorState['settings'];
  /** Inline panels have no close button. */
  inline: boolean;
  onClose: () => void;
}

/** The panel's title bar (`part="header"`): title, who can answer now, and the close button. */
export function renderPanelHeader(i18n: I18n, { title, subtitle, settings, inline, onClose }: PanelHeaderOptions) {
  const { t } = i18n;
  return html`<header part="header">
    <div class="text">
      <slot name="header">
        <h2>${title || t('defaultTitle')}</h2>
        <p>${subtitle || availability(i18n, settings)}</p>
      </slot>
    </div>
    ${inline ? nothing : html`<button class="close" aria-label=${t('closeChat')} @click=${onClose}>✕</button>`}
  </header>`;
}

function availability({ t }: I18n, settings: VisitorState['settings']): string {
  if (!settings) return t('defaultSubtitle');
  return settings.available ? `● ${t('agentsOnline', { count: settings.online })}` : t('teamOffline');
}
