import { css } from 'lit';

/** The Settings page's auto-assignment form: mode cards, number fields, the save row. */
export const settingsStyles = css`
  .note {
    margin: 0 0 14px;
    padding: 8px 12px;
    border-radius: 8px;
    background: color-mix(in srgb, var(--chat-fg) 5%, var(--chat-bg));
    color: var(--chat-fg);
    font-size: 14px;
  }
  form {
    display: grid;
    gap: 16px;
    padding: 14px;
    border: 1px solid var(--inbox-line);
    border-radius: 10px;
  }
  fieldset {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 0;
    border: none;
    min-inline-size: 0;
  }
  legend,
  .label {
    margin: 0 0 6px;
    padding: 0;
    font-size: 14px;
    font-weight: 600;
  }
  .modes {
    display: grid;
    grid-template-columns: repeat(3, minmax(0, 1fr));
    gap: 8px;
  }
  .mode {
    position: relative;
    display: flex;
    gap: 10px;
    align-items: flex-start;
    padding: 10px 12px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
    cursor: pointer;
  }
  .mode:has(input:checked) {
    border-color: var(--chat-accent);
    background: color-mix(in srgb, var(--chat-accent) 8%, var(--chat-bg));
  }
  .mode:has(input:disabled) {
    cursor: default;
  }
  .mode input {
    margin: 3px 0 0;
    accent-color: var(--chat-accent);
  }
  .mode strong {
    display: block;
    font-size: 14px;
  }
  .hint {
    display: block;
    color: var(--chat-muted);
    font-size: 13px;
    line-height: 1.35;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .check {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    font-size: 14px;
    cursor: pointer;
  }
  .check input {
    margin: 3px 0 0;
    accent-color: var(--chat-accent);
  }
  .after {
    padding-inline-start: 26px;
    font-size: 14px;
  }
  input.num {
    inline-size: 88px;
  }
  input.num[aria-invalid='true'] {
    border-color: var(--chat-danger);
  }
  input:disabled {
    opacity: 0.75;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 12px;
  }
  .status {
    font-size: 14px;
    color: var(--chat-muted);
  }
  .status[data-kind='saved'] {
    color: var(--chat-online);
    font-weight: 600;
  }
  .error,
  .status[data-kind='error'] {
    color: var(--chat-danger);
  }
  .error {
    margin: 0;
    font-size: 13px;
  }
  /* Phones and narrow panes: the modes stack. */
  @container (max-width: 560px) {
    .modes {
      grid-template-columns: minmax(0, 1fr);
    }
  }
`;
