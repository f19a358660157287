import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';

import { StoreController } from '../../controllers/store-controller.js';
import type { I18n } from '../../i18n/index.js';
import { conversationMenuStyles } from './mail.styles.js';
import { looksLikeEmail, mailErrorText, type VisitorEmail, type VisitorMail } from './visitor-mail.js';

type View = 'closed' | 'menu' | 'transcript';
type Sending = { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent'; to: string } | { kind: 'error'; message: string };

const moreIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <circle cx="5.5" cy="12" r="1.9" />
  <circle cx="12" cy="12" r="1.9" />
  <circle cx="18.5" cy="12" r="1.9" />
</svg>`;

/**
 * The open conversation's menu in the widget's header (`<confab-conversation-menu>`): "Email me
 * this conversation" opens a small form under it that confirms the address the visitor gave (or
 * takes another) and queues the transcript. Escape or a click outside closes it; focus returns to
 * the menu button.
 *
 * @csspart menu-button - the header's "more" button
 * @csspart menu - the menu and the transcript form under it
 */
export class ConversationMenu extends LitElement {
  static override styles = conversationMenuStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) mail: VisitorMail | null = null;
  @property({ attribute: false }) conversationId = '';

  @state() private view: View = 'closed';
  /** The visitor chose to type an address other than the one they gave. */
  @state() private other = false;
  @state() private address = '';
  @state() private sending: Sending = { kind: 'idle' };
  @state() private invalid = false;
  @query('button.more') private button?: HTMLButtonElement;

  private readonly email = new StoreController<VisitorEmail>(this, { known: false, email: null });
  private readonly onOutside = (e: PointerEvent) => {
    if (this.view !== 'closed' && !e.composedPath().includes(this)) this.close(false);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.onOutside);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.onOutside);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('mail')) this.email.use(this.mail?.state ?? null);
    if (changed.has('conversationId') && changed.get('conversationId') !== undefined) this.close(false);
  }

  protected override render() {
    const { t } = this.i18n;
    const open = this.view !== 'closed';
    return html`<button
        class="more"
        part="menu-button"
        aria-label=${t('conversationMenu')}
        aria-haspopup="menu"
        aria-expanded=${this.view === 'menu' ? 'true' : 'false'}
        @click=${this.toggle}
      >
        ${moreIcon}
      </button>
      ${open ? this.renderPop() : nothing}`;
  }

  private renderPop() {
    return html`<div class="pop" part="menu" @keydown=${this.onKey}>${this.view === 'menu' ? this.renderMenu() : this.renderForm()}</div>`;
  }

  private renderMenu() {
    const { t } = this.i18n;
    return html`<div role="menu" aria-label=${t('conversationMenu')}>
      <button role="menuitem" class="item" @click=${this.openTranscript}>${mailIcon}${t('transcriptAction')}</button>
    </div>`;
  }

  private renderForm() {
    const { t } = this.i18n;
    const { sending } = this;
    if (sending.kind === 'sent') {
      return html`<div class="done" role="status">
        <p>${checkIcon}<span>${t('transcriptSent', { email: sending.to })}</span></p>
        <button class="secondary" @click=${() => this.close(true)}>${t('mailClose')}</button>
      </div>`;
    }
    const known = this.email.value.email;
    const asking = !known || this.other;
    const busy = sending.kind === 'sending';
    return html`<form aria-labelledby="transcript-title" novalidate @submit=${this.submit}>
      <h3 id="transcript-title">${t('transcriptAction')}</h3>
      ${
        asking
          ? html`<label class="field"
              >${t('transcriptAddress')}
              <input
                name="email"
                type="email"
                autocomplete="email"
                required
                aria-invalid=${this.invalid ? 'true' : 'false'}
                aria-describedby=${sending.kind === 'error' ? 'transcript-error' : nothing}
                .value=${this.address}
                @input=${(e: Event) => {
                  this.address = (e.target as HTMLInputElement).value;
                  this.invalid = false;
                }}
            /></label>`
          : html`<p class="confirm">${t('transcriptConfirm', { email: known })}</p>`
      }
      ${sending.kind === 'error' ? html`<p id="transcript-error" class="error" role="alert">${sending.message}</p>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${busy}>${busy ? t('mailSending') : t('transcriptSend')}</button>
        ${asking ? nothing : html`<button class="link" type="button" @click=${this.useOther}>${t('transcriptOther')}</button>`}
        <button class="link" type="button" @click=${() => this.close(true)}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private readonly toggle = async () => {
    if (this.view !== 'closed') return this.close(true);
    this.view = 'menu';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  };

  private readonly openTranscript = async () => {
    this.view = 'transcript';
    this.other = false;
    this.address = '';
    this.invalid = false;
    this.sending = { kind: 'idle' };
    await this.mail?.load();
    await this.focusFirst();
  };

  private readonly useOther = async () => {
    this.other = true;
    this.sending = { kind: 'idle' };
    await this.focusFirst();
  };

  private async focusFirst(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('form input, form .primary')?.focus();
  }

  private readonly submit = async (e: Event) => {
    e.preventDefault();
    const mail = this.mail;
    if (!mail || this.sending.kind === 'sending') return;
    const asking = !this.email.value.email || this.other;
    const address = this.address.trim();
    if (asking && !looksLikeEmail(address)) {
      this.invalid = true;
      this.sending = { kind: 'error', message: this.i18n.t('invalidEmail') };
      await this.focusFirst();
      return;
    }
    this.sending = { kind: 'sending' };
    try {
      const { to } = await mail.transcript(this.conversationId, asking ? address : undefined);
      this.sending = { kind: 'sent', to };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.done button')?.focus();
    } catch (err) {
      this.sending = { kind: 'error', message: mailErrorText(this.i18n, err) };
      this.invalid = asking;
    }
  };

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    // The panel closes on Escape too: only this menu does.
    e.stopPropagation();
    e.preventDefault();
    this.close(true);
  };

  private close(refocus: boolean): void {
    this.view = 'closed';
    if (refocus) void this.updateComplete.then(() => this.button?.focus());
  }
}

const checkIcon = html`<svg class="ok" viewBox="0 0 24 24" aria-hidden="true"><path d="m5 12.5 4.5 4.5L19 7.5" /></svg>`;

const mailIcon = html`<svg class="lead" viewBox="0 0 24 24" aria-hidden="true">
  <rect x="3" y="5.5" width="18" height="13" rx="2" />
  <path d="m3.5 7 8.5 6 8.5-6" />
</svg>`;
