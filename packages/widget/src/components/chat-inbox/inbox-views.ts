import type { SupportAvailabilityDto, SupportConversationDto, SupportInboxItemDto } from '@confab/sdk';
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';

import type { I18n } from '../../i18n/index.js';
import { fullName, renderAvatar } from '../../lib/avatar.js';
import type { AgentState } from './agent-state.js';
import { type InboxTab, TABS } from './inbox-list.js';
import { renderItemLabels, renderLabelFilter } from './label-chips.js';

/** The agent's sign-in form; `notice` says why they are back here (session ended, signed out elsewhere). */
export function renderSignIn(i18n: I18n, notice: string, error: string, onSubmit: (e: Event) => void) {
  const { t } = i18n;
  return html`<form class="signin" @submit=${onSubmit}>
    <h2>${t('signIn')}</h2>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : nothing}
    <label class="field">${t('username')} <input name="username" autocomplete="username" required /></label>
    <label class="field">${t('password')} <input name="password" type="password" autocomplete="current-password" required /></label>
    ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
    <button class="primary" type="submit">${t('signIn')}</button>
  </form>`;
}

const AVAILABILITY_LABEL = { online: 'availabilityOnline', away: 'availabilityAway', offline: 'availabilityOffline' } as const;

/** What the inbox calls the visitor of a conversation: the full name, else the username. */
export function visitorName(i18n: I18n, c: Pick<SupportInboxItemDto, 'visitor'>): string {
  return fullName(c.visitor) || i18n.t('visitor');
}

export const chevron = html`<svg class="chevron" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 6l4 4 4-4" /></svg>`;
const backIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 5l-7 7 7 7" /></svg>`;
const infoIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <circle cx="12" cy="12" r="9" />
  <path d="M12 11v6M12 7.5v.5" />
</svg>`;
const personIcon = html`<svg class="lead" viewBox="0 0 16 16" aria-hidden="true">
  <circle cx="8" cy="5.5" r="2.75" />
  <path d="M2.75 14c.6-2.9 2.7-4.5 5.25-4.5s4.65 1.6 5.25 4.5" />
</svg>`;

/** A status as a coloured pill: open, pending, resolved. */
export function renderStatusPill(i18n: I18n, status: SupportConversationDto['support']['status']) {
  return html`<span class="pill" data-status=${status}><span class="dot" aria-hidden="true"></span>${i18n.t(`status_${status}`)}</span>`;
}

/** One conversation in the list: avatar, who, when, the last message, unread count and assignee. */
export function renderInboxItem(i18n: I18n, c: SupportInboxItemDto, current: boolean, onSelect: () => unknown) {
  const { t } = i18n;
  const last = c.lastMessage;
  const preview = last ? (last.deletedAt ? t('deleted') : last.text || (last.attachments.length ? t('attachment') : '')) : '';
  const unread = t('unread', { count: c.unreadCount });
  const assignee = c.assignee ? c.assignee.name || c.assignee.username || '' : null;
  const visitor = c.visitor;
  return html`<li>
    <button class="item ${c.unreadCount ? 'has-unread' : ''}" aria-current=${current ? 'true' : 'false'} data-id=${c.id} @click=${onSelect}>
      ${renderAvatar({ ...visitor, id: visitor?.id ?? c.id })}
      <span class="item-body">
        <span class="row">
          <span class="name">${visitorName(i18n, c)}</span>
          ${c.lastMessageAt ? html`<time datetime=${c.lastMessageAt}>${i18n.time(c.lastMessageAt)}</time>` : nothing}
        </span>
        <span class="row">
          <span class="preview">${preview}</span>
          ${c.unreadCount ? html`<span class="unread" aria-label=${unread}>${c.unreadCount}</span>` : nothing}
        </span>
        ${assignee === null ? nothing : html`<span class="assignee">${t('assignedTo', { name: assignee })}</span>`}
        ${renderItemLabels(i18n, c)}
      </span>
    </button>
  </li>`;
}

export interface ConversationActions {
  back(): unknown;
  toggleDetails(): unknown;
  claim(): unknown;
  assign(agentId: string): unknown;
  resolve(): unknown;
  reopen(): unknown;
}

export interface HeaderOptions {
  agents: SupportAvailabilityDto['agents'];
  notMine: boolean;
  /** Whether the details pane shows (aria-expanded of its toggle). */
  detailsShown: boolean;
  /** A line under the name: the email, else the browser. */
  subtitle: string;
}

/**
 * The conversation's header: back to the list (one column layouts), who, the status, the details
 * toggle, then claim, hand over to an agent, resolve or reopen.
 */
export function renderConversationHeader(i18n: I18n, c: SupportConversationDto, options: HeaderOptions, on: ConversationActions) {
  const { t } = i18n;
  const resolved = c.support.status === 'resolved';
  const visitor = c.visitor;
  const agentLabel = (a: (typeof options.agents)[number]) => `${a.name ?? a.id} (${t(AVAILABILITY_LABEL[a.status])})`;
  return html`<header class="conv-header">
    <button class="btn icon back" aria-label=${t('backToList')} @click=${on.back}>${backIcon}</button>
    ${renderAvatar({ ...visitor, id: visitor?.id ?? c.id })}
    <div class="who">
      <div class="who-line">
        <h2 tabindex="-1">${visitorName(i18n, c)}</h2>
        ${renderStatusPill(i18n, c.support.status)}
      </div>
      ${options.subtitle ? html`<span class="sub">${options.subtitle}</span>` : nothing}
    </div>
    <button
      class="btn icon details-toggle"
      aria-label=${t('visitorDetails')}
      aria-controls="details"
      aria-expanded=${options.detailsShown ? 'true' : 'false'}
      @click=${on.toggleDetails}
    >
      ${infoIcon}
    </button>
    <div class="actions" role="group" aria-label=${t('conversationActions')}>
      ${!resolved && options.notMine ? html`<button class="btn primary" @click=${on.claim}>${t('claim')}</button>` : nothing}
      <label class="select assign">
        ${personIcon}
        <span class="sr-only">${t('assignTo')}</span>
        <select @change=${(e: Event) => on.assign((e.target as HTMLSelectElement).value)} .value=${c.support.assigneeId ?? ''}>
          <option value="">${t('unassigned')}</option>
          ${options.agents.map((a) => html`<option value=${a.id} ?selected=${a.id === c.support.assigneeId}>${agentLabel(a)}</option>`)}
        </select>
        ${chevron}
      </label>
      ${
        resolved
          ? html`<button class="btn" @click=${on.reopen}>${t('reopen')}</button>`
          : html`<button class="btn" @click=${on.resolve}>${t('resolve')}</button>`
      }
    </div>
  </header>`;
}

const emptyArt = html`<svg class="art" viewBox="0 0 120 96" aria-hidden="true">
  <rect class="art-back" x="30" y="8" width="78" height="52" rx="14" />
  <path class="art-back" d="M88 58l10 14-2-14z" />
  <rect class="art-front" x="10" y="30" width="76" height="50" rx="14" />
  <path class="art-front" d="M26 78l-8 14 18-14z" />
  <circle class="art-dot" cx="32" cy="55" r="4.5" />
  <circle class="art-dot" cx="48" cy="55" r="4.5" />
  <circle class="art-dot" cx="64" cy="55" r="4.5" />
