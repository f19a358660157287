import { MAIL_SETTING_LIMITS } from '@confab/protocol';
import type { ChatClient, MailSettingsDto, MailSettingsInput } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { Strings } from '../../i18n/index.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { mailSettingsStyles } from './inbox-mail.styles.js';
import { sectionStyles } from './inbox-pages.js';
import { settingsStyles } from './inbox-settings.styles.js';
import { type SectionText, SettingsSection } from './inbox-settings-section.js';

/** The form as typed: numbers and links stay text until saved, so a half-typed one is not lost. */
interface Draft {
  continuity: boolean;
  delay: string;
  chatUrl: string;
  notifyAgents: boolean;
  after: string;
  inboxUrl: string;
}

const draftOf = (s: MailSettingsDto): Draft => ({
  continuity: s.continuity,
  delay: String(s.continuityDelayMinutes),
  chatUrl: s.chatUrl ?? '',
  notifyAgents: s.notifyAgents,
  after: String(s.notifyAfterMinutes),
  inboxUrl: s.inboxUrl ?? '',
});

/** Whole minutes in the settings' bounds, or null. */
function minutes(text: string): number | null {
  const n = Number(text.trim());
  const { minutesMin, minutesMax } = MAIL_SETTING_LIMITS;
  return text.trim() && Number.isInteger(n) && n >= minutesMin && n <= minutesMax ? n : null;
}

