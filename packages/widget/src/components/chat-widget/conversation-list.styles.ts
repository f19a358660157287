import { css } from 'lit';

import { avatarStyles } from '../../lib/avatar.js';
import { baseStyles } from '../theme.styles.js';

export const conversationListStyles = [
  baseStyles,
  avatarStyles,
  css`
    :host {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-height: 0;
      background: var(--chat-bg);
      color: var(--chat-fg);
    }
    .scroll {
      flex: 1;
      min-height: 0;
      overflow-y: auto;
      overscroll-behavior: contain;
      padding: 14px 0 8px;
    }
    h3 {
      margin: 0 16px 2px;
      font-size: 1em;
      font-weight: 600;
    }
    .who-am-i {
      margin: 0 16px;
      font-size: 0.85em;
      color: var(--chat-muted);
    }
    ul {
      list-style: none;
      margin: 8px 0 0;
      padding: 0;
    }
    li + li {
      border-top: 1px solid var(--chat-border);
    }
    .row {
      display: flex;
      align-items: center;
      gap: 12px;
      width: 100%;
      padding: 12px 16px;
      border: none;
      background: transparent;
      color: inherit;
      text-align: start;
      cursor: pointer;
    }
    .row:hover {
      background: var(--chat-bubble-bg);
    }
    .row:focus-visible {
      outline-offset: -3px;
    }
    .avatar {
      inline-size: 40px;
      block-size: 40px;
      font-size: 15px;
    }
    .main {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .line {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .name {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-weight: 600;
    }
    .status {
      flex: none;
      padding: 0 7px;
      border: 1px solid currentColor;
      border-radius: 999px;
      font-size: 0.72em;
      line-height: 1.5;
      color: var(--chat-muted);
    }
    .status.open,
    .status.pending {
      color: var(--chat-online);
    }
    time {
      flex: none;
      margin-inline-start: auto;
      font-size: 0.78em;
      color: var(--chat-muted);
    }
    .excerpt {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-size: 0.9em;
      color: var(--chat-muted);
    }
    .excerpt.strong {
      color: var(--chat-fg);
      font-weight: 600;
    }
    .unread {
      flex: none;
      min-width: 20px;
      height: 20px;
      padding: 0 6px;
      box-sizing: border-box;
      border-radius: 10px;
      background: var(--chat-badge-bg);
      color: var(--chat-badge-fg);
      font-size: 12px;
      font-weight: 700;
      line-height: 20px;
      text-align: center;
    }
    .actions {
      padding: 12px 16px;
      border-top: 1px solid var(--chat-border);
    }
    .new {
      display: flex;
      align-items: center;
      justify-content: center;
      gap: 8px;
      width: 100%;
      padding: 11px 16px;
    }
    .new svg {
      width: 18px;
      height: 18px;
      fill: currentColor;
    }
  `,
];
