import type { SupportLabelDto, SupportLabelRefDto } from '@confab/sdk';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { baseStyles } from '../theme.styles.js';
import { labelStyles } from './label-chips.js';

// The label picker of a conversation: add, remove or create labels. How labels look (chips, the
// list's filter): label-chips.ts. What label changes do to the inbox's state: inbox-label-state.ts.

const plusIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 3v10M3 8h10" /></svg>`;
const crossIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4.5 4.5l7 7M11.5 4.5l-7 7" /></svg>`;
const checkIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 8.5l3 3 6-7" /></svg>`;

type Choice = { kind: 'label'; label: SupportLabelDto; on: boolean } | { kind: 'create'; name: string };

/**
 * The conversation's labels under its header: chips that each take their label off, and a picker
 * (a combobox over a multi-select list) that finds, puts on, takes off or creates labels.
 * Keyboard: arrows move, Enter toggles or creates, Escape closes and returns to the button.
 */
export class InboxLabels extends LitElement {
  static override styles = [
    baseStyles,
    labelStyles,
    css`
      :host {
        display: block;
        position: relative;
        z-index: 3;
        border-bottom: 1px solid var(--chat-border);
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px;
        padding: 6px 14px;
      }
      ul.chips {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        min-width: 0;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .chips .label {
        padding-inline-end: 2px;
      }
      svg {
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
        stroke-linecap: round;
        stroke-linejoin: round;
      }
      .remove {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        inline-size: 20px;
        block-size: 20px;
        padding: 0;
        border: none;
        border-radius: 50%;
        background: transparent;
        color: var(--chat-muted);
        cursor: pointer;
      }
      .remove:hover {
        background: color-mix(in srgb, var(--label) 30%, var(--chat-bg));
        color: var(--chat-fg);
      }
      .remove svg,
      .add svg,
      .check svg {
        inline-size: 12px;
        block-size: 12px;
      }
      .add {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        block-size: 24px;
        padding: 0 9px;
        border: 1px dashed var(--chat-border-strong);
        border-radius: 999px;
        background: transparent;
        color: var(--chat-muted);
        font-size: 12.5px;
        cursor: pointer;
      }
      .add:hover,
      .add[aria-expanded='true'] {
        color: var(--chat-fg);
        border-style: solid;
      }
      .menu {
        position: absolute;
        inset-block-start: calc(100% - 2px);
        inset-inline-start: 14px;
        inline-size: min(300px, calc(100% - 28px));
        box-sizing: border-box;
        padding: 6px;
        border: 1px solid var(--chat-border);
        border-radius: 10px;
        background: var(--chat-bg);
        box-shadow: 0 10px 28px rgb(0 0 0 / 18%);
      }
      .menu input {
        box-sizing: border-box;
        inline-size: 100%;
        block-size: 32px;
        padding: 0 10px;
        border: 1px solid var(--chat-border-strong);
        border-radius: 7px;
        background: var(--chat-bg);
        color: var(--chat-fg);
      }
      [role='listbox'] {
        max-block-size: 240px;
        overflow-y: auto;
        margin: 6px 0 0;
        padding: 0;
        list-style: none;
      }
      [role='option'] {
        display: flex;
        align-items: center;
        gap: 8px;
        min-block-size: 32px;
        padding: 0 8px;
        border-radius: 6px;
        cursor: pointer;
        font-size: 14px;
      }
      [role='option'] .name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      [role='option'][data-active] {
        background: color-mix(in srgb, var(--chat-accent) 14%, var(--chat-bg));
        outline: 2px solid color-mix(in srgb, var(--chat-accent) 60%, var(--chat-bg));
        outline-offset: -2px;
      }
      .check {
        display: inline-flex;
        inline-size: 14px;
        color: var(--chat-accent);
      }
      [aria-selected='false'] .check {
        visibility: hidden;
      }
      .create {
        color: var(--chat-link);
      }
      .empty {
        margin: 8px 4px 2px;
        color: var(--chat-muted);
        font-size: 13.5px;
      }
    `,
  ];

  @property({ attribute: false }) i18n!: I18n;
  /** Every label of the app. */
  @property({ attribute: false }) labels: SupportLabelDto[] = [];
  /** The conversation's labels. */
  @property({ attribute: false }) applied: SupportLabelRefDto[] = [];
  @property({ attribute: false }) toggle: (labelId: string, on: boolean) => unknown = () => undefined;
  @property({ attribute: false }) create: (name: string) => unknown = () => undefined;

