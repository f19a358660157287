import { css } from 'lit';

/** The conversation list: toolbar, reconnecting banner, tabs, rows with avatar and unread badge. */
export const listStyles = css`
  .list {
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
    border-right: 1px solid var(--chat-border);
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 10px 10px 10px 14px;
    border-bottom: 1px solid var(--chat-border);
  }
  .toolbar .title {
    flex: 1;
    min-width: 0;
    margin: 0;
    font-size: 17px;
    font-weight: 700;
  }
  .availability select {
    padding-inline-start: 26px;
  }
  .banner {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 7px 14px;
    font-size: 13.5px;
    background: color-mix(in srgb, var(--inbox-away) 16%, var(--chat-bg));
    border-bottom: 1px solid var(--chat-border);
  }
  .spinner {
    inline-size: 12px;
    block-size: 12px;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  .tabs {
    display: flex;
    border-bottom: 1px solid var(--chat-border);
  }
  .tabs button {
    flex: 1;
    min-width: 0;
    padding: 10px 4px 8px;
    border: none;
    border-bottom: 3px solid transparent;
    background: transparent;
    color: var(--chat-muted);
    font-size: 13.5px;
    line-height: 1.2;
    cursor: pointer;
  }
  .tabs button:hover {
    color: var(--chat-fg);
  }
  .tabs button[aria-selected='true'] {
    border-bottom-color: var(--chat-accent);
    color: var(--chat-fg);
    font-weight: 700;
  }
  .conversations {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
  }
  .conversations ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .empty {
    padding: 24px 16px;
    color: var(--chat-muted);
    text-align: center;
  }
  .item {
    display: flex;
    align-items: flex-start;
    gap: 10px;
    box-sizing: border-box;
    width: 100%;
    padding: 12px 14px;
    border: none;
    border-bottom: 1px solid var(--chat-border);
    background: transparent;
    color: var(--chat-fg);
    text-align: start;
    cursor: pointer;
  }
  .item:hover {
    background: var(--inbox-hover);
  }
  .item[aria-current='true'] {
    background: var(--chat-bubble-bg);
    box-shadow: inset 3px 0 0 var(--chat-accent);
  }
  .item-body {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 3px;
  }
  .row {
    display: flex;
    gap: 8px;
    align-items: center;
    justify-content: space-between;
    min-width: 0;
  }
  .name {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    font-weight: 600;
  }
  .has-unread .name {
    font-weight: 700;
  }
  .preview,
  .assignee,
  .item time,
  .prev time {
    min-width: 0;
    color: var(--chat-muted);
    font-size: 13px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .item time {
    flex: none;
  }
  .has-unread .preview {
    color: var(--chat-fg);
  }
  .unread {
    flex: none;
    min-width: 20px;
    padding: 0 6px;
    box-sizing: border-box;
    border-radius: 10px;
    background: var(--chat-badge-bg);
    color: var(--chat-badge-fg);
    font-size: 12px;
    font-weight: 700;
    text-align: center;
    line-height: 20px;
  }
  .more {
    display: flex;
    margin: 10px auto;
  }
`;
