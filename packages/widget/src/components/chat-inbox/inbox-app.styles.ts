import { css } from 'lit';

import { baseStyles } from '../theme.styles.js';

export const inboxStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      height: 100%;
      background: var(--chat-bg);
      color: var(--chat-fg);
    }
    .layout {
      display: grid;
      grid-template-columns: minmax(220px, 300px) 1fr minmax(200px, 260px);
      height: 100%;
      min-height: 0;
    }
    @media (max-width: 900px) {
      .layout {
        grid-template-columns: minmax(200px, 260px) 1fr;
      }
      .details {
        display: none;
      }
    }
    .list {
      display: flex;
      flex-direction: column;
      min-height: 0;
      border-right: 1px solid var(--chat-border);
    }
    .toolbar {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--chat-border);
    }
    .toolbar strong {
      flex: 1;
    }
    select {
      padding: 4px 6px;
      border-radius: 6px;
      border: 1px solid var(--chat-border-strong);
      background: var(--chat-bg);
      color: var(--chat-fg);
    }
    button {
      cursor: pointer;
      border-radius: 6px;
      border: 1px solid var(--chat-border-strong);
      background: var(--chat-bg);
      color: var(--chat-fg);
      padding: 5px 10px;
    }
    .link {
      border: none;
      text-decoration: underline;
      padding: 2px 4px;
    }
    .banner {
      padding: 6px 12px;
      font-size: 0.85em;
      background: var(--chat-bubble-bg);
    }
    .tabs {
      display: flex;
      border-bottom: 1px solid var(--chat-border);
    }
    .tabs button {
      flex: 1;
      border: none;
      border-bottom: 3px solid transparent;
      border-radius: 0;
      padding: 8px 4px;
      font-size: 0.85em;
    }
    .tabs button[aria-selected='true'] {
      border-bottom-color: var(--chat-accent);
      font-weight: 700;
    }
    .conversations {
      flex: 1;
      overflow-y: auto;
    }
    .conversations ul {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .empty {
      padding: 16px;
      color: var(--chat-muted);
    }
    .item {
      display: flex;
      flex-direction: column;
      gap: 2px;
      width: 100%;
      text-align: left;
      border: none;
      border-bottom: 1px solid var(--chat-border);
      border-radius: 0;
      padding: 10px 12px;
    }
    .item[aria-current='true'] {
      background: var(--chat-bubble-bg);
      box-shadow: inset 3px 0 0 var(--chat-accent);
    }
    .row {
      display: flex;
      gap: 8px;
      align-items: center;
      justify-content: space-between;
      min-width: 0;
    }
    .name {
      font-weight: 600;
    }
    .preview,
    .assignee,
    time {
      color: var(--chat-muted);
      font-size: 0.85em;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .unread {
      min-width: 20px;
      padding: 0 6px;
      box-sizing: border-box;
      border-radius: 10px;
      background: var(--chat-badge-bg);
      color: var(--chat-badge-fg);
      font-size: 0.75em;
      font-weight: 700;
      text-align: center;
      line-height: 20px;
    }
    .more {
      margin: 8px;
    }
    .conversation {
      display: flex;
      flex-direction: column;
      min-height: 0;
      min-width: 0;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--chat-border);
    }
    .actions h2 {
      flex: 1;
      margin: 0;
      font-size: 1.05em;
    }
    .pill {
      font-size: 0.8em;
      padding: 2px 8px;
      border-radius: 999px;
      background: var(--chat-bubble-bg);
    }
    .assign {
      display: flex;
      gap: 4px;
      align-items: center;
      font-size: 0.85em;
    }
    .details {
      border-left: 1px solid var(--chat-border);
      padding: 12px;
      overflow-y: auto;
      font-size: 0.9em;
    }
    .details h2 {
      margin: 0 0 8px;
      font-size: 1em;
    }
    dt {
      color: var(--chat-muted);
      font-size: 0.85em;
      margin-top: 8px;
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .signin {
      display: flex;
      flex-direction: column;
      gap: 12px;
      max-width: 320px;
      margin: 48px auto;
      padding: 0 16px;
    }
    .status {
      padding: 24px;
      color: var(--chat-muted);
    }
    .error {
      margin: 4px 12px;
    }
    .notice {
      margin: 0;
      padding: 10px 12px;
      border-radius: var(--chat-radius);
      background: var(--chat-bubble-bg);
      color: var(--chat-fg);
    }
    confab-thread {
      flex: 1;
      min-height: 0;
    }
  `,
];
