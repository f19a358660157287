import { html } from 'lit';

import type { I18n, Strings } from '../../i18n/index.js';

/** The six reactions offered first, in every message menu. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** Emoji per row of the picker; every category fills whole rows, so Up and Down move by one row. */
const COLUMNS = 8;

// A small hand-picked set (no emoji library: the embed budget holds). Each group is whole rows of COLUMNS.
const CATEGORIES: readonly { label: keyof Strings; emoji: readonly string[] }[] = [
  {
    label: 'emojiSmileys',
    emoji: [
      ...['😀', '😁', '😂', '🤣', '😊', '😇', '🙂', '😉'],
      ...['😍', '🥰', '😘', '😎', '🤩', '🥳', '🤔', '🤗'],
      ...['😅', '😬', '😮', '😴', '😢', '😭', '😡', '🤯'],
    ],
  },
  { label: 'emojiGestures', emoji: ['👍', '👎', '👏', '🙌', '🙏', '👋', '🤝', '💪'] },
  { label: 'emojiSymbols', emoji: ['❤️', '🧡', '💛', '💚', '💙', '💜', '💯', '🔥'] },
  { label: 'emojiThings', emoji: ['🎉', '🎁', '🚀', '💡', '⭐', '✅', '❌', '👀'] },
];

/**
 * A grid of common emoji in a few labelled groups. One button is in the tab order at a time;
 * arrow keys, Home and End move between them, Escape calls `close`.
 */
export function renderEmojiPicker(i18n: I18n, pick: (emoji: string) => void, close: () => void) {
  const { t } = i18n;
  let index = 0;
  return html`<div class="picker" role="group" aria-label=${t('emojiPicker')} @keydown=${(e: KeyboardEvent) => onPickerKey(e, close)}>
    ${CATEGORIES.map(
      (category) =>
        html`<div class="picker-group" role="group" aria-label=${t(category.label)}>
          <div class="picker-label" aria-hidden="true">${t(category.label)}</div>
          <div class="picker-grid">
            ${category.emoji.map(
              (emoji) =>
                html`<button
                  type="button"
                  tabindex=${index++ === 0 ? '0' : '-1'}
                  aria-label=${t('reactWith', { emoji })}
                  @click=${() => pick(emoji)}
                >
                  ${emoji}
                </button>`,
            )}
          </div>
        </div>`,
    )}
  </div>`;
}

function onPickerKey(e: KeyboardEvent, close: () => void): void {
  if (e.key === 'Escape') {
    e.stopPropagation();
    e.preventDefault();
    close();
    return;
  }
  const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLUMNS, ArrowDown: COLUMNS };
  if (!(e.key in steps) && e.key !== 'Home' && e.key !== 'End') return;
  const buttons = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button')];
  const from = buttons.indexOf(e.target as HTMLButtonElement);
  if (from < 0) return;
  e.preventDefault();
  const rtl = getComputedStyle(e.currentTarget as HTMLElement).direction === 'rtl';
  const step = (steps[e.key] ?? 0) * (rtl && Math.abs(steps[e.key] ?? 0) === 1 ? -1 : 1);
  const to = e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : Math.min(buttons.length - 1, Math.max(0, from + step));
  buttons[from]!.tabIndex = -1;
  buttons[to]!.tabIndex = 0;
  buttons[to]!.focus();
}
