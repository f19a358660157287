import { css } from 'lit';

/** The Emails of a conversation in the details pane: the transcript form and the list of mails. */
export const mailsStyles = css`
  :host {
    display: block;
    margin: 0 0 18px;
    font-size: 14px;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    margin: 0 0 8px;
  }
  h3 {
    margin: 0;
    font-size: 13px;
    font-weight: 600;
    color: var(--chat-muted);
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  .btn.small {
    block-size: 30px;
    padding: 0 10px;
    font-size: 13px;
  }
  .btn svg {
    inline-size: 16px;
    block-size: 16px;
  }
  .send {
    display: grid;
    gap: 6px;
    margin: 0 0 10px;
    padding: 10px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
  }
  .send label {
    font-size: 12.5px;
    color: var(--chat-muted);
  }
  .send .field[aria-invalid='true'] {
    border-color: var(--chat-danger);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 6px;
  }
  .send .row {
    justify-content: flex-start;
  }
  .result {
    margin: 0 0 10px;
    color: var(--chat-online);
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .error {
    margin: 0;
    font-size: 13px;
  }
  .muted {
    margin: 0;
    color: var(--chat-muted);
  }
  .mails {
    display: flex;
    flex-direction: column;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .mail {
    display: flex;
    flex-direction: column;
    gap: 3px;
    padding: 8px 10px;
    border: 1px solid var(--chat-border);
    border-radius: 8px;
  }
  .to {
    overflow-wrap: anywhere;
  }
  time {
    color: var(--chat-muted);
    font-size: 12.5px;
  }
  .why {
    color: var(--chat-danger);
    font-size: 12.5px;
    overflow-wrap: anywhere;
  }
  .pill[data-status='sent'] {
    --pill: var(--chat-online);
  }
  .pill[data-status='failed'] {
    --pill: var(--chat-danger);
  }
`;

/** Settings › Email: the two mail switches with their fields, the transport line, replies by email. */
export const mailSettingsStyles = css`
  fieldset {
    gap: 10px;
  }
  .field.url {
    inline-size: min(100%, 420px);
  }
  .field[aria-invalid='true'] {
    border-color: var(--chat-danger);
  }
  .sub {
    display: grid;
    gap: 10px;
    padding-inline-start: 26px;
  }
  .sub > div {
    display: grid;
    gap: 4px;
  }
  .sub label.label {
    margin: 0;
    font-size: 14px;
    font-weight: 500;
  }
  .transport {
    display: flex;
    align-items: flex-start;
    gap: 8px;
    margin: 0 0 14px;
    font-size: 14px;
  }
  .transport svg {
    flex: none;
    inline-size: 18px;
    block-size: 18px;
    margin-top: 1px;
    color: var(--chat-muted);
  }
  code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 13px;
    overflow-wrap: anywhere;
  }
`;

/** Settings › Email › Replies by email: whether they come in, and the inbound secret shown once. */
export const inboundStyles = css`
  :host {
    display: block;
    margin-block-start: 20px;
    container-type: inline-size;
  }
  h3 {
    margin: 0 0 6px;
    font-size: 15px;
  }
  p {
    margin: 0 0 10px;
    font-size: 14px;
  }
  .state {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .state .dot {
    flex: none;
  }
  .state[data-on='true'] .dot {
    background: var(--chat-online);
  }
  .confirm,
  .secret {
    display: grid;
    gap: 10px;
    padding: 12px 14px;
    border: 1px solid var(--inbox-line);
    border-radius: 10px;
  }
  .confirm {
    border-color: color-mix(in srgb, var(--inbox-away) 55%, var(--chat-bg));
    background: color-mix(in srgb, var(--inbox-away) 8%, var(--chat-bg));
  }
  .confirm p,
  .secret p {
    margin: 0;
  }
  .secret {
    border-color: color-mix(in srgb, var(--chat-accent) 45%, var(--chat-bg));
  }
  .once {
    font-weight: 600;
  }
  dl {
    display: grid;
    gap: 8px;
    margin: 0;
  }
  dl > div {
    display: grid;
    grid-template-columns: 90px minmax(0, 1fr);
    align-items: center;
    gap: 8px;
  }
  dt {
    color: var(--chat-muted);
    font-size: 13px;
  }
  dd {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 0;
    min-inline-size: 0;
  }
  dd code {
    flex: 1;
    min-inline-size: 0;
  }
  code {
    display: block;
    padding: 6px 8px;
    border-radius: 6px;
    background: color-mix(in srgb, var(--chat-fg) 6%, var(--chat-bg));
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 13px;
    overflow-wrap: anywhere;
  }
  code.inline {
    display: inline;
    padding: 1px 5px;
  }
  .btn.small {
    block-size: 30px;
    min-inline-size: 84px;
    padding: 0 8px;
    font-size: 13px;
  }
  .btn.small svg {
    inline-size: 16px;
    block-size: 16px;
  }
  .howto {
    color: var(--chat-muted);
    font-size: 13px;
    line-height: 1.45;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .error {
    margin: 0;
    color: var(--chat-danger);
    font-size: 13px;
  }
  @container (max-width: 480px) {
    dl > div {
      grid-template-columns: minmax(0, 1fr);
      gap: 4px;
    }
  }
`;
