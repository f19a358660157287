import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';

import { i18n, resolveLocale } from '../../i18n/index.js';
import { emit } from '../../lib/events.js';
import { baseStyles, themeTokens } from '../theme.styles.js';

const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * The support agents' inbox: sign in (password, or a token your backend signed), conversations
 * live by status and assignee with unread counts, claim / assign / resolve / reopen, visitor
 * details, and saved replies typed as `/shortcut`. Loads its code when it appears on a page.
 *
 * @example
 * <script type="module" src="https://chat.example.com/widget.js"></script>
 * <chat-inbox app="APP_ID" style="height: 100dvh"></chat-inbox>
 *
 * @cssprop --chat-accent - buttons, selection, own messages
 * @cssprop --chat-accent-contrast - text on the accent colour
 * @cssprop --chat-bg - background
 * @cssprop --chat-fg - text colour
 * @cssprop --chat-muted - secondary text
 * @cssprop --chat-radius - corner radius
 * @cssprop --chat-font - font family
 *
 * @csspart messages - the message list
 * @csspart message - one message
 * @csspart composer - the message form
 * @csspart input - the message text box
 * @csspart send-button - the send button
 */
export class ChatInbox extends LitElement {
  static override styles = [
    themeTokens,
    baseStyles,
    css`
      :host {
        display: block;
        height: 600px;
        background: var(--chat-bg);
      }
      confab-inbox-app {
        height: 100%;
      }
      .status {
        padding: 24px;
        color: var(--chat-muted);
      }
    `,
  ];

  @property() app = '';
  @property() server = '';
  /** A token your backend signed for an agent: signs in without the password form. */
  @property({ attribute: 'user-token' }) userToken = '';
  @property() override lang = '';
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';

  @state() private loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    import('./inbox-app.js').then(
      () => {
        this.loaded = true;
      },
      (err: Error) => emit(this, 'chat-error', { code: 'unavailable', message: err.message }),
    );
  }

  /**
   * Signs the agent out: the session ends on the server and in every inbox tab of this browser.
   * @example document.querySelector('chat-inbox').logout();
   */
  async logout(): Promise<void> {
    await import('./inbox-app.js');
    this.loaded = true;
    await this.updateComplete;
    const app = this.renderRoot.querySelector('confab-inbox-app');
    await app?.updateComplete;
    await app?.logout();
  }

  protected override render() {
    const text = i18n(resolveLocale(this.lang));
    if (!this.loaded) return html`<div class="status" role="status">${text.t('loading')}</div>`;
    return html`<confab-inbox-app
        exportparts="messages, message, composer, input, send-button"
        .server=${(this.server || SCRIPT_ORIGIN).replace(/\/+$/, '')}
        .app=${this.app}
        .userToken=${this.userToken || null}
        .i18n=${text}
      ></confab-inbox-app
      >${nothing}`;
  }
}
