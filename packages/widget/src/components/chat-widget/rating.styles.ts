import { css } from 'lit';

import { baseStyles } from '../theme.styles.js';

export const ratingStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      padding: 8px 12px 0;
      background: var(--chat-bg);
    }
    .card {
      margin: 0;
      padding: 12px;
      border: 1px solid var(--chat-border);
      border-radius: var(--chat-radius);
      background: var(--chat-bubble-bg);
      color: var(--chat-fg);
    }
    fieldset {
      margin: 0;
      padding: 0;
      border: none;
      min-width: 0;
    }
    legend {
      padding: 0;
      margin: 0 auto 8px;
      font-weight: 600;
      text-align: center;
    }
    .faces {
      display: flex;
      justify-content: center;
      gap: 6px;
    }
    .face-option {
      position: relative;
      display: grid;
      place-items: center;
      width: 44px;
      height: 44px;
      border-radius: 50%;
      color: var(--chat-muted);
      cursor: pointer;
      transition:
        transform 0.12s ease,
        color 0.12s ease,
        background 0.12s ease;
    }
    .face-option:hover {
      color: var(--chat-fg);
      transform: scale(1.08);
    }
    .face-option.chosen {
      color: var(--chat-accent-contrast);
      background: var(--chat-accent);
    }
    /* The native radio stays focusable and checkable; the face is what is seen. */
    .face-option input {
      position: absolute;
      inset: 0;
      margin: 0;
      opacity: 0;
      cursor: pointer;
    }
    .face-option:has(input:focus-visible) {
      outline: 3px solid var(--chat-focus, var(--chat-accent));
      outline-offset: 2px;
    }
    .face {
      width: 34px;
      height: 34px;
    }
    .chosen-word {
      margin: 4px 0 0;
      min-height: 1.3em;
      font-size: 0.85em;
      text-align: center;
      color: var(--chat-muted);
    }
    .comment textarea {
      display: block;
      box-sizing: border-box;
      width: 100%;
      margin-top: 6px;
      padding: 8px 10px;
      border-radius: 8px;
      border: 1px solid var(--chat-border-strong);
      background: var(--chat-bg);
      color: var(--chat-fg);
      /* 16 px: below it, iOS zooms the page in when a field gets focus. */
      font-size: 16px;
      resize: vertical;
      max-height: 120px;
    }
    .comment textarea::placeholder {
      color: var(--chat-muted);
    }
    .actions {
      display: flex;
      align-items: center;
      justify-content: flex-end;
      gap: 8px;
      margin-top: 8px;
    }
    .actions .error {
      flex: 1;
      font-size: 0.85em;
    }
    .primary:disabled {
      background: var(--chat-disabled-bg);
      color: var(--chat-disabled-fg);
      cursor: default;
    }
    .thanks {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 10px 12px;
    }
    .thanks:focus {
      outline: none;
    }
    .thanks:focus-visible {
      outline: 3px solid var(--chat-focus, var(--chat-accent));
    }
    .given {
      display: grid;
      place-items: center;
      flex: none;
      width: 36px;
      height: 36px;
      border-radius: 50%;
      color: var(--chat-accent-contrast);
      background: var(--chat-accent);
    }
    .given .face {
      width: 26px;
      height: 26px;
    }
    .words {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-width: 0;
    }
    .muted {
      font-size: 0.85em;
      color: var(--chat-muted);
    }
    .link {
      flex: none;
      margin-inline-end: -4px;
      padding: 6px 4px;
      font-size: 0.85em;
      border: none;
      border-radius: 6px;
      background: none;
      color: var(--chat-link);
      text-decoration: underline;
      cursor: pointer;
    }
  `,
];