</svg>`;

/** Nothing selected: a picture, what to do, and how many conversations are open when the list knows. */
export function renderNoSelection(i18n: I18n, openCount: number | null) {
  const { t } = i18n;
  let line = t('selectConversationHint');
  if (openCount === 0) line = t('openConversationsNone');
  else if (openCount === 1) line = t('openConversationsOne');
  else if (openCount !== null) line = t('openConversationsMany', { count: openCount });
  return html`<div class="no-selection">
    ${emptyArt}
    <h2>${t('selectConversation')}</h2>
    <p>${line}</p>
  </div>`;
}

export const icons = { back: backIcon };

const TAB_LABEL = { open: 'filterOpen', mine: 'filterMine', unassigned: 'filterUnassigned', resolved: 'filterResolved' } as const;

/** What the tabs and their list ask of the inbox. */
export interface TabActions {
  tab(tab: InboxTab): unknown;
  /** Arrow keys between the tabs. */
  tabKey(e: KeyboardEvent): void;
  labelFilter(label: string | null): unknown;
  open(c: SupportInboxItemDto): unknown;
  more(): unknown;
}

/** The tabs (open, mine, unassigned, resolved), the label filter and the tab's conversations. */
export function renderConversationTabs(i18n: I18n, s: AgentState, on: TabActions) {
  const { t } = i18n;
  return html`<div class="tabs" role="tablist" aria-label=${t('conversations')}>
      ${TABS.map(
        (tab) =>
          html`<button
            role="tab"
            aria-selected=${tab === s.tab ? 'true' : 'false'}
            tabindex=${tab === s.tab ? 0 : -1}
            data-tab=${tab}
            @click=${() => on.tab(tab)}
            @keydown=${on.tabKey}
          >
            ${t(TAB_LABEL[tab])}
          </button>`,
      )}
    </div>
    ${renderLabelFilter(i18n, s.labels, s.labelFilter, chevron, on.labelFilter)}
    <div class="conversations" role="tabpanel" aria-label=${t(TAB_LABEL[s.tab])}>
      <ul>
        ${s.items.length ? nothing : html`<li class="empty">${t('noConversations')}</li>`}
        ${repeat(
          s.items,
          (c) => c.id,
          (c) => renderInboxItem(i18n, c, s.selected?.id === c.id, () => on.open(c)),
        )}
      </ul>
      ${s.cursor ? html`<button class="btn more" @click=${on.more}>${t('loadMore')}</button>` : nothing}
    </div>`;
}

/** How many conversations are open, when the list shows them all. */
export function openCount(s: AgentState): number | null {
  return s.tab === 'open' && !s.cursor ? s.items.length : null;
}

/** Names the thread shows: the agents', and the visitor's full name (message senders carry only the first). */
export function threadNames(agents: readonly { id: string; name: string | null }[], c: SupportConversationDto): Record<string, string> {
  const names = Object.fromEntries(agents.map((a) => [a.id, a.name ?? '']));
  if (c.visitor) names[c.visitor.id] = fullName(c.visitor);
  return names;
}
