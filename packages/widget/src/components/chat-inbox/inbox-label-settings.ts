import { LABEL_COLOURS, LIMITS } from '@confab/protocol';
import type { LabelColour, LabelInput, SupportLabelDto } from '@confab/sdk';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { nextColour } from './inbox-label-state.js';
import { sectionStyles } from './inbox-pages.js';
import { labelStyles, renderLabel } from './label-chips.js';

/** What the page asks of the inbox: each resolves once the server agreed, or rejects with its message. */
export interface LabelActions {
  create(input: LabelInput): Promise<unknown>;
  update(id: string, patch: Partial<LabelInput>): Promise<unknown>;
  remove(id: string): Promise<unknown>;
}

/** One label being changed: renamed and recoloured, or about to be deleted. */
type Editing = { id: string; mode: 'edit'; name: string; colour: LabelColour } | { id: string; mode: 'delete' };

/**
 * The Settings page's labels: create them, rename and recolour them, delete them (asked in place,
 * since a delete takes the label off every conversation). The list is the app's, live
 * (`support:labels` reaches it through the inbox's state).
 */
export class InboxLabelSettings extends LitElement {
  static override styles = [
    baseStyles,
    controlsStyles,
    sectionStyles,
    labelStyles,
    css`
      form.row,
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
      }
      form.new .btn {
        margin-inline-start: auto;
      }
      form.new {
        padding: 12px;
        border: 1px solid var(--inbox-line);
        border-radius: 10px;
      }
      ul {
        margin: 14px 0 0;
        padding: 0;
        list-style: none;
      }
      li {
        min-block-size: 48px;
        padding: 6px 0;
        border-bottom: 1px solid var(--chat-border);
      }
      li > .label {
        flex: 0 1 auto;
        min-inline-size: 0;
      }
      .grow {
        flex: 1 1 0;
      }
      .actions {
        display: flex;
        gap: 6px;
        margin-inline-start: auto;
      }
      input.name {
        flex: 1 1 180px;
      }
      fieldset.colours {
        display: flex;
        gap: 4px;
        margin: 0;
        padding: 0;
        border: none;
      }
      .swatch {
        position: relative;
        display: inline-flex;
        inline-size: 26px;
        block-size: 26px;
        align-items: center;
        justify-content: center;
        border-radius: 50%;
        cursor: pointer;
      }
      .swatch[data-colour='grey'] {
        --label: #6b7280;
      }
      .swatch input {
        position: absolute;
        inset: 0;
        margin: 0;
        opacity: 0;
        cursor: pointer;
      }
      .swatch .label-dot {
        inline-size: 16px;
        block-size: 16px;
      }
      .swatch:has(input:checked) {
        box-shadow:
          0 0 0 2px var(--chat-bg),
          0 0 0 4px var(--label);
      }
      .swatch:has(input:focus-visible) {
        outline: 2px solid var(--chat-accent);
        outline-offset: 3px;
      }
      .confirm {
        flex: 1 1 200px;
      }
      .btn.danger {
        border-color: #b91c1c;
        background: #b91c1c;
        color: #fff;
      }
      .error {
        margin: 8px 0 0;
        color: var(--chat-error, #b91c1c);
      }
      .empty {
        color: var(--chat-muted);
      }
    `,
  ];

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) labels: readonly SupportLabelDto[] = [];
  @property({ attribute: false }) actions: LabelActions | null = null;

  @state() private editing: Editing | null = null;
  @state() private draft: { name: string; colour: LabelColour | null } = { name: '', colour: null };
  @state() private error = '';
  @state() private busy = false;

  protected override render() {
    const { t } = this.i18n;
    const colour = this.draft.colour ?? nextColour(this.labels);
    return html`<section aria-labelledby="labels-title">
      <h2 id="labels-title">${t('labels')}</h2>
      <p class="intro">${t('labelsIntro')}</p>
      <form class="row new" @submit=${this.create}>
        <input
          class="name field"
          name="name"
          required
          maxlength=${LIMITS.labelNameMax}
          aria-label=${t('labelName')}
          placeholder=${t('labelNewPlaceholder')}
          .value=${this.draft.name}
          @input=${(e: Event) => (this.draft = { ...this.draft, name: (e.target as HTMLInputElement).value })}
        />
        ${this.renderColours('new', colour, (c) => (this.draft = { ...this.draft, colour: c }))}
        <button class="btn primary" type="submit" ?disabled=${this.busy}>${t('labelCreateButton')}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <ul aria-label=${t('labels')}>
        ${this.labels.length ? nothing : html`<li class="empty">${t('labelsEmpty')}</li>`}
        ${this.labels.map((label) => this.renderRow(label))}
      </ul>
    </section>`;
  }

  private renderRow(label: SupportLabelDto) {
    const { t } = this.i18n;
    const editing = this.editing?.id === label.id ? this.editing : null;
    if (editing?.mode === 'edit') {
      return html`<li data-id=${label.id}>
        <form class="row grow" @submit=${(e: Event) => this.save(e, label)} @keydown=${this.onEditKey}>
          <input
            class="name field"
            required
            maxlength=${LIMITS.labelNameMax}
            aria-label=${t('labelName')}
            .value=${editing.name}
            @input=${(e: Event) => (this.editing = { ...editing, name: (e.target as HTMLInputElement).value })}
          />
          ${this.renderColours(label.id, editing.colour, (c) => (this.editing = { ...editing, colour: c }))}
          <span class="actions">
            <button class="btn primary" type="submit" ?disabled=${this.busy}>${t('save')}</button>
            <button class="btn" type="button" @click=${this.stopEditing}>${t('cancel')}</button>
          </span>
        </form>
      </li>`;
    }
    if (editing?.mode === 'delete') {
      return html`<li data-id=${label.id}>
        ${renderLabel(label)}
        <span class="confirm" role="alert">${t('labelDeleteConfirm', { name: label.name })}</span>
        <span class="actions">
          <button class="btn danger" ?disabled=${this.busy} @click=${() => this.deleteLabel(label)}>${t('delete')}</button>
          <button class="btn" @click=${this.stopEditing}>${t('cancel')}</button>
        </span>
      </li>`;
    }
    return html`<li data-id=${label.id}>
      ${renderLabel(label)}
      <span class="actions">
        <button
          class="btn"
          aria-label=${t('labelEditNamed', { name: label.name })}
          @click=${() => this.startEditing({ id: label.id, mode: 'edit', name: label.name, colour: label.colour })}
        >
          ${t('edit')}
        </button>
        <button
          class="btn"
          aria-label=${t('labelDeleteNamed', { name: label.name })}
          @click=${() => this.startEditing({ id: label.id, mode: 'delete' })}
        >
          ${t('delete')}
        </button>
      </span>
    </li>`;
  }

  /** The palette as radio buttons, each a dot of its colour named for screen readers. */
  private renderColours(group: string, value: LabelColour, onPick: (c: LabelColour) => void) {
    const { t } = this.i18n;
    return html`<fieldset class="colours">
      <legend class="sr-only">${t('labelColour')}</legend>
      ${LABEL_COLOURS.map(
        (c) =>
          html`<label class="swatch" data-colour=${c} title=${t(`colour_${c}`)}>
            <input type="radio" name="colour-${group}" .checked=${c === value} aria-label=${t(`colour_${c}`)} @change=${() => onPick(c)} />
            <span class="label-dot" aria-hidden="true"></span>
          </label>`,
      )}
    </fieldset>`;
  }

  private startEditing(editing: Editing): void {
    this.editing = editing;
    this.error = '';
    void this.focusIn(editing.id, editing.mode === 'edit' ? 'input.name' : '.btn.danger');
  }

  private readonly stopEditing = () => {
    const id = this.editing?.id;
    this.editing = null;
    if (id) void this.focusIn(id, '.btn');
  };

  private onEditKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.stopEditing();
    }
  };

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.draft.name.trim();
    if (!name) return;
    const ok = await this.run(() => this.actions!.create({ name, colour: this.draft.colour ?? nextColour(this.labels) }));
    if (ok) this.draft = { name: '', colour: null };
  }

  private async save(e: Event, label: SupportLabelDto): Promise<void> {
    e.preventDefault();
    const editing = this.editing;
    if (editing?.mode !== 'edit') return;
    const name = editing.name.trim();
    const patch: Partial<LabelInput> = {
      ...(name && name !== label.name ? { name } : {}),
      ...(editing.colour !== label.colour ? { colour: editing.colour } : {}),
    };
    if (!Object.keys(patch).length || (await this.run(() => this.actions!.update(label.id, patch)))) this.stopEditing();
  }

  private async deleteLabel(label: SupportLabelDto): Promise<void> {
    if (await this.run(() => this.actions!.remove(label.id))) {
      this.editing = null;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('input.name')?.focus();
    }
  }

  /** Runs one change; a refusal (a taken name, a lost connection) shows in the server's words. */
  private async run(action: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = '';
    try {
      await action();
      return true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async focusIn(id: string, selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"] ${selector}`)?.focus();
  }
}
