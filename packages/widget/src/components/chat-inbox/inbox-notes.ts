import type { SupportMentionEvent, SupportNoteDto } from '@confab/sdk';
import { css, html, LitElement, nothing, svg } from 'lit';
import { property } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { fullName } from '../../lib/avatar.js';
import { strokeIcon } from '../../lib/icons.js';
import { baseStyles } from '../theme.styles.js';

// Private notes in the inbox: the card a note shows as in the thread, the composer's Reply | Private
// note switch and the notice of a mention. What notes do to the agent's state: agent-notes.ts.

const lockIcon = strokeIcon(svg`<rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" />`, 14);
const trashIcon = strokeIcon(svg`<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />`, 16);

/** Amber in both schemes (the host's `color-scheme` picks), text contrast ≥ 4.5:1 on each. */
const noteTokens = css`
  :host {
    --note-bg: var(--chat-note-bg, light-dark(#fff6d9, #2e2610));
    --note-border: var(--chat-note-border, light-dark(#b7791f, #d69e2e));
    --note-fg: var(--chat-note-fg, light-dark(#5c3d00, #f6d98b));
  }
`;

/** The text with its `@mentions` set apart (plain text otherwise: never markup from a note). */
function renderNoteText(text: string) {
  return text
    .split(/((?:^|(?<=[^\w.@-]))@[a-zA-Z0-9][a-zA-Z0-9._-]*)/)
    .map((part) => (part.startsWith('@') ? html`<b class="mention">${part}</b>` : part));
}

/**
 * One private note in the thread: amber, with a lock and "only your team sees this", its author and
 * time. Its author may delete it (fires `confab-note-delete` with the note's id).
 */
export class InboxNote extends LitElement {
  static override styles = [
    baseStyles,
    noteTokens,
    css`
      :host {
        display: block;
        align-self: stretch;
        margin: 10px 4px 6px;
      }
      :host(:focus-visible) {
        outline: 3px solid var(--chat-focus, var(--chat-accent));
        outline-offset: 2px;
        border-radius: 10px;
      }
      article {
        padding: 8px 12px 10px;
        border: 1px solid var(--note-border);
        border-inline-start-width: 4px;
        border-radius: 10px;
        background: var(--note-bg);
        color: var(--chat-fg);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 2px 6px;
        font-size: 0.8em;
        color: var(--note-fg);
      }
      .badge {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        font-weight: 600;
      }
      /* Each piece wraps whole: on a phone the author and time go to a line of their own. */
      header > span {
        white-space: nowrap;
      }
      .who {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        margin-inline-start: auto;
        color: var(--chat-muted);
      }
      .text {
        margin: 4px 0 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        line-height: 1.4;
      }
      .mention {
        color: var(--note-fg);
      }
      button {
        display: inline-flex;
        padding: 2px;
        border: none;
        border-radius: 6px;
        background: transparent;
        color: var(--chat-muted);
        cursor: pointer;
      }
      button:hover {
        color: var(--chat-danger);
      }
    `,
  ];

  @property({ attribute: false }) note!: SupportNoteDto;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) me: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // Arrow keys walk the thread's messages and notes alike.
    this.tabIndex = -1;
  }

  protected override render() {
    const { t } = this.i18n;
    const note = this.note;
    const author = note.author ? fullName(note.author) : t('noteFormerAgent');
    const mine = note.author !== null && note.author.id === this.me;
    return html`<article aria-label=${`${t('noteBadge')}: ${author}`}>
      <header>
        <span class="badge">${lockIcon}${t('noteBadge')}</span>
        <span aria-hidden="true">·</span>
        <span>${t('noteOnlyTeam')}</span>
        <span class="who">
          ${author} · <time datetime=${note.createdAt}>${this.i18n.time(note.createdAt)}</time>
          ${mine ? html`<button type="button" aria-label=${t('noteDelete')} @click=${this.onDelete}>${trashIcon}</button>` : nothing}
        </span>
      </header>
      <p class="text">${renderNoteText(note.text)}</p>
    </article>`;
  }

  private onDelete(): void {
    this.dispatchEvent(new CustomEvent<string>('confab-note-delete', { detail: this.note.id, bubbles: true, composed: true }));
  }
}

/** The composer's mode: a reply the visitor gets, or a private note. */
export function renderComposeSwitch(i18n: I18n, mode: 'reply' | 'note', set: (mode: 'reply' | 'note') => void) {
  const { t } = i18n;
  const option = (value: 'reply' | 'note', label: string) =>
    html`<button type="button" aria-pressed=${mode === value ? 'true' : 'false'} data-mode=${value} @click=${() => set(value)}>
      ${value === 'note' ? lockIcon : nothing}${label}
    </button>`;
  return html`<div class="compose-switch" slot="above-composer" data-mode=${mode}>
    <div class="modes" role="group" aria-label=${t('composeMode')}>
      ${option('reply', t('composeReply'))}${option('note', t('composeNote'))}
    </div>
    ${mode === 'note' ? html`<span class="note-hint">${t('noteMentionHint')}</span>` : nothing}
  </div>`;
}

/** A colleague mentioned the agent in a note: who, what, and a way to the conversation. */
export function renderMentionNotice(i18n: I18n, event: SupportMentionEvent, open: () => void, dismiss: () => void) {
  const { t } = i18n;
  const name = fullName(event.note.author) || t('noteFormerAgent');
  const text = event.note.text.length > 120 ? `${event.note.text.slice(0, 119)}…` : event.note.text;
  return html`<div class="mention-notice" role="status">
    ${lockIcon}
    <span class="mention-text">${t('mentionNotice', { name, text })}</span>
    <button type="button" class="btn" @click=${open}>${t('mentionOpen')}</button>
    <button type="button" class="btn link" @click=${dismiss}>${t('mentionDismiss')}</button>
  </div>`;
}

/** The switch and the notice live in the inbox's own shadow root. */
export const noteStyles = [
  noteTokens,
  css`
    .compose-switch {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 6px 10px 0;
      border-top: 1px solid var(--chat-border);
      background: var(--chat-bg);
    }
    .compose-switch[data-mode='note'] {
      background: var(--note-bg);
    }
    .modes {
      display: inline-flex;
      padding: 2px;
      border: 1px solid var(--chat-border-strong);
      border-radius: 8px;
      background: var(--chat-bg);
    }
    .modes button {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      padding: 3px 10px;
      border: none;
      border-radius: 6px;
      background: transparent;
      color: var(--chat-fg);
      font-size: 0.85em;
      cursor: pointer;
    }
    .modes [aria-pressed='true'][data-mode='reply'] {
      background: var(--chat-accent);
      color: var(--chat-accent-contrast);
    }
    .modes [aria-pressed='true'][data-mode='note'] {
      background: light-dark(#8a5300, #e0a93b);
      color: light-dark(#ffffff, #1f1600);
    }
    .note-hint {
      font-size: 0.8em;
      color: var(--note-fg);
    }
    .mention-notice {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px;
      padding: 8px 14px;
      border-bottom: 1px solid var(--note-border);
      background: var(--note-bg);
      color: var(--chat-fg);
      font-size: 0.9em;
    }
    .mention-notice > svg {
      color: var(--note-fg);
    }
    .mention-text {
      flex: 1 1 16em;
      min-width: 0;
      overflow-wrap: anywhere;
    }
  `,
];
