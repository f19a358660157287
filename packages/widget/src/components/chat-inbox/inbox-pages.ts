import type { ChatClient } from '@confab/sdk';
import { css, html, nothing, svg } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { strokeIcon } from '../../lib/icons.js';
import { type AgentState, knownNames } from './agent-state.js';
import type { LabelActions } from './inbox-label-settings.js';

/** The inbox's pages: the conversations, the team's reports, the settings. */
export const INBOX_PAGES = ['conversations', 'reports', 'settings'] as const;
export type InboxPage = (typeof INBOX_PAGES)[number];

const LABEL = { conversations: 'pageConversations', reports: 'pageReports', settings: 'pageSettings' } as const;

const ICON: Record<InboxPage, ReturnType<typeof strokeIcon>> = {
  conversations: strokeIcon(svg`<path d="M20 15a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2z" />`),
  reports: strokeIcon(svg`<path d="M4 20h16M7 16v-5M12 16V6M17 16v-8" />`),
  settings: strokeIcon(svg`<path d="M4 7h10M18 7h2M4 17h2M10 17h10" /><circle cx="16" cy="7" r="2" /><circle cx="8" cy="17" r="2" />`),
};

/**
 * The switch between pages: a rail beside the inbox, a tab bar below it on phones. Each button
 * names its page (the rail shows only icons, so the name is its accessible label and tooltip).
 */
export function renderPageRail(i18n: I18n, current: InboxPage, onSelect: (page: InboxPage) => void) {
  const { t } = i18n;
  return html`<nav class="rail" aria-label=${t('pages')}>
    ${INBOX_PAGES.map(
      (page) =>
        html`<button
          class="rail-item"
          data-page=${page}
          aria-current=${page === current ? 'page' : 'false'}
          title=${t(LABEL[page])}
          @click=${() => onSelect(page)}
        >
          ${ICON[page]}<span class="rail-label">${t(LABEL[page])}</span>
        </button>`,
    )}
  </nav>`;
}

/** The page in the main column, when it is not the conversations. */
export function renderPage(page: InboxPage, i18n: I18n, client: ChatClient | null, s: AgentState, labelActions: LabelActions | null) {
  return page === 'reports'
    ? html`<confab-inbox-reports .client=${client} .i18n=${i18n}></confab-inbox-reports>`
    : html`<confab-inbox-settings .client=${client} .i18n=${i18n} .me=${s.me}></confab-inbox-settings>
        <confab-inbox-mail-settings .client=${client} .i18n=${i18n} .me=${s.me}></confab-inbox-mail-settings>
        <confab-inbox-label-settings .i18n=${i18n} .labels=${s.labels} .actions=${labelActions}></confab-inbox-label-settings>
        ${
          s.me?.role === 'admin'
            ? html`<confab-inbox-storage-settings
                .client=${client}
                .i18n=${i18n}
                .me=${s.me}
                .names=${knownNames(s)}
              ></confab-inbox-storage-settings>`
            : nothing
        }`;
}

export const pageStyles = css`
  .frame {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: 56px minmax(0, 1fr);
  }
  .rail {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 4px;
    padding: 10px 0;
    border-right: 1px solid var(--chat-border);
    background: color-mix(in srgb, var(--chat-fg) 3%, var(--chat-bg));
  }
  .rail-item {
    display: flex;
    align-items: center;
    justify-content: center;
    inline-size: 40px;
    block-size: 40px;
    border: none;
    border-radius: 10px;
    background: transparent;
    color: var(--chat-muted);
    cursor: pointer;
  }
  .rail-item:hover {
    background: var(--inbox-hover);
    color: var(--chat-fg);
  }
  .rail-item[aria-current='page'] {
    background: color-mix(in srgb, var(--chat-accent) 14%, var(--chat-bg));
    color: var(--chat-accent);
  }
  .rail-item:focus-visible {
    outline: 2px solid var(--chat-accent);
    outline-offset: 1px;
  }
  .rail-label {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .page {
    min-height: 0;
    min-width: 0;
    overflow: auto;
    box-sizing: border-box;
    padding: 20px 24px 32px;
  }
  .page > * {
    max-inline-size: 760px;
  }
  .page > * + * {
    margin-block-start: 32px;
  }
  [data-size='narrow'] .page {
    padding: 14px 14px 24px;
  }
  /* Phones: the rail becomes a tab bar under the list or page (not under an open conversation). */
  [data-size='narrow'] .frame {
    grid-template-columns: minmax(0, 1fr);
    grid-template-rows: minmax(0, 1fr) auto;
  }
  [data-size='narrow'] .rail {
    grid-row: 2;
    flex-direction: row;
    justify-content: space-around;
    padding: 4px 0;
    border-right: none;
    border-top: 1px solid var(--chat-border);
  }
  [data-size='narrow'] .rail-item {
    flex: 1;
    flex-direction: column;
    gap: 2px;
    inline-size: auto;
    block-size: 52px;
    font-size: 12px;
    font-weight: 500;
  }
  [data-size='narrow'] .rail-label {
    position: static;
    width: auto;
    height: auto;
    clip: auto;
  }
  [data-size='narrow'][data-view='conversation'] .rail,
  [data-size='narrow'][data-view='details'] .rail {
    display: none;
  }
`;

/** What every page element starts from: a block that sizes to its column, a heading, a line under it. */
export const sectionStyles = css`
  :host {
    display: block;
    min-inline-size: 0;
    container-type: inline-size;
  }
  h2 {
    margin: 0 0 4px;
    font-size: 17px;
  }
  .intro {
    margin: 0 0 14px;
    color: var(--chat-muted);
  }
`;
