import '../conversation-elements.js';

import {
  type AttachmentDto,
  type CannedResponseDto,
  type ChatClient,
  type ChatError,
  createClient,
  type Room,
  type SupportAvailabilityDto,
  type SupportConversationDto,
  type SupportInboxItemDto,
  type UserDto,
} from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import type { I18n } from '../../i18n/index.js';
import { define } from '../../lib/define.js';
import { Notifier } from '../../lib/notify.js';
import { VisitStorage } from '../../lib/storage.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import { inboxStyles } from './inbox-app.styles.js';
import { applyChange, filterOf, type InboxTab, TABS } from './inbox-list.js';
import { renderActions, renderDetails, renderInboxItem, renderSignIn } from './inbox-views.js';

const TAB_LABEL = { open: 'filterOpen', mine: 'filterMine', unassigned: 'filterUnassigned', resolved: 'filterResolved' } as const;

/** The inbox itself (loaded on demand by `<chat-inbox>`). */
export class InboxApp extends LitElement {
  static override styles = inboxStyles;

  @property({ attribute: false }) server = '';
  @property({ attribute: false }) app = '';
  @property({ attribute: false }) userToken: string | null = null;
  @property({ attribute: false }) i18n!: I18n;

  @state() private phase: 'starting' | 'signin' | 'ready' = 'starting';
  @state() private me: UserDto | null = null;
  @state() private signInError = '';
  /** Why the agent is back at the sign-in form (session ended, signed out in another tab). */
  @state() private signInNotice = '';
  @state() private tab: InboxTab = 'open';
  @state() private items: SupportInboxItemDto[] = [];
  @state() private cursor: string | null = null;
  @state() private selected: SupportConversationDto | null = null;
  @state() private room: Room | null = null;
  @state() private availability: SupportAvailabilityDto | null = null;
  @state() private canned: CannedResponseDto[] = [];
  @state() private connection = 'idle';
  /** The connection came up while the list was loading: the page it got may predate live events. */
  private listStale = false;
  @state() private actionError = '';

