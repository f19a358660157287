import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import { StoreController } from '../../controllers/store-controller.js';
import type { I18n } from '../../i18n/index.js';
import { emailCardStyles } from './mail.styles.js';
import { type EmailCardChoice, looksLikeEmail, mailErrorText, type VisitorEmail, type VisitorMail } from './visitor-mail.js';

const closeIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>`;

/**
 * "Get replies by email" (`<confab-email-card>`), in the visitor's thread after their first message
 * when they have not given an email: an address and Save, then "We'll email you at x if you're
 * away" (which can be changed). Closing it, or saving, is remembered for the conversation; a
 * visitor whose email the host gave never sees it.
 *
 * @csspart email-card - the card
 */
export class EmailCard extends LitElement {
  static override styles = emailCardStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) mail: VisitorMail | null = null;
  @property({ attribute: false }) conversationId = '';

  @state() private choice: EmailCardChoice | null = null;
  @state() private editing = false;
  @state() private address = '';
  @state() private saving = false;
  @state() private error = '';

  private readonly email = new StoreController<VisitorEmail>(this, { known: false, email: null });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('mail')) this.email.use(this.mail?.state ?? null);
    if (changed.has('conversationId') || changed.has('mail')) {
      // Asked once per signed-in user: a later visitor of this browser is asked anew.
      void this.mail?.load();
      this.choice = this.mail && this.conversationId ? this.mail.choice(this.conversationId) : null;
      this.editing = false;
      this.error = '';
    }
  }

  /** Shown for a visitor without an email, and after they gave it here; never once closed. */
  private get shown(): boolean {
    const { known, email } = this.email.value;
    if (!known || this.choice === 'dismissed') return false;
    return !email || this.choice === 'saved';
  }

  protected override updated(): void {
    this.toggleAttribute('hidden', !this.shown);
  }

  protected override render() {
    if (!this.shown) return nothing;
    const { t } = this.i18n;
    const email = this.email.value.email;
    const asking = !email || this.editing;
    return html`<section class="card" part="email-card" aria-labelledby="email-card-title">
      <div class="head">
        <span class=${asking ? 'badge' : 'badge done'} aria-hidden="true">${asking ? envelope : check}</span>
        <h3 id="email-card-title">${t('repliesTitle')}</h3>
        <button class="dismiss" aria-label=${t('repliesDismiss')} @click=${this.dismiss}>${closeIcon}</button>
      </div>
      ${
        asking
          ? html`<p class="hint">${t('repliesIntro')}</p>
              <form novalidate @submit=${this.save}>
                <label class="sr-only" for="replies-email">${t('email')}</label>
                <input
                  id="replies-email"
                  type="email"
                  autocomplete="email"
                  placeholder=${t('repliesPlaceholder')}
                  aria-invalid=${this.error ? 'true' : 'false'}
                  aria-describedby=${this.error ? 'replies-error' : nothing}
                  .value=${this.address}
                  @input=${(e: Event) => {
                    this.address = (e.target as HTMLInputElement).value;
                    this.error = '';
                  }}
                />
                <button class="primary" type="submit" ?disabled=${this.saving}>${this.saving ? t('mailSending') : t('save')}</button>
              </form>
              ${this.error ? html`<p id="replies-error" class="error" role="alert">${this.error}</p>` : nothing}`
          : html`<p class="saved" role="status">
              <span>${t('repliesSaved', { email })}</span>
              <button class="link" @click=${this.change}>${t('repliesChange')}</button>
            </p>`
      }
    </section>`;
  }

  private readonly save = async (e: Event) => {
    e.preventDefault();
    const address = this.address.trim();
    const mail = this.mail;
    if (!mail || this.saving) return;
    if (!looksLikeEmail(address)) {
      this.error = this.i18n.t('invalidEmail');
      this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
      return;
    }
    this.saving = true;
    try {
      await mail.saveEmail(address);
      mail.choose(this.conversationId, 'saved');
      this.choice = 'saved';
      this.editing = false;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.saved .link')?.focus();
    } catch (err) {
      this.error = mailErrorText(this.i18n, err);
    } finally {
      this.saving = false;
    }
  };

  private readonly change = async () => {
    this.address = this.email.value.email ?? '';
    this.editing = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input')?.select();
  };

  private readonly dismiss = () => {
    this.mail?.choose(this.conversationId, 'dismissed');
    this.choice = 'dismissed';
    // The card is gone: focus goes to the message box of the thread it sits in.
    this.parentElement?.focus();
  };
}

const envelope = html`<svg viewBox="0 0 24 24">
  <rect x="3" y="5.5" width="18" height="13" rx="2" />
  <path d="m3.5 7 8.5 6 8.5-6" />
</svg>`;
const check = html`<svg viewBox="0 0 24 24"><path d="m5 12.5 4.5 4.5L19 7.5" /></svg>`;
