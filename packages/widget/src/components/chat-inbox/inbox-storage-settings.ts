import { LIMITS } from '@confab/protocol';
import type { ChatClient, StorageQuotaDto, StorageUsageDto } from '@confab/sdk';
import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';

import type { Strings } from '../../i18n/index.js';
import { formatBytes } from '../../lib/format.js';
import { styleProps } from '../../lib/style-props.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { sectionStyles } from './inbox-pages.js';
import { settingsStyles } from './inbox-settings.styles.js';
import { type SectionText, SettingsSection } from './inbox-settings-section.js';
import { storageStyles } from './inbox-storage-settings.styles.js';

const MB = 1024 * 1024;
/** The largest limit the server takes, in MB as the admin types it. */
const maxMb = (locale: string) => new Intl.NumberFormat(locale).format(LIMITS.storageQuotaBytesMax / MB);

/** The limits as typed, in MB: empty is unlimited. */
interface Draft {
  appBytes: string;
  userBytes: string;
}

const mbText = (bytes: number | null) => (bytes === null ? '' : String(Math.round((bytes / MB) * 100) / 100));

/** Bytes for the MB typed, null for empty (unlimited), undefined when it is not a number of MB the server takes. */
function bytesOf(text: string): number | null | undefined {
  const value = text.trim();
  if (!value) return null;
  const bytes = Math.round(Number(value) * MB);
  return Number.isFinite(bytes) && bytes >= 0 && bytes <= LIMITS.storageQuotaBytesMax ? bytes : undefined;
}

/** `part` of `whole` in percent, 0–100. */
const share = (part: number, whole: number) => (whole > 0 ? Math.min(100, (part / whole) * 100) : 0);

/**
 * Settings › Storage (`<confab-inbox-storage-settings>`, admins only): the app's stored upload bytes
 * against its limit, the per-person limit, the largest uploaders, and a form to set or clear both
 * limits (in MB; empty is unlimited). An upload that would go over a limit is refused by the server.
 */
export class InboxStorageSettings extends SettingsSection<StorageUsageDto, Draft> {
  static override styles = [baseStyles, controlsStyles, sectionStyles, settingsStyles, storageStyles];

  /** Names to show for the uploaders' ids (knownNames); an id without one shows as the id. */
  @property({ attribute: false }) names: Record<string, string> = {};

  protected readonly text: SectionText = {
    save: 'storageSave',
    saving: 'storageSaving',
    saved: 'storageSaved',
    loadFailed: 'storageLoadFailed',
    retry: 'storageRetry',
  };

  protected fetch(client: ChatClient): Promise<StorageUsageDto> {
    return client.storage.usage();
  }

  protected draftOf(usage: StorageUsageDto): Draft {
    return { appBytes: mbText(usage.app?.limitBytes ?? null), userBytes: mbText(usage.user.limitBytes) };
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<section aria-labelledby="storage-title" part="storage-settings">
      <h2 id="storage-title">${t('storageTitle')}</h2>
      <p class="intro">${t('storageIntro')}</p>
      ${this.loadError ? this.renderLoadError() : this.renderBody()}
    </section>`;
  }

  private size(bytes: number): string {
    return formatBytes(bytes, this.i18n.locale, true);
  }

  private renderBody() {
    const { t } = this.i18n;
    const { saved, draft } = this;
    const app = saved?.app;
    if (!saved || !draft || !app) return nothing;
    const limited = app.limitBytes !== null;
    const percent = limited ? (app.limitBytes ? share(app.usedBytes, app.limitBytes) : 100) : 0;
    const used = limited
      ? t('storageUsedOf', { used: this.size(app.usedBytes), limit: this.size(app.limitBytes!) })
      : t('storageUsed', { used: this.size(app.usedBytes) });
    const invalid = { appBytes: bytesOf(draft.appBytes) === undefined, userBytes: bytesOf(draft.userBytes) === undefined };
    return html`<div class="card" part="storage-usage">
        <div class="meter-head">
          <span class="label">${t('storageApp')}</span>
          <span class="amount" data-testid="app-used">${used}</span>
        </div>
        ${
          limited
            ? html`<div
                  class="meter"
                  role="progressbar"
                  aria-label=${t('storageApp')}
                  aria-valuemin="0"
                  aria-valuemax="100"
                  aria-valuenow=${Math.round(percent)}
                  aria-valuetext=${used}
                  data-level=${percent >= 90 ? 'full' : percent >= 75 ? 'high' : 'ok'}
                >
                  <span ${styleProps({ 'inline-size': `${percent}%` })}></span>
                </div>
                <p class="hint">${t('storagePercent', { percent: Math.round(percent) })}</p>`
            : html`<p class="hint">${t('storageUnlimited')}</p>`
        }
        <p class="per-person">
          <span>${t('storagePerPerson')}</span>
          <strong>${saved.user.limitBytes === null ? t('storageUnlimited') : this.size(saved.user.limitBytes)}</strong>
        </p>
      </div>
      <form @submit=${this.save} @input=${this.touched}>
        <div class="limits">
          ${this.renderLimit('appBytes', 'storageAppLimit', invalid.appBytes)}
          ${this.renderLimit('userBytes', 'storageUserLimit', invalid.userBytes)}
        </div>
        ${this.renderActions(invalid.appBytes || invalid.userBytes)}
      </form>
      <h3 id="storage-top">${t('storageTop')}</h3>
      ${
        app.topUsers.length
          ? html`<ol class="top" aria-labelledby="storage-top">
              ${app.topUsers.map((u) => {
                const name = this.names[u.userId];
                return html`<li>
                  <span class=${name ? 'who' : 'who id'} title=${name ? nothing : u.userId}>${name ?? u.userId}</span>
                  <span class="share" aria-hidden="true"
                    ><span ${styleProps({ 'inline-size': `${share(u.usedBytes, app.usedBytes)}%` })}></span
                  ></span>
                  <span class="size">${this.size(u.usedBytes)}</span>
                </li>`;
              })}
            </ol>`
          : html`<p class="hint">${t('storageTopNone')}</p>`
      }`;
  }

  private renderLimit(name: keyof Draft, label: keyof Strings, bad: boolean) {
    const { t } = this.i18n;
    return html`<div>
      <label class="label" for=${name}>${t(label)}</label>
      <div class="row">
        <input
          id=${name}
          class="num field"
          name=${name}
          type="number"
          inputmode="decimal"
          min="0"
          step="any"
          placeholder=${t('storageUnlimited')}
          aria-invalid=${bad ? 'true' : 'false'}
          aria-describedby=${`${name}-hint`}
          .value=${this.draft![name]}
          @input=${(e: Event) => this.edit({ [name]: (e.target as HTMLInputElement).value })}
        />
        <span>MB</span>
      </div>
      <span id=${`${name}-hint`} class=${bad ? 'error' : 'hint'}
        >${bad ? t('storageInvalid', { max: maxMb(this.i18n.locale) }) : t('storageEmptyHint')}</span
      >
    </div>`;
  }

  private readonly save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const { draft } = this;
    if (!draft) return;
    const appBytes = bytesOf(draft.appBytes);
    const userBytes = bytesOf(draft.userBytes);
    if (appBytes === undefined || userBytes === undefined) return;
    const quota: StorageQuotaDto = { appBytes, userBytes };
    await this.persist((client) => client.storage.setQuota(quota));
  };
}