  private client: ChatClient | null = null;
  private starting: Promise<void> | null = null;
  private storage: VisitStorage | null = null;
  private offs: (() => void)[] = [];
  private notifier: Notifier | null = null;
  private known = new Set<string>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.notifier = new Notifier((count) => this.i18n.t('newMessageTitle', { count }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
    this.notifier?.dispose();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('server') || changed.has('app') || changed.has('userToken')) && this.app && this.server) this.starting = this.start();
  }

  private async start(): Promise<void> {
    this.teardown();
    this.storage = VisitStorage.for(this.server, this.app, 'inbox');
    this.storage.migrateSession();
    // Every inbox tab of this browser shares the agent's session (and one connection).
    const client = (this.client = createClient({ url: this.server, app: this.app, storageKey: this.storage.sessionKey }));
    this.offs = [
      client.on('connection:changed', (status) => {
        // Up (first time, or back after a drop): conversations that started or changed while no
        // connection listened were missed live. The list catches up like a room does.
        const up = status === 'online' && this.connection !== 'online';
        this.connection = status;
        if (!up) return;
        if (this.phase === 'ready') void this.load().catch(() => undefined);
        else this.listStale = true;
      }),
      client.on('session:changed', (session, fromOtherTab) => {
        // Signed in from another inbox tab: this one follows.
        if (session && fromOtherTab && this.phase === 'signin') void this.resumeStored().catch(() => undefined);
      }),
      client.on('session:ended', ({ reason }) => {
        if (reason === 'logout') return;
        this.leave(this.i18n.t(reason === 'logout-elsewhere' ? 'signedOutElsewhere' : 'agentSessionEnded'));
      }),
      client.on('support:conversation', (c) => this.onConversation(c)),
      client.on('support:availability', (a) => {
        this.availability = a;
      }),
    ];
    this.phase = 'starting';
    try {
      if (this.userToken) await this.enter(await client.connectUser(this.userTokenProvider));
      else if (!(await this.resumeStored())) this.phase = 'signin';
    } catch (err) {
      this.leave((err as ChatError).status === 401 ? this.i18n.t('agentSessionEnded') : '');
    }
  }

  private readonly userTokenProvider = async () => this.userToken ?? '';

  /** Goes on with the session stored by an earlier page or another tab; false when there is none. */
  private async resumeStored(): Promise<boolean> {
    const user = await this.client!.resume();
    if (!user) return false;
    await this.enter(user);
    return true;
  }

  /** Signs the agent out of every inbox tab of this browser (ends the session on the server). */
  async logout(): Promise<void> {
    await this.starting;
    await this.signOut();
  }

  private teardown(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.client?.close();
    this.client = null;
  }

  private async enter(user: UserDto): Promise<void> {
    const client = this.client!;
    if (user.role !== 'agent' && user.role !== 'admin') {
      await client.logout();
      this.storage?.clear();
      this.signInError = this.i18n.t('notAgent');
      this.phase = 'signin';
      return;
    }
    this.me = user;
    this.listStale = false;
    await this.load();
    if (this.listStale) await this.load();
    this.phase = 'ready';
    client.support.settings().then(
      (s) => (this.availability = s),
      () => undefined,
    );
    client.support.canned.list().then(
      (page) => (this.canned = page.items),
      () => undefined,
    );
  }

  private async load(more = false): Promise<void> {
    const page = await this.client!.support.inbox({
      ...filterOf(this.tab),
      cursor: more ? (this.cursor ?? undefined) : undefined,
      limit: 30,
    });
    this.items = more ? [...this.items, ...page.items] : page.items;
    this.cursor = page.hasMore ? (page.nextCursor ?? null) : null;
    for (const item of page.items) this.known.add(item.id);
  }

  protected override render() {
    const { t } = this.i18n;
    if (this.phase === 'starting') return html`<div class="status" role="status">${t('loading')}</div>`;
    if (this.phase === 'signin') {
      // The form does not wait: signIn shows its own failure in the form.
      return renderSignIn(this.i18n, this.signInNotice, this.signInError, (e) => void this.signIn(e));
    }
    const reconnecting = this.connection === 'offline' || this.connection === 'connecting';
    return html`<div class="layout">
      <nav class="list" aria-label=${t('conversations')}>
        <div class="toolbar">
          <strong>${t('inbox')}</strong>
          <label class="availability">
            <span class="sr-only">${t('availability')}</span>
            <select @change=${this.setAvailability} .value=${this.myAvailability()}>
              <option value="online">${t('availabilityOnline')}</option>
              <option value="away">${t('availabilityAway')}</option>
            </select>
          </label>
          <button class="link" @click=${this.signOut}>${t('signOut')}</button>
        </div>
        ${reconnecting ? html`<div class="banner" role="status">${t('reconnecting')}</div>` : nothing}
        <div class="tabs" role="tablist" aria-label=${t('conversations')}>
          ${TABS.map(
            (tab) =>
              html`<button
                role="tab"
                aria-selected=${tab === this.tab ? 'true' : 'false'}
                tabindex=${tab === this.tab ? 0 : -1}
                data-tab=${tab}
                @click=${() => this.setTab(tab)}
                @keydown=${this.onTabKey}
              >
                ${t(TAB_LABEL[tab])}
              </button>`,
          )}
        </div>
        <div class="conversations" role="tabpanel" aria-label=${t(TAB_LABEL[this.tab])}>
          <ul>
            ${this.items.length ? nothing : html`<li class="empty">${t('noConversations')}</li>`}
            ${repeat(
              this.items,
              (c) => c.id,
              (c) => renderInboxItem(this.i18n, c, this.selected?.id === c.id, () => this.select(c)),
            )}
          </ul>
        </div>
        ${this.cursor ? html`<button class="more" @click=${() => this.load(true)}>${t('loadMore')}</button>` : nothing}
      </nav>
      <main class="conversation">
        ${this.selected ? this.renderConversation(this.selected) : html`<p class="status">${t('selectConversation')}</p>`}
      </main>
      ${this.selected ? renderDetails(this.i18n, this.selected) : nothing}
    </div>`;
  }

  private renderConversation(c: SupportConversationDto) {
    const agents = this.availability?.agents ?? [];
    const support = this.client!.support;
    return html`${renderActions(this.i18n, c, agents, c.support.assigneeId !== this.me?.id, {
        claim: () => this.act(() => support.assign(c.id)),
        assign: (agentId) => this.assign(c, agentId),
        resolve: () => this.act(() => support.resolve(c.id)),
        reopen: () => this.act(() => support.reopen(c.id)),
      })}
      ${this.actionError ? html`<p class="error" role="alert">${this.actionError}</p>` : nothing}
      <confab-thread
        exportparts="messages, message, composer, input, send-button"
        agent
        .i18n=${this.i18n}
        .room=${this.room}
        .me=${this.me?.id ?? null}
        .canned=${this.canned}
        .names=${Object.fromEntries(agents.map((a) => [a.id, a.name ?? '']))}
        .send=${(input: ComposerSubmit) => this.room!.send(input.text, { attachments: input.attachments.map((a) => a.id) })}
        .upload=${(file: File, progress: (f: number) => void) =>
          this.client!.uploads.upload(file, file.name, { onProgress: (sent, total) => progress(total ? sent / total : 0) })}
        .resolveSrc=${(a: AttachmentDto) => this.client!.uploads.src(a)}
        active
      ></confab-thread>`;
  }

  private async signIn(e: Event): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    this.signInError = '';
    this.signInNotice = '';
    try {
      await this.enter(await this.client!.login({ username: String(data.get('username')), password: String(data.get('password')) }));
    } catch (err) {
      this.signInError = (err as Error).message;
    }
  }

  private async signOut(): Promise<void> {
    await this.client?.logout().catch(() => undefined);
    this.storage?.clear();
    this.leave('');
  }

  /** Back to the sign-in form, saying why when the session ended by itself. */
  private leave(notice: string): void {
    this.room?.unwatch().catch(() => undefined);
    this.me = null;
    this.selected = null;
    this.room = null;
    this.items = [];
    this.signInNotice = notice;
    this.phase = 'signin';
  }

  private async setTab(tab: InboxTab): Promise<void> {
    this.tab = tab;
    await this.load().catch((err: Error) => (this.actionError = err.message));
  }

  private onTabKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next = TABS[(TABS.indexOf(this.tab) + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    if (!next) return;
    void this.setTab(next).then(async () => {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[data-tab=${next}]`)?.focus();
    });
  }

  private async select(c: SupportConversationDto): Promise<void> {
    if (this.room && this.room.id !== c.id) void this.room.unwatch();
    this.selected = c;
    this.actionError = '';
    this.items = this.items.map((i) => (i.id === c.id ? { ...i, unreadCount: 0 } : i));
    const room = this.client!.room(c.id);
    this.room = room;
    await room.watch().catch((err: Error) => (this.actionError = err.message));
  }

  private assign(c: SupportConversationDto, agentId: string): void {
    void this.act(() => this.client!.support.assign(c.id, agentId || null));
  }

  private async act(action: () => Promise<SupportConversationDto>): Promise<void> {
    this.actionError = '';
    try {
      this.onConversation(await action());
    } catch (err) {
      this.actionError = this.i18n.t('errorGeneric', { message: (err as Error).message });
    }
  }

  private async setAvailability(e: Event): Promise<void> {
    const value = (e.target as HTMLSelectElement).value as 'online' | 'away';
    this.availability = await this.client!.support.setAvailability(value).catch(() => this.availability);
  }

  private myAvailability(): string {
    return this.availability?.agents.find((a) => a.id === this.me?.id)?.status === 'away' ? 'away' : 'online';
  }

  private onConversation(c: SupportConversationDto): void {
    if (!this.me) return;
    const isNew = !this.known.has(c.id);
    this.known.add(c.id);
    this.items = applyChange(this.items, c, this.tab, this.me.id, this.selected?.id ?? null);
    if (this.selected?.id === c.id) this.selected = { ...this.selected, ...c };
    // One tab of the browser chimes for all.
    if (isNew && c.support.status === 'open' && this.client?.primaryTab) this.notifier?.notify({ sound: true });
  }
}

define('confab-inbox-app', InboxApp);

declare global {
  interface HTMLElementTagNameMap {
    'confab-inbox-app': InboxApp;
  }
}
