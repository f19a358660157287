import { css } from 'lit';

export const composerStyles = css`
  :host {
    display: block;
  }
  form {
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 8px 10px 10px;
    border-top: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
    position: relative;
  }
  .row {
    display: flex;
    align-items: flex-end;
    gap: 6px;
  }
  textarea {
    flex: 1;
    resize: none;
    min-height: 40px;
    max-height: 140px;
    box-sizing: border-box;
    padding: 9px 10px;
    border: 1px solid var(--chat-border-strong, #6b7280);
    border-radius: calc(var(--chat-radius, 12px) * 0.75);
    background: var(--chat-bg);
    color: var(--chat-fg);
    font: inherit;
    line-height: 1.4;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: calc(var(--chat-radius, 12px) * 0.75);
  }
  .icon {
    flex: none;
    width: 40px;
    height: 40px;
    border: 1px solid transparent;
    background: transparent;
    color: var(--chat-fg);
    font-size: 20px;
    line-height: 1;
  }
  .send {
    flex: none;
    height: 40px;
    padding: 0 14px;
    border: none;
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    font-weight: 600;
  }
  .send:disabled {
    cursor: default;
    background: var(--chat-disabled-bg, #d0d4da);
    color: var(--chat-disabled-fg, #3b4048);
  }
  :focus-visible {
    outline: 3px solid var(--chat-focus, var(--chat-accent));
    outline-offset: 2px;
  }
  .files {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .file {
    display: flex;
    align-items: center;
    gap: 6px;
    max-width: 100%;
    padding: 4px 6px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    border-radius: 8px;
    font-size: 0.85em;
    color: var(--chat-fg);
  }
  .file img {
    width: 40px;
    height: 40px;
    object-fit: cover;
    border-radius: 4px;
  }
  .file .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-width: 160px;
  }
  .file .error {
    color: var(--chat-danger, #b42318);
  }
  progress {
    width: 60px;
  }
  .remove {
    border: none;
    background: transparent;
    color: var(--chat-fg);
    padding: 2px 6px;
  }
  .suggestions {
    position: absolute;
    left: 10px;
    right: 10px;
    bottom: 100%;
    max-height: 200px;
    overflow: auto;
    margin: 0;
    padding: 4px 0;
    list-style: none;
    background: var(--chat-bg);
    color: var(--chat-fg);
    border: 1px solid var(--chat-border-strong, #6b7280);
    border-radius: 8px;
    box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.15);
  }
  .suggestions li {
    padding: 6px 10px;
    cursor: pointer;
  }
  .suggestions li[aria-selected='true'] {
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
  }
  .shortcut {
    font-weight: 600;
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
