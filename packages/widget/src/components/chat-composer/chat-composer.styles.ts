import { css } from 'lit';

import { srOnly } from '../theme.styles.js';

export const composerStyles = css`
  ${srOnly}
  :host {
    display: block;
    container-type: inline-size;
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
  /* A private note (inbox): amber, in the light or dark scheme the host inherits. */
  :host([note]) form,
  :host([note]) textarea {
    background: var(--chat-note-bg, light-dark(#fff6d9, #2e2610));
  }
  :host([note]) textarea {
    border-color: var(--chat-note-border, light-dark(#b7791f, #d69e2e));
  }
  form.dropping {
    outline: 2px dashed var(--chat-accent);
    outline-offset: -4px;
  }
  .row {
    display: flex;
    align-items: flex-end;
    gap: 6px;
    min-width: 0;
  }
  textarea {
    flex: 1 1 0;
    min-width: 0;
    width: 100%;
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
  /* Phones zoom into a field whose text is under 16px: keep it at 16px there. */
  @media (max-width: 640px), (pointer: coarse) {
    textarea {
      font-size: 16px;
    }
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: calc(var(--chat-radius, 12px) * 0.75);
  }
  .icon {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 40px;
    height: 40px;
    padding: 0;
    border: 1px solid transparent;
    background: transparent;
    color: var(--chat-fg);
  }
  .send {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-width: 40px;
    height: 40px;
    padding: 0 14px;
    border: none;
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    font-weight: 600;
    white-space: nowrap;
  }
  .send-icon {
    display: none;
  }
  /* A narrow composer (a column of the inbox on a phone) keeps the box wide: Send becomes an arrow. */
  @container (max-width: 320px) {
    .send {
      width: 40px;
      padding: 0;
    }
    .send-icon {
      display: block;
    }
    .send-label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .icon {
      width: 36px;
    }
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
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: 8px;
    max-width: 100%;
    min-width: 0;
    padding: 4px 4px 4px 6px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    border-radius: 8px;
    font-size: 0.85em;
    line-height: 1.3;
    color: var(--chat-fg);
  }
  .file.failed {
    flex-basis: 100%;
    border-color: var(--chat-danger, #b42318);
  }
  .file img,
  .file .file-icon {
    flex: none;
    width: 36px;
    height: 36px;
    border-radius: 4px;
  }
  .file img {
    object-fit: cover;
  }
  .file.failed .file-icon {
    color: var(--chat-danger, #b42318);
  }
  .file-text {
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .file .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-width: 180px;
    font-weight: 600;
  }
  .file .size {
    color: var(--chat-muted);
  }
  .file .error {
    color: var(--chat-danger, #b42318);
    overflow-wrap: anywhere;
  }
  progress {
    width: 80px;
    height: 6px;
  }
  .remove {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 32px;
    height: 32px;
    margin-left: auto;
    padding: 0;
    border: none;
    background: transparent;
    color: var(--chat-fg);
  }
  .remove:hover {
    background: var(--chat-bubble-bg, rgba(127, 127, 127, 0.15));
  }
  .suggestions,
  .hint {
    position: absolute;
    left: 10px;
    right: 10px;
    bottom: 100%;
    margin: 0;
    background: var(--chat-bg);
    color: var(--chat-fg);
    border: 1px solid var(--chat-border-strong, #6b7280);
    border-radius: 8px;
    box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.15);
  }
  .suggestions {
    max-height: 200px;
    overflow: auto;
    padding: 4px 0;
    list-style: none;
  }
  .hint {
    padding: 8px 12px;
    font-size: 0.9em;
    color: var(--chat-muted);
  }
  /* Kept in the page while empty, so screen readers hear it when it fills. */
  .hint:empty {
    padding: 0;
    border: none;
    box-shadow: none;
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
`;
