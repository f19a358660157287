import type { SupportConversationDto, SupportLabelDto, SupportLabelRefDto } from '@confab/sdk';
import { css, html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';

// Labels as the inbox shows them: chips (on a conversation and on each row of the list) and the
// list's label filter. Adding, removing and creating them: the picker in inbox-labels.ts.

/** The chip colours: a tint of the palette hue behind the page's own text colour, readable in both themes. */
export const labelStyles = css`
  .label {
    --label: #6b7280;
    display: inline-flex;
    align-items: center;
    gap: 5px;
    max-inline-size: 100%;
    box-sizing: border-box;
    padding: 0 8px;
    border: 1px solid color-mix(in srgb, var(--label) 45%, var(--chat-bg));
    border-radius: 999px;
    background: color-mix(in srgb, var(--label) 16%, var(--chat-bg));
    color: var(--chat-fg);
    font-size: 12.5px;
    font-weight: 500;
    line-height: 20px;
    white-space: nowrap;
  }
  .label-name {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .label-dot {
    flex: none;
    inline-size: 8px;
    block-size: 8px;
    border-radius: 50%;
    /* Towards the text colour: a shade darker on light pages, lighter on dark ones. */
    background: color-mix(in srgb, var(--label) 80%, var(--chat-fg));
  }
  [data-colour='red'] {
    --label: #dc2626;
  }
  [data-colour='orange'] {
    --label: #ea580c;
  }
  [data-colour='yellow'] {
    --label: #ca8a04;
  }
  [data-colour='green'] {
    --label: #16a34a;
  }
  [data-colour='teal'] {
    --label: #0d9488;
  }
  [data-colour='blue'] {
    --label: #2563eb;
  }
  [data-colour='purple'] {
    --label: #7c3aed;
  }
  .item-labels {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin-top: 4px;
    min-width: 0;
  }
  .item-labels .label {
    font-size: 12px;
    line-height: 18px;
  }
  .list-filters {
    display: flex;
    padding: 8px 10px;
    border-bottom: 1px solid var(--chat-border);
  }
  .list-filters .select,
  .list-filters select {
    inline-size: 100%;
  }
`;

/** A label as a chip (in list rows; the header's chips live in `<confab-inbox-labels>`). */
export function renderLabel(label: SupportLabelRefDto) {
  return html`<span class="label" data-colour=${label.colour}
    ><span class="label-dot" aria-hidden="true"></span><span class="label-name">${label.name}</span></span
  >`;
}

/** The labels of a list row, when it has any. */
export function renderItemLabels(i18n: I18n, c: Pick<SupportConversationDto, 'labels'>) {
  const labels = c.labels ?? [];
  if (!labels.length) return nothing;
  return html`<span class="item-labels" role="list" aria-label=${i18n.t('labels')}>
    ${labels.map((l) => html`<span role="listitem">${renderLabel(l)}</span>`)}
  </span>`;
}

const tagIcon = html`<svg class="lead" viewBox="0 0 16 16" aria-hidden="true">
  <path d="M2.5 2.5h5l6 6-5 5-6-6z" />
  <circle cx="5.5" cy="5.5" r="1" />
</svg>`;

/** The list's label filter: every conversation, or those carrying one label. */
export function renderLabelFilter(
  i18n: I18n,
  labels: readonly SupportLabelDto[],
  value: string | null,
  chevron: unknown,
  onChange: (label: string | null) => unknown,
) {
  const { t } = i18n;
  if (!labels.length && !value) return nothing;
  return html`<div class="list-filters">
    <label class="select label-filter">
      ${tagIcon}
      <span class="sr-only">${t('labelFilter')}</span>
      <select .value=${value ?? ''} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value || null)}>
        <option value="" ?selected=${!value}>${t('labelFilterAll')}</option>
        ${labels.map((l) => html`<option value=${l.id} ?selected=${l.id === value}>${l.name}</option>`)}
      </select>
      ${chevron}
    </label>
  </div>`;
}
