import { css } from 'lit';

/** What opens under a message (menu, emoji picker, delete confirmation), the editor, and the reply bar above the composer. */
export const messageActionStyles = css`
  /* What opens under a message: its menu, the emoji picker, the delete confirmation. */
  .sheet {
    display: flex;
    flex-direction: column;
    gap: 4px;
    padding: 6px;
    margin-top: 4px;
    border-radius: 12px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
    box-shadow: 0 4px 14px rgba(0, 0, 0, 0.12);
    z-index: 1;
  }
  .quick,
  .actions-row {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
  }
  .actions-row {
    border-top: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    padding-top: 4px;
  }
  /* Colour emoji fonts first: a text font with a few monochrome emoji would otherwise win for some. */
  .sheet .emoji,
  .picker-grid button,
  .reaction .glyph {
    font-family: 'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', 'Twemoji Mozilla', var(--chat-font, sans-serif);
  }
  .sheet .emoji,
  .picker-grid button {
    display: grid;
    place-items: center;
    inline-size: 34px;
    block-size: 34px;
    padding: 0;
    font-size: 20px;
    line-height: 1;
  }
  .sheet .add {
    color: var(--chat-muted);
    fill: none;
    stroke: currentColor;
    stroke-width: 1.5;
    stroke-linecap: round;
  }
  .sheet .danger {
    color: var(--chat-danger, #b42318);
  }
  .confirm {
    min-width: 220px;
    padding: 10px 12px;
  }
  .confirm p {
    margin: 0 0 6px;
    font-weight: 600;
  }
  .confirm .buttons {
    display: flex;
    gap: 6px;
    justify-content: flex-end;
  }
  .confirm button {
    border-color: var(--chat-border-strong, #6b7280);
  }
  .sheet .confirm .danger,
  .confirm button.danger {
    background: var(--chat-danger, #b42318);
    border-color: var(--chat-danger, #b42318);
    color: var(--chat-bg);
    font-weight: 600;
  }
  .picker {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .picker-label {
    margin: 2px 4px 0;
    font-size: 0.72em;
    font-weight: 600;
    color: var(--chat-muted);
  }
  .picker-grid {
    display: grid;
    grid-template-columns: repeat(8, 34px);
    gap: 0;
  }
  .edit {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-width: 220px;
  }
  .edit textarea {
    font: inherit;
    font-size: max(16px, 1em);
    padding: 6px;
    border-radius: 6px;
    border: 1px solid var(--chat-border-strong, #6b7280);
    background: var(--chat-bg);
    color: var(--chat-fg);
  }
  .edit .buttons {
    display: flex;
    gap: 4px;
    justify-content: flex-end;
  }
  .mine .edit button {
    color: inherit;
  }
  /* The message being answered, above the message box. */
  .replying {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 4px 12px 0;
    padding: 6px 4px 6px 10px;
    border-inline-start: 3px solid var(--chat-accent);
    border-radius: 8px;
    background: var(--chat-bubble-bg);
    font-size: 0.85em;
    line-height: 1.3;
  }
  .replying .quote-body {
    display: flex;
    flex-direction: column;
    min-width: 0;
    flex: 1;
  }
  .replying .close {
    display: grid;
    place-items: center;
    flex: none;
    inline-size: 28px;
    block-size: 28px;
    padding: 0;
    border-radius: 50%;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
  }
`;
