import type { SupportAvailabilityDto, SupportConversationDto, SupportInboxItemDto } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';

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

/** Who the visitor is and where they came from, beside the conversation. */
export function renderDetails(i18n: I18n, c: SupportConversationDto) {
  const { t } = i18n;
  const v = c.support.visitor;
  const rows: [string, string | undefined | null][] = [
    [t('name'), visitorName(i18n, c)],
    [t('email'), c.visitor?.email],
    [t('statusLabel'), t(`status_${c.support.status}`)],
    [t('page'), v.pageUrl],
    [t('referrer'), v.referrer],
    [t('browser'), v.userAgent],
    [t('language'), v.locale],
    [t('firstSeen'), i18n.dateTime(c.createdAt)],
  ];
  return html`<aside class="details" aria-label=${t('visitorDetails')}>
    <h2>${t('visitorDetails')}</h2>
    <dl>
      ${rows
        .filter(([, value]) => value)
        .map(
          ([label, value]) =>
            html`<dt>${label}</dt>
              <dd>${value}</dd>`,
        )}
    </dl>
  </aside>`;
}

const AVAILABILITY_LABEL = { online: 'availabilityOnline', away: 'availabilityAway', offline: 'availabilityOffline' } as const;

/** What the inbox calls the visitor of a conversation. */
export function visitorName(i18n: I18n, c: Pick<SupportInboxItemDto, 'visitor'>): string {
  return c.visitor?.name || c.visitor?.username || i18n.t('visitor');
}

/** One conversation in the list: who, when, the last message, unread count and assignee. */
export function renderInboxItem(i18n: I18n, c: SupportInboxItemDto, current: boolean, onSelect: () => unknown) {
  const { t } = i18n;
  const last = c.lastMessage;
  const preview = last ? (last.deletedAt ? t('deleted') : last.text || (last.attachments.length ? t('attachment') : '')) : '';
  const unread = t('unread', { count: c.unreadCount });
  const assignee = c.assignee ? c.assignee.name || c.assignee.username || '' : null;
  return html`<li>
    <button class="item" aria-current=${current ? 'true' : 'false'} data-id=${c.id} @click=${onSelect}>
      <span class="row">
        <span class="name">${visitorName(i18n, c)}</span>
        ${c.lastMessageAt ? html`<time datetime=${c.lastMessageAt}>${i18n.time(c.lastMessageAt)}</time>` : nothing}
      </span>
      <span class="row">
        <span class="preview">${preview}</span>
        ${c.unreadCount ? html`<span class="unread" aria-label=${unread}>${c.unreadCount}</span>` : nothing}
      </span>
      ${assignee === null ? nothing : html`<span class="assignee">${t('assignedTo', { name: assignee })}</span>`}
    </button>
  </li>`;
}

export interface ConversationActions {
  claim(): unknown;
  assign(agentId: string): unknown;
  resolve(): unknown;
  reopen(): unknown;
}

/** The conversation's toolbar: status, claim, hand over to an agent, resolve or reopen. */
export function renderActions(
  i18n: I18n,
  c: SupportConversationDto,
  agents: SupportAvailabilityDto['agents'],
  notMine: boolean,
  on: ConversationActions,
) {
  const { t } = i18n;
  const resolved = c.support.status === 'resolved';
  const name = visitorName(i18n, c);
  const agentLabel = (a: (typeof agents)[number]) => `${a.name ?? a.id} (${t(AVAILABILITY_LABEL[a.status])})`;
  return html`<div class="actions" role="toolbar" aria-label=${name}>
    <h2>${name}</h2>
    <span class="pill">${t(`status_${c.support.status}`)}</span>
    ${!resolved && notMine ? html`<button class="primary" @click=${on.claim}>${t('claim')}</button>` : nothing}
    <label class="assign">
      ${t('assignTo')}
      <select @change=${(e: Event) => on.assign((e.target as HTMLSelectElement).value)} .value=${c.support.assigneeId ?? ''}>
        <option value="">${t('unassigned')}</option>
        ${agents.map((a) => html`<option value=${a.id} ?selected=${a.id === c.support.assigneeId}>${agentLabel(a)}</option>`)}
      </select>
    </label>
    ${resolved ? html`<button @click=${on.reopen}>${t('reopen')}</button>` : html`<button @click=${on.resolve}>${t('resolve')}</button>`}
  </div>`;
}
