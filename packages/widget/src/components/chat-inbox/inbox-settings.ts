import { ASSIGNMENT_LIMITS, ASSIGNMENT_MODES } from '@confab/protocol';
import type { AssignmentDto, AssignmentMode, AssignmentSettingsDto, ChatClient } from '@confab/sdk';
import { html, nothing } from 'lit';

import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { sectionStyles } from './inbox-pages.js';
import { settingsStyles } from './inbox-settings.styles.js';
import { type SectionText, SettingsSection } from './inbox-settings-section.js';

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
export class InboxSettings extends SettingsSection<AssignmentDto, Draft> {
  static override styles = [baseStyles, controlsStyles, sectionStyles, settingsStyles];

  protected readonly text: SectionText = {
    save: 'assignmentSave',
    saving: 'assignmentSaving',
    saved: 'assignmentSaved',
    loadFailed: 'assignmentLoadFailed',
    retry: 'assignmentRetry',
  };

  protected fetch(client: ChatClient): Promise<AssignmentDto> {
    return client.support.assignment.get();
  }

  protected draftOf(value: AssignmentDto): Draft {
    return draftOf(value);
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<section aria-labelledby="assignment-title" part="assignment">
      <h2 id="assignment-title">${t('assignmentTitle')}</h2>
      <p class="intro">${t('assignmentIntro')}</p>
      ${this.renderBody()}
    </section>`;
  }

  private renderBody() {
    const { t } = this.i18n;
    if (this.loadError) return this.renderLoadError();
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

  private limitValue(): number | null {
    return wholeIn(this.draft?.limit ?? '', ASSIGNMENT_LIMITS.limitMin, ASSIGNMENT_LIMITS.limitMax);
  }

  private minutesValue(): number | null {
    return wholeIn(this.draft?.minutes ?? '', ASSIGNMENT_LIMITS.requeueMin, ASSIGNMENT_LIMITS.requeueMax);
  }

  private readonly save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const { draft } = this;
    if (!draft) return;
    const limit = this.limitValue() ?? this.saved?.limit ?? ASSIGNMENT_LIMITS.limitDefault;
    const minutes = draft.requeue ? this.minutesValue() : null;
    if ((draft.mode === 'least_busy' && this.limitValue() === null) || (draft.requeue && minutes === null)) return;
    const settings: AssignmentSettingsDto = { mode: draft.mode, limit, requeueAfterMinutes: minutes };
    await this.persist((client) => client.support.assignment.set(settings));
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
