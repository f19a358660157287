import type { ChatClient } from '@confab/sdk';
import { html, LitElement } from 'lit';
import { property } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';

/** The inbox's Reports page (placeholder: being built). */
export class InboxReports extends LitElement {
  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;

  protected override render() {
    return html`<h2>${this.i18n.t('pageReports')}</h2>`;
  }
}
