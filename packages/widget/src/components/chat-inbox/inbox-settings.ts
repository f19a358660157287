import { ASSIGNMENT_LIMITS, ASSIGNMENT_MODES } from '@confab/protocol';
import type { AssignmentDto, AssignmentMode, AssignmentSettingsDto, ChatClient, UserDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { sectionStyles } from './inbox-pages.js';
import { settingsStyles } from './inbox-settings.styles.js';

const MODE_TEXT = {
  off: ['assignmentOff', 'assignmentOffHint'],
  round_robin: ['assignmentRoundRobin', 'assignmentRoundRobinHint'],
  least_busy: ['assignmentLeastBusy', 'assignmentLeastBusyHint'],
} as const satisfies Record<AssignmentMode, readonly [string, string]>;
const REQUEUE_DEFAULT = 15;

/** The form as typed: numbers stay text until saved, so a half-typed one is not lost. */
interface Draft {
  mode: AssignmentMode;
  limit: string;
  requeue: boolean;
  minutes: string;
}

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

function draftOf(a: AssignmentDto): Draft {
  return {
    mode: a.mode,
    limit: String(a.limit),
    requeue: a.requeueAfterMinutes !== null,
    minutes: String(a.requeueAfterMinutes ?? REQUEUE_DEFAULT),
  };
}

/** A whole number in [min, max], or null. */
function wholeIn(text: string, min: number, max: number): number | null {
  const n = Number(text.trim());
  return text.trim() && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/**
 * The Settings page's auto-assignment: off, round robin or least busy (with a limit per agent),
 * and whether an away agent's conversations return to the queue. Admins change it; agents see it
 * read-only. Other sections of the page (labels) are elements of their own beside this one.
 */
export class InboxSettings extends LitElement {
  static override styles = [baseStyles, controlsStyles, sectionStyles, settingsStyles];

  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) me: UserDto | null = null;

  @state() private saved: AssignmentDto | null = null;
  @state() private draft: Draft | null = null;
  @state() private loadError = '';
  @state() private status: Status = { kind: 'idle' };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client') && this.client) void this.load();
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<section aria-labelledby="assignment-title" part="assignment">
      <h2 id="assignment-title">${t('assignmentTitle')}</h2>
      <p class="intro">${t('assignmentIntro')}</p>
      ${this.renderBody()}
    </section>`;
  }

  private get canEdit(): boolean {
    return this.me?.role === 'admin';
  }

  private renderBody() {
    const { t } = this.i18n;
    if (this.loadError) {
      return html`<p class="error" role="alert">${this.loadError}</p>
        <button class="btn" @click=${() => void this.load()}>${t('assignmentRetry')}</button>`;
    }
    const draft = this.draft;
    if (!draft) return nothing;
    const readOnly = !this.canEdit;
    const limitBad = draft.mode === 'least_busy' && this.limitValue() === null;
    const minutesBad = draft.requeue && this.minutesValue() === null;
    const { limitMin, limitMax, requeueMin, requeueMax } = ASSIGNMENT_LIMITS;
    return html`${readOnly ? html`<p class="note" role="note">${t('assignmentReadOnly')}</p>` : nothing}
      <form @submit=${this.save} @input=${this.touched} @change=${this.touched}>
        <fieldset ?disabled=${readOnly}>
          <legend>${t('assignmentMode')}</legend>
          <div class="modes">
            ${ASSIGNMENT_MODES.map((mode) => {
              const [name, hint] = MODE_TEXT[mode];
              return html`<label class="mode" data-mode=${mode}>
                <input type="radio" name="mode" value=${mode} .checked=${draft.mode === mode} @change=${() => this.edit({ mode })} />
                <span><strong>${t(name)}</strong><span class="hint">${t(hint)}</span></span>
              </label>`;
            })}
          </div>
        </fieldset>
        ${
          draft.mode === 'least_busy'
            ? html`<div>
                <label class="label" for="limit">${t('assignmentLimit')}</label>
                <div class="row">
                  ${wholeNumber('limit', [limitMin, limitMax], draft.limit, { readOnly, bad: limitBad, hint: 'limit-hint' }, (limit) =>
                    this.edit({ limit }),
                  )}
                </div>
                <span id="limit-hint" class=${limitBad ? 'error' : 'hint'}
                  >${limitBad ? t('assignmentInvalid', { min: limitMin, max: limitMax }) : t('assignmentLimitHint')}</span
                >
              </div>`
            : nothing
        }
        <div>
          <label class="check">
            <input
              type="checkbox"
              name="requeue"
              ?disabled=${readOnly}
              .checked=${draft.requeue}
              @change=${(e: Event) => this.edit({ requeue: (e.target as HTMLInputElement).checked })}
            />
            <span>${t('assignmentRequeue')}</span>
          </label>
          ${
            draft.requeue
              ? html`<div class="row after">
                    <label for="minutes">${t('assignmentRequeueAfter')}</label>
                    ${wholeNumber('minutes', [requeueMin, requeueMax], draft.minutes, { readOnly, bad: minutesBad }, (minutes) =>
                      this.edit({ minutes }),
                    )}
                    <span>${t('assignmentMinutes')}</span>
                  </div>
                  ${
                    minutesBad ? html`<p class="error after">${t('assignmentInvalid', { min: requeueMin, max: requeueMax })}</p>` : nothing
                  }`
              : nothing
          }
        </div>
        ${readOnly ? nothing : this.renderActions(limitBad || minutesBad)}
      </form>`;
  }

  private renderActions(invalid: boolean) {
    const { t } = this.i18n;
    const { status } = this;
    const text =
      status.kind === 'saving'
        ? t('assignmentSaving')
        : status.kind === 'saved'
          ? t('assignmentSaved')
          : status.kind === 'error'
            ? status.message
            : '';
    return html`<div class="actions">
      <button class="btn primary" type="submit" ?disabled=${invalid || status.kind === 'saving'}>${t('assignmentSave')}</button>
      <span class="status" data-kind=${status.kind} role=${status.kind === 'error' ? 'alert' : 'status'}>${text}</span>
    </div>`;
  }

  private edit(patch: Partial<Draft>): void {
    this.draft = { ...this.draft!, ...patch };
  }

  /** Any change after a save hides its "Saved". */
  private readonly touched = () => {
    if (this.status.kind === 'saved' || this.status.kind === 'error') this.status = { kind: 'idle' };
  };

  private limitValue(): number | null {
    return wholeIn(this.draft?.limit ?? '', ASSIGNMENT_LIMITS.limitMin, ASSIGNMENT_LIMITS.limitMax);
  }

  private minutesValue(): number | null {
    return wholeIn(this.draft?.minutes ?? '', ASSIGNMENT_LIMITS.requeueMin, ASSIGNMENT_LIMITS.requeueMax);
  }

  private async load(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.loadError = '';
    try {
      const value = await client.support.assignment.get();
      if (client !== this.client) return;
      this.saved = value;
      this.draft = draftOf(value);
    } catch {
      this.loadError = this.i18n.t('assignmentLoadFailed');
    }
  }

  private readonly save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const { draft, client } = this;
    if (!draft || !client || !this.canEdit) return;
    const limit = this.limitValue() ?? this.saved?.limit ?? ASSIGNMENT_LIMITS.limitDefault;
    const minutes = draft.requeue ? this.minutesValue() : null;
    if ((draft.mode === 'least_busy' && this.limitValue() === null) || (draft.requeue && minutes === null)) return;
    const settings: AssignmentSettingsDto = { mode: draft.mode, limit, requeueAfterMinutes: minutes };
    this.status = { kind: 'saving' };
    try {
      this.saved = await client.support.assignment.set(settings);
      this.draft = draftOf(this.saved);
      this.status = { kind: 'saved' };
    } catch (err) {
      this.status = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  };
}

/** A field for a whole number in `[min, max]`, named `name` (its id too); the text as typed goes to `onInput`. */
function wholeNumber(
  name: string,
  [min, max]: readonly [number, number],
  value: string,
  { readOnly, bad, hint }: { readOnly: boolean; bad: boolean; hint?: string },
  onInput: (value: string) => void,
) {
  return html`<input
    id=${name}
    class="num field"
    name=${name}
    type="number"
    inputmode="numeric"
    min=${min}
    max=${max}
    step="1"
    ?disabled=${readOnly}
    aria-invalid=${bad ? 'true' : 'false'}
    aria-describedby=${hint ?? nothing}
    .value=${value}
    @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
  />`;
}