/** An http(s) URL, null for empty, undefined when it is neither. */
function link(text: string): string | null | undefined {
  const value = text.trim();
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

const serverIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <rect x="3" y="5.5" width="18" height="13" rx="2" />
  <path d="m3.5 7 8.5 6 8.5-6" />
</svg>`;

/**
 * Settings › Email (`<confab-inbox-mail-settings>`): continuity (agents' unread replies mailed to
 * visitors who left) and agent notifications, each with its delay and link; how mail goes out; and
 * replies by email (`<confab-inbox-inbound-mail>`). Admins change them; agents see them read-only.
 */
export class InboxMailSettings extends SettingsSection<MailSettingsDto, Draft> {
  static override styles = [baseStyles, controlsStyles, sectionStyles, settingsStyles, mailSettingsStyles];

  protected readonly text: SectionText = {
    save: 'mailSave',
    saving: 'mailSaving',
    saved: 'mailSaved',
    loadFailed: 'mailLoadFailed',
    retry: 'mailRetry',
  };

  protected fetch(client: ChatClient): Promise<MailSettingsDto> {
    return client.support.mailSettings.get();
  }

  protected draftOf(value: MailSettingsDto): Draft {
    return draftOf(value);
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<section aria-labelledby="mail-title" part="mail-settings">
      <h2 id="mail-title">${t('mailSettingsTitle')}</h2>
      <p class="intro">${t('mailSettingsIntro')}</p>
      ${this.renderBody()}
    </section>`;
  }

  private renderBody() {
    const { t } = this.i18n;
    if (this.loadError) return this.renderLoadError();
    const { draft, saved } = this;
    if (!draft || !saved) return nothing;
    const readOnly = !this.canEdit;
    const invalid = this.invalid(draft);
    return html`${readOnly ? html`<p class="note" role="note">${t('mailReadOnly')}</p>` : nothing}
      <p class="transport" data-transport=${saved.transport}>
        ${serverIcon}<span>${t(saved.transport === 'smtp' ? 'mailTransportSmtp' : 'mailTransportFiles')}</span>
      </p>
      <form @submit=${this.save} @input=${this.touched} @change=${this.touched}>
        <fieldset ?disabled=${readOnly}>
          <legend>${t('mailContinuityLegend')}</legend>
          ${this.renderSwitch('continuity', 'mailContinuity', 'mailContinuityHint')}
          ${
            draft.continuity
              ? html`<div class="sub">
                  ${this.renderMinutes('delay', invalid.delay)}
                  ${this.renderLink('chatUrl', 'mailChatUrl', 'mailChatUrlHint', invalid.chatUrl)}
                </div>`
              : nothing
          }
        </fieldset>
        <fieldset ?disabled=${readOnly}>
          <legend>${t('mailAgentsLegend')}</legend>
          ${this.renderSwitch('notifyAgents', 'mailNotifyAgents', 'mailNotifyHint')}
          ${
            draft.notifyAgents
              ? html`<div class="sub">
                  ${this.renderMinutes('after', invalid.after)}
                  ${this.renderLink('inboxUrl', 'mailInboxUrl', 'mailInboxUrlHint', invalid.inboxUrl)}
                </div>`
              : nothing
          }
        </fieldset>
        ${readOnly ? nothing : this.renderActions(Object.values(invalid).some(Boolean))}
      </form>
      <confab-inbox-inbound-mail
        .client=${this.client}
        .i18n=${this.i18n}
        .settings=${saved}
        .canEdit=${this.canEdit}
        @confab-inbound-created=${this.inboundCreated}
      ></confab-inbox-inbound-mail>`;
  }

  private renderSwitch(name: 'continuity' | 'notifyAgents', label: keyof Strings, hint: keyof Strings) {
    const { t } = this.i18n;
    return html`<label class="check">
      <input
        type="checkbox"
        name=${name}
        .checked=${this.draft![name]}
        @change=${(e: Event) => this.edit({ [name]: (e.target as HTMLInputElement).checked })}
      />
      <span>${t(label)}<span class="hint">${t(hint)}</span></span>
    </label>`;
  }

  private renderMinutes(name: 'delay' | 'after', bad: boolean) {
    const { t } = this.i18n;
    const { minutesMin: min, minutesMax: max } = MAIL_SETTING_LIMITS;
    return html`<div>
      <div class="row">
        <label for=${name}>${t('mailAfter')}</label>
        <input
          id=${name}
          class="num field"
          name=${name}
          type="number"
          inputmode="numeric"
          min=${min}
          max=${max}
          step="1"
          aria-invalid=${bad ? 'true' : 'false'}
          .value=${this.draft![name]}
          @input=${(e: Event) => this.edit({ [name]: (e.target as HTMLInputElement).value })}
        />
        <span>${t('mailMinutes')}</span>
      </div>
      ${bad ? html`<p class="error">${t('mailInvalidMinutes', { min, max })}</p>` : nothing}
    </div>`;
  }

  private renderLink(name: 'chatUrl' | 'inboxUrl', label: keyof Strings, hint: keyof Strings, bad: boolean) {
    const { t } = this.i18n;
    return html`<div>
      <label class="label" for=${name}>${t(label)}</label>
      <input
        id=${name}
        class="field url"
        name=${name}
        type="url"
        inputmode="url"
        placeholder="https://"
        aria-invalid=${bad ? 'true' : 'false'}
        aria-describedby=${`${name}-hint`}
        .value=${this.draft![name]}
        @input=${(e: Event) => this.edit({ [name]: (e.target as HTMLInputElement).value })}
      />
      <span id=${`${name}-hint`} class=${bad ? 'error' : 'hint'}>${bad ? t('mailInvalidUrl') : t(hint)}</span>
    </div>`;
  }

  /** Which fields cannot be saved as typed (hidden ones are not checked: they keep what was stored). */
  private invalid(d: Draft) {
    return {
      delay: d.continuity && minutes(d.delay) === null,
      chatUrl: d.continuity && link(d.chatUrl) === undefined,
      after: d.notifyAgents && minutes(d.after) === null,
      inboxUrl: d.notifyAgents && link(d.inboxUrl) === undefined,
    };
  }

  /** A new inbound secret: the settings now say replies come in. */
  private readonly inboundCreated = () => {
    if (this.saved) this.saved = { ...this.saved, inboundConfigured: true };
  };

  private readonly save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const { draft, saved } = this;
    if (!draft || !saved || Object.values(this.invalid(draft)).some(Boolean)) return;
    const input: MailSettingsInput = {
      continuity: draft.continuity,
      continuityDelayMinutes: minutes(draft.delay) ?? saved.continuityDelayMinutes,
      chatUrl: draft.continuity ? (link(draft.chatUrl) ?? null) : saved.chatUrl,
      notifyAgents: draft.notifyAgents,
      notifyAfterMinutes: minutes(draft.after) ?? saved.notifyAfterMinutes,
      inboxUrl: draft.notifyAgents ? (link(draft.inboxUrl) ?? null) : saved.inboxUrl,
    };
    await this.persist((client) => client.support.mailSettings.set(input));
  };
}
