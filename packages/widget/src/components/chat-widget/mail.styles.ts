import { css } from 'lit';

import { baseStyles } from '../theme.styles.js';

/** What the transcript menu and the replies-by-email card share: fields, links, errors. */
const mailBits = css`
  input[type='email'] {
    box-sizing: border-box;
    min-width: 0;
    padding: 8px 10px;
    border-radius: 8px;
    border: 1px solid var(--chat-border-strong);
    background: var(--chat-bg);
    color: var(--chat-fg);
    /* 16 px: below it, iOS zooms the page in when a field gets focus. */
    font-size: 16px;
  }
  input[aria-invalid='true'] {
    border-color: var(--chat-danger);
  }
  .primary:disabled {
    background: var(--chat-disabled-bg);
    color: var(--chat-disabled-fg);
    cursor: default;
  }
  .link {
    padding: 6px 4px;
    border: none;
    border-radius: 6px;
    background: none;
    color: var(--chat-link);
    font-size: 0.9em;
    text-decoration: underline;
    cursor: pointer;
  }
  .error {
    margin: 6px 0 0;
    font-size: 0.85em;
  }
  svg {
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
`;

export const conversationMenuStyles = [
  baseStyles,
  mailBits,
  css`
    :host {
      position: relative;
      flex: none;
      color: inherit;
    }
    .more {
      display: grid;
      place-items: center;
      width: 36px;
      height: 36px;
      padding: 0;
      border: none;
      border-radius: 8px;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    .more:hover,
    .more[aria-expanded='true'] {
      background: rgba(127, 127, 127, 0.2);
    }
    .more:focus-visible {
      outline-color: var(--chat-accent-contrast);
    }
    .more svg {
      width: 22px;
      height: 22px;
      fill: currentColor;
      stroke: none;
    }
    .pop {
      position: absolute;
      top: calc(100% + 6px);
      right: -4px;
      z-index: 5;
      box-sizing: border-box;
      width: 290px;
      max-width: calc(100vw - 24px);
      padding: 6px;
      border: 1px solid var(--chat-border);
      border-radius: 10px;
      background: var(--chat-bg);
      color: var(--chat-fg);
      box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18);
      font-size: 14px;
    }
    .item {
      display: flex;
      align-items: center;
      gap: 10px;
      width: 100%;
      padding: 10px;
      border: none;
      border-radius: 6px;
      background: transparent;
      color: inherit;
      text-align: start;
      cursor: pointer;
    }
    .item:hover,
    .item:focus-visible {
      background: var(--chat-bubble-bg);
    }
    .lead {
      width: 18px;
      height: 18px;
      flex: none;
      color: var(--chat-muted);
    }
    form,
    .done {
      display: grid;
      gap: 10px;
      padding: 8px;
    }
    h3 {
      margin: 0;
      font-size: 15px;
    }
    .confirm,
    .done p {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .done p {
      display: flex;
      gap: 8px;
      align-items: flex-start;
    }
    .ok {
      flex: none;
      width: 20px;
      height: 20px;
      color: var(--chat-online);
      stroke-width: 2.4;
    }
    .field {
      font-size: 0.9em;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
    }
    .secondary {
      justify-self: start;
      padding: 8px 14px;
      border: 1px solid var(--chat-border-strong);
      border-radius: 8px;
      background: var(--chat-bg);
      color: var(--chat-fg);
      cursor: pointer;
    }
  `,
];

export const emailCardStyles = [
  baseStyles,
  mailBits,
  css`
    :host {
      display: block;
      margin: 6px 0 10px;
    }
    .card {
      max-width: 300px;
      margin-inline: auto;
      padding: 12px;
      border: 1px solid var(--chat-border);
      border-radius: var(--chat-radius);
      background: var(--chat-bg);
      box-shadow: 0 1px 3px rgba(0, 0, 0, 0.08);
      font-size: 14px;
    }
    .head {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .badge {
      display: grid;
      place-items: center;
      flex: none;
      width: 28px;
      height: 28px;
      border-radius: 50%;
      background: color-mix(in srgb, var(--chat-accent) 14%, var(--chat-bg));
      color: var(--chat-accent);
    }
    .badge.done {
      background: color-mix(in srgb, var(--chat-online) 16%, var(--chat-bg));
      color: var(--chat-online);
    }
    .badge svg {
      width: 16px;
      height: 16px;
    }
    h3 {
      flex: 1;
      margin: 0;
      font-size: 14px;
    }
    .dismiss {
      display: grid;
      place-items: center;
      flex: none;
      width: 28px;
      height: 28px;
      margin: -4px -4px -4px 0;
      padding: 0;
      border: none;
      border-radius: 6px;
      background: none;
      color: var(--chat-muted);
      cursor: pointer;
    }
    .dismiss:hover {
      background: var(--chat-bubble-bg);
      color: var(--chat-fg);
    }
    .dismiss svg {
      width: 16px;
      height: 16px;
    }
    .hint {
      margin: 6px 0 8px;
      color: var(--chat-muted);
      font-size: 0.93em;
    }
    form {
      display: flex;
      gap: 6px;
    }
    form input {
      flex: 1;
    }
    .primary {
      padding: 8px 14px;
    }
    .saved {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 6px;
      margin: 8px 0 0;
      overflow-wrap: anywhere;
    }
  `,
];
