import type { ChatClient, InboundSecretDto, MailSettingsDto } from '@confab/sdk';
import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { asChatError } from '../../lib/chat-error.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { inboundStyles } from './inbox-mail.styles.js';

type Step =
  | { kind: 'idle' }
  | { kind: 'confirm' }
  | { kind: 'creating' }
  | { kind: 'shown'; secret: InboundSecretDto }
  | { kind: 'error'; message: string };

const copyIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <rect x="9" y="9" width="11" height="11" rx="2" />
  <path d="M5 15V6a2 2 0 0 1 2-2h8" />
</svg>`;

/**
 * Settings › Email › Replies by email (`<confab-inbox-inbound-mail>`): whether answers to Confab's
 * mails come back in, what reply addresses look like, and (admins) "Create inbound secret", which
 * confirms before replacing an old one and shows the username, secret and URL this once, with copy
 * buttons and how to point a mail provider at them.
 *
 * @fires confab-inbound-created - a new secret was made (replies can come in)
 */
export class InboxInboundMail extends LitElement {
  static override styles = [baseStyles, controlsStyles, inboundStyles];

  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) settings: MailSettingsDto | null = null;
  @property({ attribute: false }) canEdit = false;

  @state() private step: Step = { kind: 'idle' };
  /** Which value was just copied (its "Copied" shows a moment). */
  @state() private copied = '';
  private copiedTimer: ReturnType<typeof setTimeout> | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.copiedTimer) clearTimeout(this.copiedTimer);
  }

  protected override render() {
    const { t } = this.i18n;
    const settings = this.settings;
    if (!settings) return nothing;
    const on = settings.inboundConfigured;
    return html`<section aria-labelledby="inbound-title">
      <h3 id="inbound-title">${t('inboundTitle')}</h3>
      <p class="state" data-on=${on ? 'true' : 'false'}>
        <span class="dot" aria-hidden="true"></span>${t(on ? 'inboundOn' : 'inboundOff')}
      </p>
      <p>${t('inboundAddress')} <code class="inline">${settings.replyAddress}</code></p>
      ${this.canEdit ? this.renderStep(on) : nothing}
    </section>`;
  }

  private renderStep(on: boolean) {
    const { t } = this.i18n;
    const { step } = this;
    switch (step.kind) {
      case 'confirm':
        return html`<div class="confirm" role="group" aria-labelledby="inbound-confirm">
          <p id="inbound-confirm">${t('inboundConfirm')}</p>
          <div class="row">
            <button class="btn primary" @click=${this.create}>${t('inboundConfirmButton')}</button>
            <button class="btn link" @click=${this.cancel}>${t('cancel')}</button>
          </div>
        </div>`;
      case 'shown':
        return this.renderSecret(step.secret);
      default:
        return html`<div class="row">
            <button class="btn" ?disabled=${step.kind === 'creating'} @click=${on ? this.ask : this.create}>
              ${step.kind === 'creating' ? t('inboundCreating') : t(on ? 'inboundReplace' : 'inboundCreate')}
            </button>
          </div>
          ${step.kind === 'error' ? html`<p class="error" role="alert">${step.message}</p>` : nothing}`;
    }
  }

  private renderSecret(secret: InboundSecretDto) {
    const { t } = this.i18n;
    const rows = [
      ['username', t('inboundUsername'), secret.username],
      ['secret', t('inboundSecret'), secret.secret],
      ['url', t('inboundUrl'), secret.url],
    ] as const;
    return html`<div class="secret" role="region" aria-labelledby="inbound-once" tabindex="-1">
      <p id="inbound-once" class="once">${t('inboundOnce')}</p>
      <dl>
        ${rows.map(
          ([key, label, value]) =>
            html`<div data-key=${key}>
              <dt>${label}</dt>
              <dd>
                <code>${value}</code>
                <button class="btn small" @click=${() => void this.copy(key, value)}>
                  ${copyIcon}<span>${this.copied === key ? t('inboundCopied') : t('inboundCopy')}</span
                  ><span class="sr-only"> ${label}</span>
                </button>
              </dd>
            </div>`,
        )}
      </dl>
      <p class="howto">${t('inboundHowTo')}</p>
      <span class="sr-only" role="status">${this.copied ? t('inboundCopied') : ''}</span>
    </div>`;
  }

  private readonly ask = async () => {
    this.step = { kind: 'confirm' };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.confirm .primary')?.focus();
  };

  private readonly cancel = async () => {
    this.step = { kind: 'idle' };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.row .btn')?.focus();
  };

  private readonly create = async () => {
    const client = this.client;
    if (!client) return;
    this.step = { kind: 'creating' };
    try {
      const secret = await client.support.mailSettings.rotateInboundSecret();
      this.step = { kind: 'shown', secret };
      this.dispatchEvent(new CustomEvent('confab-inbound-created', { bubbles: true, composed: true }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.secret')?.focus();
    } catch (err) {
      this.step = { kind: 'error', message: this.i18n.t('inboundFailed', { message: asChatError(err).message }) };
    }
  };

  private async copy(key: string, value: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard (an insecure page, or refused): the value stays on screen to select by hand.
      return;
    }
    this.copied = key;
    if (this.copiedTimer) clearTimeout(this.copiedTimer);
    this.copiedTimer = setTimeout(() => (this.copied = ''), 2_000);
  }
}
