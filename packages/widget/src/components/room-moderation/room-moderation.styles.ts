import { css } from 'lit';

/** The moderation UI's styles, added to the thread's shadow root when it loads (room-moderation.ts). */
export const moderationStyles = css`
  /* The pinned strip, above the messages. */
  .mod-pins {
    position: relative;
    flex: none;
    z-index: 2;
    border-bottom: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
  }
  .mod-pin-bar {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 6px 8px 6px 10px;
  }
  .mod-pin-main {
    display: flex;
    align-items: center;
    gap: 10px;
    flex: 1;
    min-width: 0;
    padding: 4px 6px;
    border: 0;
    border-inline-start: 3px solid var(--chat-accent);
    border-radius: 4px 8px 8px 4px;
    background: transparent;
    color: var(--chat-fg);
    font: inherit;
    text-align: start;
    cursor: pointer;
  }
  .mod-pin-main:hover,
  .mod-pin-list button:hover {
    background: var(--chat-bubble-bg);
  }
  .mod-pin-icon {
    flex: none;
    fill: var(--chat-link, var(--chat-accent));
  }
  .mod-pin-body,
  .mod-pin-list button {
    display: flex;
    flex-direction: column;
    min-width: 0;
    line-height: 1.3;
  }
  .mod-pin-label {
    font-size: 0.75em;
    font-weight: 600;
    color: var(--chat-link, var(--chat-accent));
  }
  .mod-pin-text {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    font-size: 0.88em;
  }
  .mod-pin-all {
    flex: none;
    padding: 4px 10px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    border-radius: 999px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font: inherit;
    font-size: 0.78em;
    cursor: pointer;
  }
  .mod-pin-list {
    position: absolute;
    inset-inline: 8px;
    top: calc(100% + 4px);
    max-height: 50vh;
    overflow-y: auto;
    padding: 4px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    border-radius: 12px;
    background: var(--chat-bg);
    box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18);
  }
  .mod-pin-list ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .mod-pin-list button {
    width: 100%;
    padding: 8px 10px;
    border: 0;
    border-radius: 8px;
    background: transparent;
    color: var(--chat-fg);
    font: inherit;
    text-align: start;
    cursor: pointer;
  }
  /* What was just done: a toast above the composer. */
  .mod-toast {
    position: absolute;
    inset-inline: 16px;
    bottom: 84px;
    z-index: 3;
    width: fit-content;
    max-width: calc(100% - 32px);
    margin-inline: auto;
    padding: 8px 14px;
    border-radius: 10px;
    background: var(--chat-fg);
    color: var(--chat-bg);
    font-size: 0.85em;
    box-shadow: 0 4px 14px rgba(0, 0, 0, 0.2);
    pointer-events: none;
  }
  .mod-toast:not(.on) {
    clip-path: inset(50%);
    padding: 0;
  }
  /* The moderation rows of the message menu, and the panels it opens. */
  .actions-row.mod-row {
    flex-direction: column;
    align-items: stretch;
  }
  .mod-row button {
    text-align: start;
  }
  .mod-sheet {
    min-width: min(280px, 72vw);
    padding: 12px;
  }
  .mod-panel {
    display: flex;
    flex-direction: column;
    gap: 10px;
  }
  .mod-panel p {
    margin: 0;
  }
  .mod-title,
  .mod-question {
    font-weight: 600;
  }
  .mod-panel fieldset {
    display: flex;
    flex-direction: column;
    gap: 2px;
    margin: 0;
    padding: 0;
    border: 0;
  }
  .mod-panel legend {
    margin-bottom: 4px;
    font-size: 0.85em;
    color: var(--chat-muted);
  }
  .mod-reason {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 8px;
    border-radius: 8px;
    cursor: pointer;
  }
  .mod-reason:hover {
    background: var(--chat-bubble-bg);
  }
  .mod-reason input {
    margin: 0;
    accent-color: var(--chat-accent);
  }
  .mod-comment {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.85em;
    color: var(--chat-muted);
  }
  .mod-comment textarea {
    font: inherit;
    font-size: max(16px, 1em);
    padding: 6px 8px;
    resize: vertical;
    border-radius: 8px;
    border: 1px solid var(--chat-border-strong, #6b7280);
    background: var(--chat-bg);
    color: var(--chat-fg);
  }
  .mod-panel .buttons {
    display: flex;
    justify-content: flex-end;
    gap: 6px;
  }
  .sheet .mod-panel .cancel {
    border-color: var(--chat-border-strong, #6b7280);
  }
  .sheet .mod-panel .primary,
  .sheet .mod-panel button.danger {
    border-color: transparent;
    font-weight: 600;
  }
  .sheet .mod-panel .primary {
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
  }
  .sheet .mod-panel button.danger {
    background: var(--chat-danger, #b42318);
    color: var(--chat-bg);
  }
  .sheet .mod-panel button:disabled {
    background: var(--chat-disabled-bg, rgba(127, 127, 127, 0.2));
    color: var(--chat-disabled-fg, var(--chat-muted));
    cursor: default;
  }
  .mod-error {
    padding: 6px 8px;
    border-radius: 8px;
    background: color-mix(in srgb, var(--chat-danger, #b42318) 12%, transparent);
    color: var(--chat-danger, #b42318);
    font-size: 0.88em;
  }
  .mod-thanks {
    flex-direction: row;
    flex-wrap: wrap;
    align-items: center;
  }
  .mod-thanks svg,
  .mod-notice svg,
  .mod-slow svg {
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .mod-thanks svg {
    color: var(--chat-online, #16a34a);
  }
  .mod-thanks p {
    flex: 1;
    font-weight: 600;
  }
  .mod-thanks .buttons {
    flex-basis: 100%;
  }
  /* Instead of the composer: muted, or removed from the room. */
  .mod-notice {
    display: flex;
    align-items: center;
    gap: 12px;
    margin: 0;
    padding: 14px 16px;
    border-top: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bubble-bg);
    color: var(--chat-fg);
  }
  .mod-notice svg {
    padding: 8px;
    border-radius: 50%;
    background: var(--chat-bg);
    color: var(--chat-muted);
  }
  .mod-notice.removed svg {
    color: var(--chat-danger, #b42318);
  }
  .mod-notice-text {
    display: flex;
    flex-direction: column;
    gap: 2px;
    margin: 0;
    line-height: 1.35;
  }
  .mod-notice-text span {
    font-size: 0.88em;
    color: var(--chat-muted);
  }
  /* Slow mode, above the composer. */
  .mod-slow {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    padding: 4px 12px;
    font-size: 0.78em;
    color: var(--chat-muted);
  }
  .mod-slow.waiting {
    color: var(--chat-fg);
    font-weight: 600;
  }
`;
