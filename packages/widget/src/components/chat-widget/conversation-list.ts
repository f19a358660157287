import type { AgentStatusDto, MessageDto } from '@confab/sdk';
import { html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import type { I18n, Locale } from '../../i18n/index.js';
import { renderAvatar } from '../../lib/avatar.js';
import { moveFocus } from '../../lib/list-keys.js';
import { systemText } from '../chat-thread/message-text.js';
import { conversationListStyles } from './conversation-list.styles.js';
import type { ConversationSummary } from './visitor-state.js';

const penIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M4 20h4L19 9l-4-4L4 16v4zm13.6-14.6 1.4-1.4a1.4 1.4 0 0 1 2 0l0 0a1.4 1.4 0 0 1 0 2l-1.4 1.4z" />
</svg>`;

const shortDates = new Map<Locale, Intl.DateTimeFormat>();

/**
 * The visitor's support conversations (`<confab-conversation-list>`, inside `<chat-widget>`): open
 * ones first, then resolved, each with who answers, the last message, its time, what is unread and
 * its status; and a button that starts a new one. Arrow keys move between conversations.
 *
 * @csspart conversations - the list
 * @csspart conversation - one conversation's button
 * @csspart new-conversation - the button that starts a new conversation
 */
export class ConversationList extends LitElement {
  static override styles = conversationListStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) conversations: readonly ConversationSummary[] = [];
  /** The team (from the support settings), to name and picture who answers each conversation. */
  @property({ attribute: false }) agents: readonly AgentStatusDto[] = [];
  @property({ attribute: false }) me: string | null = null;
  /** The visitor's full name, shown under the heading. */
  @property({ attribute: false }) visitorName: string | null = null;
  /** Who answers a conversation nobody has taken yet (the widget's title). */
  @property({ attribute: false }) team = '';
  @property({ attribute: false }) onOpen: ((id: string) => void) | null = null;
  @property({ attribute: false }) onNew: (() => void) | null = null;

  /** Focuses a conversation's row (the first without an id), else the new-conversation button. */
  focusRow(id?: string | null): void {
    void this.updateComplete.then(() => {
      const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('button.row')];
      (rows.find((r) => r.dataset.id === id) ?? rows[0] ?? this.renderRoot.querySelector<HTMLElement>('button.new'))?.focus();
    });
  }

  protected override render() {
    const { t } = this.i18n;
    return html`<div class="scroll">
        <h3 id="heading">${t('yourConversations')}</h3>
        ${this.visitorName ? html`<p class="who-am-i">${t('chattingAs', { name: this.visitorName })}</p>` : nothing}
        <ul part="conversations" aria-labelledby="heading" @keydown=${this.onKey}>
          ${repeat(
            this.conversations,
            (c) => c.id,
            (c) => html`<li>${this.renderRow(c)}</li>`,
          )}
        </ul>
      </div>
      <div class="actions">
        <button class="primary new" part="new-conversation" @click=${() => this.onNew?.()}>${penIcon}${t('newConversation')}</button>
      </div>`;
  }

  private renderRow(c: ConversationSummary) {
    const { t } = this.i18n;
    const agent = c.assigneeId ? this.agents.find((a) => a.id === c.assigneeId) : undefined;
    const who = agent?.name || this.team || t('supportTeam');
    return html`<button class="row" part="conversation" data-id=${c.id} data-status=${c.status} @click=${() => this.onOpen?.(c.id)}>
      ${renderAvatar(agent ?? { id: 'team', name: who })}
      <span class="main">
        <span class="line">
          <span class="name">${who}</span>
          <span class=${`status ${c.status}`}>${t(`status_${c.status}`)}</span>
          <time datetime=${c.at}>${this.when(c.at)}</time>
        </span>
        <span class="line">
          <span class=${`excerpt ${c.unread ? 'strong' : ''}`}>${this.excerpt(c.lastMessage)}</span>
          ${
            c.unread
              ? html`<span class="unread"
                  ><span aria-hidden="true">${c.unread > 99 ? '99+' : c.unread}</span
                  ><span class="sr-only">${t('unread', { count: c.unread })}</span></span
                >`
              : nothing
          }
        </span>
      </span>
    </button>`;
  }

  /** One line of the last message: yours start with "You:", files and system notes in words. */
  private excerpt(m: MessageDto | null): string {
    const { t } = this.i18n;
    if (!m) return t('conversationEmpty');
    if (m.deletedAt) return t('deleted');
    if (m.type === 'system') {
      const names = Object.fromEntries(this.agents.map((a) => [a.id, a.name ?? '']));
      return systemText({ i18n: this.i18n, names, messages: [] }, { ...m, status: 'sent' });
    }
    const text = m.text.trim() || t('attachment');
    return m.senderId && m.senderId === this.me ? `${t('you')}: ${text}` : text;
  }

  /** The time today, else a short date. */
  private when(iso: string): string {
    const date = new Date(iso);
    if (date.toDateString() === new Date().toDateString()) return this.i18n.time(iso);
    const locale = this.i18n.locale;
    let format = shortDates.get(locale);
    if (!format) shortDates.set(locale, (format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' })));
    return format.format(date);
  }

  private onKey(e: KeyboardEvent): void {
    moveFocus(e, e.currentTarget as HTMLElement, 'button.row');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'confab-conversation-list': ConversationList;
  }
}
