import { LIMITS } from '@confab/protocol';
import type { ConversationRatingDto, RateConversationInput } from '@confab/sdk';
import { html, LitElement, nothing, svg } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { emit } from '../../lib/events.js';
import { ratingStyles } from './rating.styles.js';

const SCORES = [1, 2, 3, 4, 5] as const;
type Score = (typeof SCORES)[number];

// From a deep frown under slanted brows (1) to an open grin (5), on the face's 24×24 grid.
const MOUTHS: Record<Score, string> = {
  1: 'M7.5 17.2q4.5-4.6 9 0M7.3 7.4l3 1.3M16.7 7.4l-3 1.3',
  2: 'M8.3 16.4q3.7-2.4 7.4 0',
  3: 'M8.3 15.4h7.4',
  4: 'M8.3 14.3q3.7 3 7.4 0',
  5: 'M7.6 13.3h8.8a4.4 4.4 0 0 1-8.8 0z',
};

/** A face for `score` (decorative: the radio it sits in carries the name). */
export function renderFace(score: Score) {
  return html`<svg
    class="face"
    viewBox="0 0 24 24"
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    stroke-width="1.7"
    stroke-linecap="round"
  >
    ${svg`<circle cx="12" cy="12" r="9.2" /><path d="M9 9.6v.3M15 9.6v.3" stroke-width="2.4" /><path d=${MOUTHS[score]} />`}
  </svg>`;
}

/**
 * The visitor's satisfaction rating of a resolved conversation (`<confab-rating>`, inside
 * `<chat-widget>`, above the composer): "How was this conversation?", five faces as a radio group,
 * an optional comment and Send; then thanks with the score (which can be changed). It asks the
 * server for the rating already given when it appears.
 *
 * @fires chat-rated - the rating was stored (`detail`: the `ConversationRatingDto`)
 * @csspart rating - the card
 */
export class ConversationRating extends LitElement {
  static override styles = ratingStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) conversationId = '';
  /** The rating of the current resolution (null: none yet). */
  @property({ attribute: false }) load: ((id: string) => Promise<ConversationRatingDto | null>) | null = null;
  @property({ attribute: false }) rate: ((id: string, input: RateConversationInput) => Promise<ConversationRatingDto>) | null = null;

  /** The stored rating; undefined while it loads, null when there is none. */
  @state() private saved: ConversationRatingDto | null | undefined = undefined;
  @state() private editing = false;
  @state() private score: Score | null = null;
  @state() private comment = '';
  @state() private sending = false;
  @state() private error = '';
  private loadedFor = '';

  protected override willUpdate(): void {
    if (this.conversationId && this.conversationId !== this.loadedFor && this.load) {
      this.loadedFor = this.conversationId;
      this.saved = undefined;
      const id = this.conversationId;
      this.load(id).then(
        (rating) => {
          if (this.conversationId === id) this.saved = rating;
        },
        () => {
          if (this.conversationId === id) this.saved = null; // asked again from the form: the PUT answers
        },
      );
    }
  }

  protected override render() {
    if (this.saved === undefined) return nothing;
    return this.saved && !this.editing ? this.renderThanks(this.saved) : this.renderForm();
  }

  private renderThanks(rating: ConversationRatingDto) {
    const { t } = this.i18n;
    const score = rating.score as Score;
    return html`<div class="card thanks" part="rating" role="status" tabindex="-1">
      <span class="given">${renderFace(score)}</span>
      <span class="words">
        <strong>${t('ratingThanks')}</strong>
        <span class="muted">${t('ratingGiven', { score })} · ${t(`rating${score}`)}</span>
      </span>
      <button class="link" @click=${this.change}>${t('ratingChange')}</button>
    </div>`;
  }

  private renderForm() {
    const { t } = this.i18n;
    const chosen = this.score;
    return html`<form class="card" part="rating" @submit=${this.submit} novalidate>
      <fieldset>
        <legend>${t('ratingPrompt')}</legend>
        <div class="faces">
          ${SCORES.map(
            (score) =>
              html`<label class=${chosen === score ? 'face-option chosen' : 'face-option'} title=${t(`rating${score}`)}>
                <input type="radio" name="score" .value=${String(score)} .checked=${chosen === score} @change=${() => this.choose(score)} />
                ${renderFace(score)}
                <span class="sr-only">${t(`rating${score}`)}</span>
              </label>`,
          )}
        </div>
        <p class="chosen-word" aria-hidden="true">${chosen ? t(`rating${chosen}`) : ' '}</p>
      </fieldset>
      ${
        chosen
          ? html`<label class="comment">
                <span class="sr-only">${t('ratingComment')}</span>
                <textarea
                  rows="2"
                  maxlength=${LIMITS.ratingCommentMax}
                  placeholder=${t('ratingComment')}
                  .value=${this.comment}
                  @input=${(e: Event) => (this.comment = (e.target as HTMLTextAreaElement).value)}
                ></textarea>
              </label>
              <div class="actions">
                ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
                <button class="primary" type="submit" ?disabled=${this.sending}>${t('ratingSend')}</button>
              </div>`
          : nothing
      }
    </form>`;
  }

  private choose(score: Score): void {
    this.score = score;
    this.error = '';
  }

  private change(): void {
    this.score = (this.saved?.score as Score | undefined) ?? null;
    this.comment = this.saved?.comment ?? '';
    this.editing = true;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input:checked, input')?.focus());
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.score || !this.rate || this.sending) return;
    this.sending = true;
    this.error = '';
    try {
      const comment = this.comment.trim();
      this.saved = await this.rate(this.conversationId, { score: this.score, ...(comment ? { comment } : {}) });
      this.editing = false;
      emit(this, 'chat-rated', this.saved);
      // The card turned into the thanks: focus goes there, so it is read out and not lost.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.thanks')?.focus();
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    } finally {
      this.sending = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'confab-rating': ConversationRating;
  }
  interface HTMLElementEventMap {
    'chat-rated': CustomEvent<ConversationRatingDto>;
  }
}
