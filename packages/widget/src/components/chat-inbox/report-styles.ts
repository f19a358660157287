import { css } from 'lit';

/** The Reports page: controls that wrap, tiles in a fluid grid, a table that scrolls inside its box. */
export const reportStyles = css`
  .intro {
    font-size: 13.5px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 10px 12px;
    margin-block-end: 18px;
  }
  .control {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-inline-size: 0;
    color: var(--chat-muted);
    font-size: 13px;
    font-weight: 500;
  }
  .control select {
    box-sizing: border-box;
    block-size: var(--inbox-control);
    min-inline-size: 0;
    max-inline-size: 100%;
    padding: 0 10px;
    border: 1px solid var(--inbox-line);
    border-radius: 8px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font-size: 14px;
  }
  .download {
    margin-inline-start: auto;
  }
  .download:disabled {
    opacity: 0.55;
    cursor: default;
  }
  .report[aria-busy='true'] {
    opacity: 0.6;
    transition: opacity 0.2s;
  }
  .status {
    color: var(--chat-muted);
  }
  .error {
    color: var(--chat-danger);
  }
  .tiles {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(132px, 1fr));
    gap: 10px;
    margin: 0 0 20px;
    padding: 0;
    list-style: none;
  }
  .tile {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-inline-size: 0;
    padding: 10px 12px;
    border: 1px solid var(--inbox-line);
    border-radius: 10px;
    background: color-mix(in srgb, var(--chat-fg) 2%, var(--chat-bg));
  }
  /* Two tiles a row on a phone: the fifth takes the whole row rather than leave a hole. */
  @container (max-width: 560px) {
    .tile:last-child:nth-child(odd) {
      grid-column: 1 / -1;
    }
    .tile {
      padding: 8px 12px;
    }
  }
  .tile-label {
    color: var(--chat-muted);
    font-size: 12.5px;
    font-weight: 500;
  }
  .tile-value {
    font-size: 22px;
    font-weight: 650;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .tile-sub,
  .sub {
    min-block-size: 1.2em;
    color: var(--chat-muted);
    font-size: 12px;
  }
  .chart-box {
    margin: 0 0 20px;
    min-block-size: 200px;
  }
  .table-box {
    overflow-x: auto;
    border: 1px solid var(--inbox-line);
    border-radius: 10px;
  }
  table {
    inline-size: 100%;
    border-collapse: collapse;
    font-size: 14px;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: 8px 12px;
    text-align: end;
    white-space: nowrap;
    vertical-align: top;
    border-bottom: 1px solid var(--chat-border);
  }
  thead th {
    color: var(--chat-muted);
    font-size: 12.5px;
    font-weight: 600;
  }
  th[scope='row'],
  thead th:first-child {
    text-align: start;
    font-weight: 500;
  }
  th[scope='row'] {
    max-inline-size: 200px;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  tfoot th,
  tfoot th[scope='row'],
  tfoot td {
    border-bottom: none;
    font-weight: 650;
  }
  .sub {
    display: block;
    font-weight: 400;
  }
  .empty {
    text-align: center;
    color: var(--chat-muted);
  }
`;
