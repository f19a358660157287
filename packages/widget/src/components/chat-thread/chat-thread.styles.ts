import { css } from 'lit';

import { avatarStyles } from '../../lib/avatar.js';
import { srOnly } from '../theme.styles.js';
import { messageStyles } from './message-view.styles.js';

export const threadStyles = css`
  ${avatarStyles}
  ${srOnly}
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
  ${messageStyles}
  /* Files and images: message-body.ts (filesStyles). */
  .drop-hint {
    position: absolute;
    top: 12px;
    left: 50%;
    transform: translateX(-50%);
    padding: 6px 14px;
    border-radius: 999px;
    border: 2px dashed var(--chat-accent-contrast);
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    font-size: 0.9em;
    font-weight: 600;
    pointer-events: none;
    box-shadow: 0 2px 10px rgba(0, 0, 0, 0.2);
  }
`;
