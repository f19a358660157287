import { css } from 'lit';

export const threadStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    flex: 1;
    position: relative;
    color: var(--chat-fg);
    background: var(--chat-bg);
  }
  .scroller {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    padding: 12px 12px 4px;
    display: flex;
    flex-direction: column;
    gap: 2px;
    overscroll-behavior: contain;
  }
  :focus-visible {
    outline: 3px solid var(--chat-focus, var(--chat-accent));
    outline-offset: 2px;
  }
  .scroller:focus-visible {
    outline-offset: -3px;
  }
  .older,
  .jump {
    align-self: center;
    font: inherit;
    font-size: 0.85em;
    padding: 4px 12px;
    border-radius: 999px;
    border: 1px solid var(--chat-border-strong, #6b7280);
    background: var(--chat-bg);
    color: var(--chat-fg);
    cursor: pointer;
  }
  .jump {
    position: absolute;
    bottom: 76px;
    left: 50%;
    transform: translateX(-50%);
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    border-color: transparent;
    box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2);
  }
  .day {
    align-self: center;
    margin: 10px 0 6px;
    font-size: 0.78em;
    color: var(--chat-muted);
  }
  .system {
    align-self: center;
    max-width: 90%;
    margin: 6px 0;
    font-size: 0.82em;
    text-align: center;
    color: var(--chat-muted);
  }
  .empty {
    margin: auto;
    color: var(--chat-muted);
    text-align: center;
    padding: 16px;
  }
  .msg {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    max-width: 82%;
    border-radius: 8px;
  }
  .msg.start {
    margin-top: 8px;
  }
  .msg.mine {
    align-self: flex-end;
    align-items: flex-end;
  }
  .sender {
    font-size: 0.78em;
    color: var(--chat-muted);
    margin: 0 8px 2px;
  }
  .bubble {
    padding: 8px 12px;
    border-radius: var(--chat-radius, 12px);
    background: var(--chat-bubble-bg);
    color: var(--chat-bubble-fg, var(--chat-fg));
    overflow-wrap: anywhere;
    line-height: 1.4;
  }
  .text {
    white-space: pre-wrap;
  }
  .mine .bubble {
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
  }
  .mine .bubble a {
    color: inherit;
  }
  .bubble a {
    color: var(--chat-link, var(--chat-accent));
    text-decoration: underline;
  }
  .deleted .bubble {
    font-style: italic;
    background: transparent;
    color: var(--chat-muted);
    border: 1px dashed var(--chat-border-strong, #6b7280);
  }
  .failed .bubble {
    outline: 2px solid var(--chat-danger, #b42318);
  }
  .files {
    display: flex;
    flex-direction: column;
    gap: 4px;
    margin-top: 4px;
  }
  .files:first-child {
    margin-top: 0;
  }
  .files img {
    display: block;
    max-width: 220px;
    max-height: 220px;
    width: auto;
    height: auto;
    border-radius: 8px;
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 2px 6px 0;
    font-size: 0.72em;
    color: var(--chat-muted);
  }
  .tick.read {
    color: var(--chat-read, var(--chat-link, var(--chat-accent)));
    font-weight: 700;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin-top: 2px;
  }
  .reaction {
    font: inherit;
    font-size: 0.8em;
    padding: 1px 6px;
    border-radius: 999px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
    color: var(--chat-fg);
    cursor: pointer;
  }
  .reaction[aria-pressed='true'] {
    border-color: var(--chat-accent);
  }
  .actions {
    display: flex;
    gap: 2px;
    opacity: 0;
  }
  .msg:hover .actions,
  .msg:focus-within .actions,
  .msg:focus .actions {
    opacity: 1;
  }
  .actions button,
  .menu button,
  .edit button,
  .retry {
    font: inherit;
    font-size: 1em;
    padding: 1px 6px;
    border-radius: 6px;
    border: 1px solid transparent;
    background: transparent;
    color: var(--chat-fg);
    cursor: pointer;
  }
  .retry {
    color: var(--chat-danger, #b42318);
    text-decoration: underline;
  }
  .menu {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    padding: 4px;
    margin-top: 2px;
    border-radius: 8px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
  }
  .edit {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-width: 220px;
  }
  .edit textarea {
    font: inherit;
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
  .typing {
    min-height: 1.4em;
    padding: 0 14px 2px;
    font-size: 0.8em;
    color: var(--chat-muted);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
