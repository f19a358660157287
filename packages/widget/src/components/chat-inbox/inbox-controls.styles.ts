import { css } from 'lit';

/** The inbox's buttons, selects and status pills: one height, one look. */
export const controlsStyles = css`
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    box-sizing: border-box;
    block-size: var(--inbox-control);
    padding: 0 12px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font-size: 14px;
    font-weight: 500;
    line-height: 1;
    white-space: nowrap;
    cursor: pointer;
  }
  .btn:hover {
    background: var(--inbox-hover);
  }
  .btn.primary {
    border-color: var(--chat-accent);
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    font-weight: 600;
  }
  .btn.primary:hover {
    background: color-mix(in srgb, var(--chat-accent) 88%, var(--chat-fg));
  }
  /* Greyed out, as the composer's Send: a form that cannot be sent yet must not look ready. */
  .btn:disabled {
    cursor: default;
  }
  .btn.primary:disabled {
    border-color: var(--chat-disabled-bg);
    background: var(--chat-disabled-bg);
    color: var(--chat-disabled-fg);
  }
  .btn.link {
    border-color: transparent;
    background: transparent;
    padding: 0 8px;
  }
  .btn.link:hover {
    background: var(--inbox-hover);
  }
  .btn.icon {
    inline-size: var(--inbox-control);
    padding: 0;
    border-color: transparent;
    background: transparent;
    flex: none;
  }
  .btn.icon:hover {
    background: var(--inbox-hover);
  }
  svg {
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .btn.icon svg {
    inline-size: 20px;
    block-size: 20px;
  }
  .field {
    box-sizing: border-box;
    block-size: var(--inbox-control);
    min-inline-size: 0;
    max-inline-size: 100%;
    padding: 0 10px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font: inherit;
    font-size: 14px;
  }
  .select {
    position: relative;
    display: inline-flex;
    align-items: center;
    min-width: 0;
  }
  .select select {
    appearance: none;
    box-sizing: border-box;
    block-size: var(--inbox-control);
    min-width: 0;
    max-width: 100%;
    padding: 0 30px 0 30px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font-size: 14px;
    text-overflow: ellipsis;
    cursor: pointer;
  }
  .select select:hover {
    background: var(--inbox-hover);
  }
  .select .chevron,
  .select .lead,
  .select .dot {
    position: absolute;
    pointer-events: none;
  }
  .select .chevron {
    inset-inline-end: 9px;
    inline-size: 14px;
    block-size: 14px;
    color: var(--chat-muted);
  }
  .select .lead {
    inset-inline-start: 10px;
    inline-size: 15px;
    block-size: 15px;
    color: var(--chat-muted);
  }
  .dot {
    inline-size: 8px;
    block-size: 8px;
    border-radius: 50%;
    background: var(--chat-muted);
  }
  .select .dot {
    inset-inline-start: 12px;
  }
  [data-status='online'] > .dot,
  [data-status='open'] > .dot {
    background: var(--chat-online);
  }
  [data-status='away'] > .dot,
  [data-status='pending'] > .dot {
    background: var(--inbox-away);
  }
  .pill {
    --pill: var(--chat-muted);
    display: inline-flex;
    align-items: center;
    gap: 6px;
    flex: none;
    block-size: 24px;
    padding: 0 10px;
    box-sizing: border-box;
    border-radius: 999px;
    background: color-mix(in srgb, var(--pill) 16%, var(--chat-bg));
    color: var(--chat-fg);
    font-size: 12.5px;
    font-weight: 600;
    white-space: nowrap;
  }
  .pill[data-status='open'] {
    --pill: var(--chat-online);
  }
  .pill[data-status='pending'] {
    --pill: var(--inbox-away);
  }
  .pill .dot {
    background: var(--pill);
  }
`;
