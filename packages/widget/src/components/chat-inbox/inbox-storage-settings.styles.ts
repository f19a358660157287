import { css } from 'lit';

/** Settings › Storage: the usage card with its meter, the two limits side by side, the uploaders' list. */
export const storageStyles = css`
  .card {
    display: grid;
    gap: 10px;
    margin: 0 0 16px;
    padding: 14px;
    border: 1px solid var(--inbox-line);
    border-radius: 10px;
    background: color-mix(in srgb, var(--chat-fg) 3%, var(--chat-bg));
  }
  .card .hint {
    margin: -4px 0 0;
  }
  .meter-head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 4px 12px;
  }
  .meter-head .label {
    margin: 0;
  }
  .amount {
    font-size: 15px;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .meter,
  .share {
    display: block;
    overflow: hidden;
    border-radius: 999px;
    background: color-mix(in srgb, var(--chat-fg) 10%, var(--chat-bg));
  }
  .meter {
    block-size: 8px;
  }
  .meter > span,
  .share > span {
    display: block;
    block-size: 100%;
    min-inline-size: 2px;
    border-radius: inherit;
    background: var(--chat-accent);
  }
  .meter[data-level='high'] > span {
    background: var(--inbox-away);
  }
  .meter[data-level='full'] > span {
    background: var(--chat-danger);
  }
  .per-person {
    display: flex;
    justify-content: space-between;
    gap: 12px;
    margin: 0;
    padding-block-start: 10px;
    border-block-start: 1px solid var(--inbox-line);
    font-size: 14px;
  }
  .per-person span {
    color: var(--chat-muted);
  }
  .limits {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 16px;
  }
  .limits .hint,
  .limits .error {
    margin-block-start: 4px;
  }
  input.num {
    inline-size: 130px;
  }
  h3 {
    margin: 24px 0 8px;
    font-size: 15px;
  }
  ol.top {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  ol.top li {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(60px, 30%) 72px;
    align-items: center;
    gap: 12px;
    min-block-size: 40px;
    border-bottom: 1px solid var(--chat-border);
    font-size: 14px;
  }
  .who {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .who.id {
    color: var(--chat-muted);
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    font-size: 13px;
  }
  .share {
    block-size: 6px;
  }
  .size {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  /* Phones and narrow panes: the limits stack. */
  @container (max-width: 480px) {
    .limits {
      grid-template-columns: minmax(0, 1fr);
    }
    ol.top li {
      grid-template-columns: minmax(0, 1fr) 64px;
    }
    .share {
      display: none;
    }
  }
`;
