import type { ChatClient, UserDto } from '@confab/sdk';
import { html, LitElement } from 'lit';
import { property } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';

/** The inbox's Settings page (placeholder: being built). */
export class InboxSettings extends LitElement {
  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) me: UserDto | null = null;

  protected override render() {
    return html`<h2>${this.i18n.t('pageSettings')}</h2>`;
  }
}
