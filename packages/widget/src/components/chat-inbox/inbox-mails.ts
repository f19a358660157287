import type { ChatClient, MailDto, SupportConversationDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { asChatError } from '../../lib/chat-error.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { mailsStyles } from './inbox-mail.styles.js';

/** The conversation's Emails, for the details pane. */
export function renderMails(i18n: I18n, client: ChatClient | null, conversation: SupportConversationDto) {
  return html`<confab-inbox-mails .client=${client} .i18n=${i18n} .conversation=${conversation}></confab-inbox-mails>`;
}

/** While a mail is pending the list is asked again this often, this many times at most. */
const PENDING_RECHECK_MS = 2_500;
const PENDING_RECHECKS = 24;

type Sending = { kind: 'idle' } | { kind: 'sending' } | { kind: 'queued'; to: string } | { kind: 'error'; message: string };

/**
 * The Emails of a conversation, in the inbox's details pane (`<confab-inbox-mails>`): the
 * transcripts, replies by email and agent notifications sent about it, newest first, each with its
 * address, status and time (and the last error), and "Send transcript", an inline form prefilled
 * with the visitor's email. Loaded whenever it appears or the conversation changes, after a send,
 * and again while a mail is still being sent.
 */
export class InboxMails extends LitElement {
  static override styles = [baseStyles, controlsStyles, mailsStyles];

  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) conversation: SupportConversationDto | null = null;

  /** Null while the first page loads. */
  @state() private mails: MailDto[] | null = null;
  @state() private loadError = '';
  @state() private formOpen = false;
  @state() private address = '';
  @state() private sending: Sending = { kind: 'idle' };
  private recheck: ReturnType<typeof setTimeout> | null = null;
  private rechecks = 0;
  private loadedFor = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // Shown again (the pane reopened): what went out meanwhile is asked for.
    if (this.loadedFor) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopRecheck();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const id = this.conversation?.id ?? '';
    if ((changed.has('conversation') || changed.has('client')) && id !== this.loadedFor) {
      this.loadedFor = id;
      this.mails = null;
      this.formOpen = false;
      this.sending = { kind: 'idle' };
      this.rechecks = 0;
      void this.load();
    }
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<section aria-labelledby="mails-title">
      <div class="head">
        <h3 id="mails-title">${t('mailsTitle')}</h3>
        ${
          this.formOpen ? nothing : html`<button class="btn small" @click=${this.openForm}>${mailIcon}${t('transcriptSendAction')}</button>`
        }
      </div>
      ${this.formOpen ? this.renderForm() : nothing} ${this.renderQueued()} ${this.renderList()}
    </section>`;
  }

  private renderQueued() {
    if (this.sending.kind !== 'queued') return nothing;
    return html`<p class="result" role="status">${this.i18n.t('transcriptQueued', { email: this.sending.to })}</p>`;
  }

  private renderForm() {
    const { t } = this.i18n;
    const busy = this.sending.kind === 'sending';
    const error = this.sending.kind === 'error' ? this.sending.message : '';
    return html`<form class="send" aria-label=${t('transcriptSendAction')} @submit=${this.send} @keydown=${this.onFormKey}>
      <label for="transcript-to">${t('transcriptTo')}</label>
      <input
        id="transcript-to"
        class="field"
        type="email"
        autocomplete="off"
        required
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? 'transcript-error' : nothing}
        .value=${this.address}
        @input=${(e: Event) => (this.address = (e.target as HTMLInputElement).value)}
      />
      ${error ? html`<p id="transcript-error" class="error" role="alert">${error}</p>` : nothing}
      <div class="row">
        <button class="btn primary" type="submit" ?disabled=${busy}>${busy ? t('transcriptSending') : t('transcriptSendButton')}</button>
        <button class="btn link" type="button" @click=${this.closeForm}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private renderList() {
    const { t } = this.i18n;
    if (this.loadError) return html`<p class="error" role="alert">${this.loadError}</p>`;
    if (this.mails === null) return html`<p class="muted" role="status">${t('loading')}</p>`;
    if (!this.mails.length) return html`<p class="muted">${t('mailsNone')}</p>`;
    return html`<ul class="mails">
      ${this.mails.map((m) => {
        const at = m.sentAt ?? m.createdAt;
        const why = m.lastError ? t(m.status === 'failed' ? 'mailGaveUp' : 'mailRetrying', { error: m.lastError }) : '';
        return html`<li class="mail" data-id=${m.id} data-kind=${m.kind} data-status=${m.status}>
          <div class="row">
            <strong>${t(`mailKind_${m.kind}`)}</strong>
            <span class="pill" data-status=${m.status} title=${m.lastError ?? nothing}
              ><span class="dot" aria-hidden="true"></span>${t(`mailStatus_${m.status}`)}</span
            >
          </div>
          <span class="to">${t('mailTo', { email: m.to })}</span>
          <time datetime=${at}>${this.i18n.dateTime(at)}</time>
          ${why ? html`<span class="why">${why}</span>` : nothing}
        </li>`;
      })}
    </ul>`;
  }

  private async load(): Promise<void> {
    const { client, conversation } = this;
    if (!client || !conversation) return;
    this.stopRecheck();
    try {
      const page = await client.support.mails(conversation.id, { limit: 20 });
      if (conversation.id !== this.loadedFor) return;
      this.mails = page.items;
      this.loadError = '';
      if (page.items.some((m) => m.status === 'pending') && this.rechecks < PENDING_RECHECKS && this.isConnected) {
        this.rechecks += 1;
        this.recheck = setTimeout(() => void this.load(), PENDING_RECHECK_MS);
      }
    } catch (err) {
      if (conversation.id === this.loadedFor) this.loadError = this.i18n.t('mailsLoadFailed', { message: asChatError(err).message });
    }
  }

  private stopRecheck(): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
  }

  private readonly openForm = async () => {
    this.address = this.conversation?.visitor?.email ?? '';
    this.sending = { kind: 'idle' };
    this.formOpen = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#transcript-to')?.focus();
  };

  private readonly closeForm = async () => {
    this.formOpen = false;
    if (this.sending.kind === 'error') this.sending = { kind: 'idle' };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.head .btn')?.focus();
  };

  private readonly onFormKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    void this.closeForm();
  };

  private readonly send = async (e: Event) => {
    e.preventDefault();
    const { client, conversation } = this;
    const email = this.address.trim();
    if (!client || !conversation || this.sending.kind === 'sending') return;
    this.sending = { kind: 'sending' };
    try {
      const { to } = await client.support.transcript(conversation.id, email || undefined);
      this.sending = { kind: 'queued', to };
      this.formOpen = false;
      this.rechecks = 0;
      await this.load();
      this.renderRoot.querySelector<HTMLElement>('.head .btn')?.focus();
    } catch (err) {
      const error = asChatError(err);
      const { t } = this.i18n;
      const message =
        error.code === 'rate_limited'
          ? t('transcriptTooMany')
          : error.code === 'validation_failed'
            ? t('invalidEmail')
            : t('errorGeneric', { message: error.message });
      this.sending = { kind: 'error', message };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#transcript-to')?.focus();
    }
  };
}

const mailIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <rect x="3" y="5.5" width="18" height="13" rx="2" />
  <path d="m3.5 7 8.5 6 8.5-6" />
</svg>`;
