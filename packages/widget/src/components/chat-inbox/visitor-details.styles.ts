import { css } from 'lit';

/** The visitor details pane and their earlier conversations. */
export const detailsStyles = css`
  .details-pane {
    min-width: 0;
    min-height: 0;
    overflow-y: auto;
    border-left: 1px solid var(--chat-border);
    background: var(--chat-bg);
  }
  .details {
    padding: 10px 16px 20px;
    font-size: 14px;
  }
  .details-head {
    display: flex;
    align-items: center;
    gap: 6px;
    min-height: var(--inbox-control);
    margin: 0 -6px 10px 0;
  }
  .details-head h2 {
    flex: 1;
    margin: 0;
    font-size: 15px;
  }
  .details-head h2:focus {
    outline: none;
  }
  .card {
    display: flex;
    align-items: center;
    gap: 12px;
    margin-bottom: 14px;
  }
  .card .avatar {
    inline-size: 44px;
    block-size: 44px;
    font-size: 17px;
  }
  .full-name {
    min-width: 0;
    font-size: 16px;
    overflow-wrap: anywhere;
  }
  dl {
    display: flex;
    flex-direction: column;
    gap: 10px;
    margin: 0 0 18px;
  }
  dt {
    color: var(--chat-muted);
    font-size: 12.5px;
  }
  dd {
    margin: 2px 0 0;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .clip {
    display: block;
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  a {
    color: var(--chat-link);
  }
  h3 {
    margin: 0 0 8px;
    font-size: 13px;
    font-weight: 600;
    color: var(--chat-muted);
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  .muted {
    margin: 0;
    color: var(--chat-muted);
  }
  .previous {
    display: flex;
    flex-direction: column;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .prev {
    display: flex;
    flex-direction: column;
    gap: 6px;
    box-sizing: border-box;
    width: 100%;
    padding: 8px 10px;
    border: 1px solid var(--chat-border);
    border-radius: 8px;
    background: transparent;
    color: var(--chat-fg);
    text-align: start;
    cursor: pointer;
  }
  .prev:hover {
    background: var(--inbox-hover);
  }
  .prev .row {
    flex-wrap: wrap;
    justify-content: flex-start;
  }
  .prev time {
    overflow: visible;
  }
  .prev .preview {
    color: var(--chat-fg);
  }
`;
