import { css } from 'lit';

import { avatarStyles } from '../../lib/avatar.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { listStyles } from './inbox-list.styles.js';
import { labelStyles } from './label-chips.js';
import { detailsStyles } from './visitor-details.styles.js';

// Layout: `.shell[data-size]` is narrow (one column at a time, `data-view` says which), medium
// (list and conversation; details on demand, in the list's place) or wide (three columns).
const layout = css`
  :host {
    display: block;
    height: 100%;
    background: var(--chat-bg);
    color: var(--chat-fg);
    --inbox-control: 34px;
    --inbox-line: color-mix(in srgb, var(--chat-border-strong) 45%, var(--chat-bg));
    --inbox-away: #b45309;
    --inbox-hover: color-mix(in srgb, var(--chat-fg) 5%, var(--chat-bg));
  }
  .shell {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
    box-sizing: border-box;
    padding: env(safe-area-inset-top, 0) env(safe-area-inset-right, 0) env(safe-area-inset-bottom, 0) env(safe-area-inset-left, 0);
  }
  .layout {
    position: relative;
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(260px, 320px) minmax(0, 1fr);
  }
  [data-size='wide'] .layout.with-details {
    grid-template-columns: minmax(260px, 320px) minmax(0, 1fr) minmax(260px, 300px);
  }
  [data-size='narrow'] .layout {
    grid-template-columns: minmax(0, 1fr);
  }
  [data-size='narrow'][data-view='list'] :is(.conversation, .details-pane),
  [data-size='narrow'][data-view='conversation'] :is(.list, .details-pane),
  [data-size='narrow'][data-view='details'] :is(.list, .conversation) {
    display: none;
  }
  [data-size='narrow'] .list {
    border-right: none;
  }
  /* Medium width, details open: they take the list's place, so the composer keeps its room. */
  [data-size='medium'] .layout.with-details {
    grid-template-columns: minmax(0, 1fr) minmax(260px, 320px);
  }
  [data-size='medium'] .layout.with-details .list {
    display: none;
  }
  [data-size='narrow'] .details-pane {
    border-left: none;
  }
  .btn.back,
  .btn.details-toggle {
    display: none;
  }
  [data-size='narrow'] .btn.back,
  [data-size='narrow'] .btn.details-toggle,
  [data-size='medium'] .btn.details-toggle {
    display: inline-flex;
  }
  /* iOS zooms into anything below 16px on focus. */
  [data-size='narrow'] select,
  [data-size='narrow'] confab-thread::part(input) {
    font-size: 16px;
  }
`;

const conversation = css`
  .conversation {
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
  }
  .conv-header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 10px;
    padding: 10px 14px;
    border-bottom: 1px solid var(--chat-border);
  }
  [data-size='narrow'] .conv-header {
    padding: 8px 10px;
  }
  .who {
    flex: 1 1 140px;
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .who-line {
    display: flex;
    align-items: center;
    gap: 8px;
    min-width: 0;
  }
  .who h2 {
    min-width: 0;
    margin: 0;
    font-size: 16px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .who h2:focus {
    outline: none;
  }
  .who h2:focus-visible {
    outline: 3px solid var(--chat-focus, var(--chat-accent));
  }
  .who .sub {
    color: var(--chat-muted);
    font-size: 12.5px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    min-width: 0;
  }
  .assign select {
    max-width: 200px;
  }
  [data-size='narrow'] .actions {
    flex-basis: 100%;
    flex-wrap: nowrap;
  }
  [data-size='narrow'] .assign {
    flex: 1;
  }
  [data-size='narrow'] .assign select {
    width: 100%;
    max-width: none;
  }
  .conversation > .error,
  .shell > .error {
    margin: 0;
    padding: 6px 14px;
    font-size: 13.5px;
  }
  confab-thread {
    flex: 1;
    min-height: 0;
  }
  .no-selection {
    flex: 1;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 6px;
    padding: 24px;
    text-align: center;
    color: var(--chat-muted);
  }
  .no-selection h2 {
    margin: 12px 0 0;
    color: var(--chat-fg);
    font-size: 17px;
  }
  .no-selection p {
    margin: 0;
    max-width: 32ch;
  }
  .art {
    inline-size: 132px;
    block-size: auto;
    stroke: none;
  }
  .art-back {
    fill: var(--chat-bubble-bg);
  }
  .art-front {
    fill: var(--chat-accent);
  }
  .art-dot {
    fill: var(--chat-accent-contrast);
  }
`;

const signin = css`
  .signin {
    display: flex;
    flex-direction: column;
    gap: 12px;
    box-sizing: border-box;
    max-width: 392px;
    margin: 0 auto;
    /* Padding, not margin: a margin would collapse through the host and push the inbox down. */
    padding: max(32px, 10vh) 16px 32px;
  }
  .signin h2 {
    margin: 0 0 8px;
    font-size: 22px;
  }
  .signin input {
    font-size: 16px;
  }
  .status {
    padding: 24px;
    color: var(--chat-muted);
  }
  .notice {
    margin: 0;
    padding: 10px 12px;
    border-radius: var(--chat-radius);
    background: var(--chat-bubble-bg);
    color: var(--chat-fg);
  }
`;

export const inboxStyles = [baseStyles, avatarStyles, layout, controlsStyles, listStyles, labelStyles, conversation, detailsStyles, signin];