  @state() private open = false;
  @state() private query = '';
  @state() private active = 0;

  protected override render() {
    const { t } = this.i18n;
    return html`<div class="bar" role="group" aria-label=${t('labels')}>
        <ul class="chips" aria-label=${t('labels')} ?hidden=${!this.applied.length}>
          ${this.applied.map(
            (l) =>
              html`<li class="label" data-colour=${l.colour}>
                <span class="label-dot" aria-hidden="true"></span><span class="label-name">${l.name}</span>
                <button class="remove" aria-label=${t('labelRemove', { name: l.name })} @click=${() => this.toggle(l.id, false)}>
                  ${crossIcon}
                </button>
              </li>`,
          )}
        </ul>
        <button
          class="add"
          aria-haspopup="listbox"
          aria-expanded=${this.open ? 'true' : 'false'}
          @click=${() => (this.open ? this.close(true) : void this.show())}
        >
          ${plusIcon}${t('labelAdd')}
        </button>
      </div>
      ${this.open ? this.renderMenu() : nothing}`;
  }

  private choices(): Choice[] {
    const query = this.query.trim();
    const wanted = query.toLocaleLowerCase();
    const on = new Set(this.applied.map((l) => l.id));
    const found: Choice[] = this.labels
      .filter((l) => l.name.toLocaleLowerCase().includes(wanted))
      .map((label) => ({ kind: 'label', label, on: on.has(label.id) }));
    const exists = this.labels.some((l) => l.name.toLocaleLowerCase() === wanted);
    return query && !exists ? [...found, { kind: 'create', name: query }] : found;
  }

  private renderMenu() {
    const { t } = this.i18n;
    const choices = this.choices();
    const active = Math.min(this.active, choices.length - 1);
    return html`<div class="menu" @keydown=${this.onKey} @focusout=${this.onFocusOut}>
      <input
        role="combobox"
        aria-expanded="true"
        aria-controls="label-options"
        aria-autocomplete="list"
        aria-activedescendant=${active >= 0 ? `label-option-${active}` : nothing}
        aria-label=${t('labelSearch')}
        placeholder=${t('labelSearch')}
        maxlength="40"
        .value=${this.query}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          this.active = 0;
        }}
      />
      ${choices.length ? nothing : html`<p class="empty">${t('labelsNone')}</p>`}
      <ul id="label-options" role="listbox" aria-multiselectable="true" aria-label=${t('labels')} ?hidden=${!choices.length}>
        ${choices.map((choice, i) =>
          choice.kind === 'label'
            ? html`<li
                id="label-option-${i}"
                role="option"
                aria-selected=${choice.on ? 'true' : 'false'}
                ?data-active=${i === active}
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.choose(choice)}
              >
                <span class="check">${checkIcon}</span>
                <span class="label-dot" data-colour=${choice.label.colour} aria-hidden="true"></span>
                <span class="name">${choice.label.name}</span>
              </li>`
            : html`<li
                id="label-option-${i}"
                role="option"
                class="create"
                aria-selected="false"
                ?data-active=${i === active}
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.choose(choice)}
              >
                <span class="check">${plusIcon}</span><span class="name">${t('labelCreate', { name: choice.name })}</span>
              </li>`,
        )}
      </ul>
    </div>`;
  }

  private async show(): Promise<void> {
    this.open = true;
    this.query = '';
    this.active = 0;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('.menu input')?.focus();
  }

  private close(focusButton: boolean): void {
    this.open = false;
    if (focusButton) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.add')?.focus());
  }

  private choose(choice: Choice): void {
    if (choice.kind === 'label') {
      this.toggle(choice.label.id, !choice.on);
      return;
    }
    this.create(choice.name);
    this.query = '';
  }

  private onKey(e: KeyboardEvent): void {
    const choices = this.choices();
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!choices.length) return;
      const step = e.key === 'ArrowDown' ? 1 : choices.length - 1;
      this.active = (Math.min(this.active, choices.length - 1) + step) % choices.length;
      void this.updateComplete.then(() => this.renderRoot.querySelector('[data-active]')?.scrollIntoView({ block: 'nearest' }));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const choice = choices[Math.min(this.active, choices.length - 1)];
      if (choice) this.choose(choice);
    }
  }

  private onFocusOut(e: FocusEvent): void {
    const next = e.relatedTarget as Node | null;
    if (!next || !this.renderRoot.contains(next)) this.close(false);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'confab-inbox-labels': InboxLabels;
  }
}
