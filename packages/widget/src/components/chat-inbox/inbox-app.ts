import '../conversation-elements.js';

import type { ChatClient, SupportConversationDto, SupportSearchResultDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import { StoreController } from '../../controllers/store-controller.js';
import { INBOX_STRINGS } from '../../i18n/inbox/index.js';
import { type I18n, registerStrings } from '../../i18n/index.js';
import { define } from '../../lib/define.js';
import { Notifier } from '../../lib/notify.js';
import { AgentSession } from './agent-session.js';
import { type AgentState, INITIAL_AGENT } from './agent-state.js';
import { inboxStyles } from './inbox-app.styles.js';
import { renderConversationBody } from './inbox-conversation.js';
import { InboxDeepLink } from './inbox-deep-link.js';
import { InboxInboundMail } from './inbox-inbound-mail.js';
import { InboxLabelSettings } from './inbox-label-settings.js';
import { InboxLabels } from './inbox-labels.js';
import { TABS } from './inbox-list.js';
import { InboxMailSettings } from './inbox-mail-settings.js';
import { InboxMails, renderMails } from './inbox-mails.js';
import { InboxNavigation, type InboxView } from './inbox-navigation.js';
import { InboxNote, noteStyles, renderMentionNotice } from './inbox-notes.js';
import { type InboxPage, pageStyles, renderPage, renderPageRail } from './inbox-pages.js';
import { InboxSearch, renderSearchBox, renderSearchResults, searchStyles } from './inbox-search.js';
import { InboxSettings } from './inbox-settings.js';
import { InboxStorageSettings } from './inbox-storage-settings.js';
import { chevron, openCount, renderConversationHeader, renderConversationTabs, renderNoSelection, renderSignIn } from './inbox-views.js';
import { browserOf, renderDetails } from './visitor-details.js';

/** The inbox itself (loaded on demand by `<chat-inbox>`): renders the `AgentSession` and routes the agent's actions to it. */
export class InboxApp extends LitElement {
  static override styles = [inboxStyles, searchStyles, pageStyles, noteStyles];

  @property({ attribute: false }) server = '';
  @property({ attribute: false }) app = '';
  @property({ attribute: false }) userToken: string | null = null;
  @property({ attribute: false }) i18n!: I18n;

  @state() private session: AgentSession | null = null;
  /** Conversations, reports or settings (inbox-pages.ts); the selected conversation stays while away from it. */
  @state() private page: InboxPage = 'conversations';
  private readonly agent = new StoreController<AgentState>(this, INITIAL_AGENT);
  private readonly nav = new InboxNavigation(this, (from, to) => this.onNavigate(from, to));
  /** The search box and its results, in the list's place while it has text (inbox-search.ts). */
  private readonly search = new InboxSearch(this, () => this.session?.client ?? null);
  /** `#conversation=<id>` in the address (notification mails' links) opens that conversation. */
  protected readonly deepLink = new InboxDeepLink(
    this,
    () => this.client,
    () => this.agent.value.phase === 'ready',
    (c) => this.open(c),
  );
  private notifier: Notifier | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  /** The conversation the agent went back from: the browser's forward button opens it again. */
  private closed: SupportConversationDto | null = null;

  /** The SDK client of this inbox (tests read whether it talks for the browser's tabs). */
  get client(): ChatClient | null {
    return this.session?.client ?? null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.notifier = new Notifier((count) => this.i18n.t('newMessageTitle', { count }));
    // The visitor's local time in the details moves on.
    this.clock = setInterval(() => {
      if (this.agent.value.selected) this.requestUpdate();
    }, 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.clock) clearInterval(this.clock);
    this.session?.dispose();
    this.session = null;
    this.agent.use(null);
    this.notifier?.dispose();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('server') || changed.has('app') || changed.has('userToken')) && this.app && this.server) {
      this.session?.dispose();
      const session = new AgentSession(
        { server: this.server, app: this.app, userToken: this.userToken },
        { newConversation: () => this.notifier?.notify({ sound: true }), mentioned: () => this.notifier?.notify({ sound: true }) },
      );
      this.session = session;
      this.agent.use(session.state);
      this.nav.reset();
      void session.start();
    }
  }

  /** Signs the agent out of every inbox tab of this browser (ends the session on the server). */
  async logout(): Promise<void> {
    await this.session?.signOut();
  }

  protected override render() {
    const { t } = this.i18n;
    const s = this.agent.value;
    if (s.phase === 'starting') return html`<div class="status" role="status">${t('loading')}</div>`;
    if (s.phase === 'signin') {
      const notice = s.notice === 'elsewhere' ? t('signedOutElsewhere') : s.notice === 'ended' ? t('agentSessionEnded') : '';
      const error = s.signInError === 'not-agent' ? t('notAgent') : (s.signInError ?? '');
      return renderSignIn(this.i18n, notice, error, (e) => void this.signIn(e));
    }
    const reconnecting = s.connection === 'offline' || s.connection === 'connecting';
    const conversations = this.page === 'conversations';
    const view: InboxView = s.selected && conversations ? this.nav.view : 'list';
    return html`<div class="shell" data-size=${this.nav.size} data-view=${view}>
      ${
        reconnecting
          ? html`<div class="banner" role="status"><span class="spinner" aria-hidden="true"></span>${t('reconnecting')}</div>`
          : nothing
      }
      ${s.actionError ? html`<p class="error" role="alert">${t('errorGeneric', { message: s.actionError })}</p>` : nothing}
      ${s.mention ? this.renderMention(s.mention) : nothing}
      <div class="frame">
        ${renderPageRail(this.i18n, this.page, (page) => void this.setPage(page))}
        ${
          conversations
            ? this.renderConversations(s)
            : html`<main class="page">
                ${renderPage(this.page, this.i18n, this.session?.client ?? null, s, this.session?.labels.actions ?? null)}
              </main>`
        }
      </div>
    </div>`;
  }

  private renderConversations(s: AgentState) {
    const details = s.selected !== null && this.nav.detailsShown;
    return html`<div class="layout ${details ? 'with-details' : ''}">
      ${this.renderList(s)}
      <main class="conversation">${s.selected ? this.renderConversation(s, s.selected) : renderNoSelection(this.i18n, openCount(s))}</main>
      ${s.selected && details ? this.renderDetailsPane(s, s.selected) : nothing}
    </div>`;
  }

  /** Shows another page; focus follows to its heading (or back to the list). */
  private async setPage(page: InboxPage): Promise<void> {
    if (page === this.page) return;
    loadPage(page);
    this.page = page;
    await this.focusOn(page === 'conversations' ? '[role=tab][aria-selected=true]' : `button[data-page=${page}]`);
  }

  private renderList(s: AgentState) {
    const { t } = this.i18n;
    const availability = this.session!.myAvailability();
    return html`<nav class="list" aria-label=${t('conversations')}>
      <div class="toolbar">
        <h2 class="title">${t('inbox')}</h2>
        <label class="select availability" data-status=${availability}>
          <span class="dot" aria-hidden="true"></span>
          <span class="sr-only">${t('availability')}</span>
          <select @change=${this.setAvailability} .value=${availability}>
            <option value="online">${t('availabilityOnline')}</option>
            <option value="away">${t('availabilityAway')}</option>
          </select>
          ${chevron}
        </label>
        <button class="btn link" @click=${() => this.session?.signOut()}>${t('signOut')}</button>
      </div>
      ${renderSearchBox(this.i18n, this.search)}
      ${
        this.search.active
          ? renderSearchResults(this.i18n, this.search, s.selected?.id ?? null, this.openResult)
          : renderConversationTabs(this.i18n, s, {
              tab: (tab) => this.session?.setTab(tab),
              tabKey: this.onTabKey,
              labelFilter: (label) => this.session?.setLabelFilter(label),
              open: (c) => this.open(c),
              more: () => this.session?.loadMore(),
            })
      }
    </nav>`;
  }

  private renderConversation(s: AgentState, c: SupportConversationDto) {
    const session = this.session!;
    const agents = s.availability?.agents ?? [];
    const header = renderConversationHeader(
      this.i18n,
      c,
      {
        agents,
        notMine: c.support.assigneeId !== s.me?.id,
        detailsShown: this.nav.detailsShown,
        subtitle: c.visitor?.email || browserOf(this.i18n, c) || '',
      },
      {
        back: () => this.nav.back(),
        toggleDetails: () => this.toggleDetails(),
        claim: () => session.claim(c),
        assign: (agentId) => session.assign(c, agentId),
        resolve: () => session.resolve(c),
        reopen: () => session.reopen(c),
      },
    );
    return html`${header}${renderConversationBody(this.i18n, s, c, session)}`;
  }

  /** A colleague's note mentioned the agent: open its conversation, or dismiss. */
  private renderMention(mention: NonNullable<AgentState['mention']>) {
    const notes = this.session!.notes;
    return renderMentionNotice(
      this.i18n,
      mention,
      () => void this.open(mention.conversation),
      () => notes.dismissMention(),
    );
  }

  private renderDetailsPane(s: AgentState, c: SupportConversationDto) {
    const { t } = this.i18n;
    const size = this.nav.size;
    const close =
      size === 'narrow'
        ? { kind: 'back' as const, label: t('backToConversation'), onClick: () => this.nav.back() }
        : size === 'medium'
          ? { kind: 'close' as const, label: t('closeDetails'), onClick: () => this.closeDetails() }
          : null;
    const extra = renderMails(this.i18n, this.client, c);
    return html`<div class="details-pane" @keydown=${this.onDetailsKey}>
      ${renderDetails(this.i18n, c, { previous: s.previous, close, open: (p) => this.open(p), extra })}
    </div>`;
  }

  private async signIn(e: Event): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    await this.session?.signIn(String(data.get('username')), String(data.get('password')));
  }

  /** Opens a conversation; in the one-column layout it replaces the list (and back returns). */
  private async open(c: SupportConversationDto): Promise<void> {
    const narrow = this.nav.size === 'narrow';
    if (narrow && this.nav.view === 'details') {
      // One of the visitor's earlier conversations: back to the conversation column, showing that one.
      this.nav.back();
      await this.session?.select(c);
      return;
    }
    this.nav.open('conversation');
    const selecting = this.session?.select(c);
    if (narrow) await this.focusOn('.conv-header h2');
    await selecting;
  }

  private readonly openResult = (result: SupportSearchResultDto) => this.openAt(result);

  /** Opens a search result at its match: the conversation, scrolled to the message and highlighted. */
  private async openAt(result: SupportSearchResultDto): Promise<void> {
    await this.open(result.conversation);
    if (!result.message) return;
    await this.updateComplete;
    await this.renderRoot.querySelector('confab-thread')?.revealMessage(result.message.id);
  }

  private toggleDetails(): void {
    const opening = !this.nav.detailsShown;
    this.nav.open('details');
    if (opening) void this.focusOn('#details-title');
  }

  private closeDetails(): void {
    this.nav.closeDetails();
    void this.focusOn('.details-toggle');
  }

  private onDetailsKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.nav.size === 'medium') {
      e.stopPropagation();
      this.closeDetails();
    }
  }

  /** Back or forward between the columns: the list lets the conversation go; forward opens it again. */
  private onNavigate(from: InboxView, to: InboxView): void {
    const session = this.session;
    if (!session) return;
    if (to === 'list') {
      const selected = session.state.get().selected;
      this.closed = selected;
      session.deselect();
      void this.focusOn(selected ? `button.item[data-id="${CSS.escape(selected.id)}"]` : '[role=tab][aria-selected=true]');
    } else if (to === 'conversation' && from === 'details') {
      void this.focusOn('.details-toggle');
    } else if (to === 'conversation' && this.closed) {
      void session.select(this.closed);
      void this.focusOn('.conv-header h2');
    } else if (to === 'details') {
      void this.focusOn('#details-title');
    }
  }

  private async focusOn(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private readonly onTabKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const tab = this.agent.value.tab;
    const next = TABS[(TABS.indexOf(tab) + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    if (!next) return;
    void this.session?.setTab(next);
    void this.focusOn(`[data-tab=${next}]`);
  };

  private setAvailability(e: Event): void {
    void this.session?.setAvailability((e.target as HTMLSelectElement).value as 'online' | 'away');
  }
}

let reports: Promise<void> | null = null;

/** Reports (its chart, table and CSV) load the first time they are opened; the other pages come with the inbox. */
function loadPage(page: InboxPage): void {
  if (page === 'reports') reports ??= import('./inbox-reports.js').then(({ InboxReports }) => define('confab-inbox-reports', InboxReports));
}

registerStrings(INBOX_STRINGS);
// The inbox's elements are defined here, in the one inbox module marked as having side effects.
define('confab-inbox-labels', InboxLabels);
define('confab-inbox-note', InboxNote);
define('confab-inbox-label-settings', InboxLabelSettings);
define('confab-inbox-settings', InboxSettings);
define('confab-inbox-mails', InboxMails);
define('confab-inbox-mail-settings', InboxMailSettings);
define('confab-inbox-inbound-mail', InboxInboundMail);
define('confab-inbox-storage-settings', InboxStorageSettings);
define('confab-inbox-app', InboxApp);

declare global {
  interface HTMLElementTagNameMap {
    'confab-inbox-app': InboxApp;
  }
}
