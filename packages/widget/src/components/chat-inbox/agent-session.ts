import {
  type ChatClient,
  createClient,
  createStore,
  type Store,
  type SupportConversationDto,
  type SupportMentionEvent,
  type UserDto,
} from '@confab/sdk';

import { asChatError } from '../../lib/chat-error.js';
import { VisitStorage } from '../../lib/storage.js';
import { AgentLabels } from './agent-labels.js';
import { AgentNotes } from './agent-notes.js';
import { type AgentState, INITIAL_AGENT, type SignInNotice } from './agent-state.js';
import { matchesLabel } from './inbox-label-state.js';
import { applyChange, filterOf, type InboxTab } from './inbox-list.js';

export interface AgentOptions {
  server: string;
  app: string;
  /** A token the host's backend signed for the agent: signs in without the password form. */
  userToken: string | null;
}

export interface AgentHooks {
  /** A conversation the inbox had not seen opened: chime (this is the one tab of the browser that does). */
  newConversation(conversation: SupportConversationDto): void;
  /** A colleague's note `@mentions` the agent. */
  mentioned?(event: SupportMentionEvent): void;
}

const PAGE = 30;

/**
 * The agent's side of `<chat-inbox>`: the SDK client, whose session every inbox tab of this
 * browser shares, the list of the current tab kept live, the selected conversation, availability
 * and saved replies. The element renders `state` and calls the actions.
 */
export class AgentSession {
  readonly client: ChatClient;
  readonly state: Store<AgentState> = createStore<AgentState>(INITIAL_AGENT);
  /** The selected conversation's private notes and the agent's mentions (agent-notes.ts). */
  readonly notes: AgentNotes;
  /** The app's labels (agent-labels.ts); `labels.actions` serve the Settings page. */
  readonly labels: AgentLabels;
  private readonly storage: VisitStorage;
  private readonly offs: (() => void)[];
  private starting: Promise<void> | null = null;
  /** The connection came up while the list was loading: the page it got may predate live events. */
  private listStale = false;
  private readonly known = new Set<string>();
  private readonly userTokenProvider = async () => this.options.userToken ?? '';

  constructor(
    private readonly options: AgentOptions,
    private readonly hooks: AgentHooks,
  ) {
    this.storage = VisitStorage.for(options.server, options.app, 'inbox');
    this.storage.migrateSession();
    this.client = createClient({ url: options.server, app: options.app, storageKey: this.storage.sessionKey });
    const client = this.client;
    this.notes = new AgentNotes(client, this.state, (event) => hooks.mentioned?.(event));
    this.labels = new AgentLabels(client, this.state, () => void this.load().catch(() => undefined));
    this.offs = [
      ...this.notes.listen(),
      ...this.labels.listen(),
      client.on('connection:changed', (connection) => {
        // Up (first time, or back after a drop): conversations that started or changed while no
        // connection listened were missed live. The list catches up like a room does.
        const up = connection === 'online' && this.get().connection !== 'online';
        this.set({ connection });
        if (!up) return;
        const selected = this.get().selected;
        if (selected) void this.notes.load(selected).catch(() => undefined);
        if (this.get().phase === 'ready') {
          void this.load().catch(() => undefined);
          this.labels.load();
        } else this.listStale = true;
      }),
      client.on('session:changed', (session, fromOtherTab) => {
        // Signed in from another inbox tab: this one follows.
        if (session && fromOtherTab && this.get().phase === 'signin') void this.resumeStored().catch(() => undefined);
      }),
      client.on('session:ended', ({ reason }) => {
        if (reason !== 'logout') this.leave(reason === 'logout-elsewhere' ? 'elsewhere' : 'ended');
      }),
      client.on('support:conversation', (c) => this.onConversation(c)),
      client.on('support:availability', (availability) => this.set({ availability })),
    ];
  }

  private get(): AgentState {
    return this.state.get();
  }

  private set(patch: Partial<AgentState>): void {
    this.state.set((s) => ({ ...s, ...patch }));
  }

  /** Signs in with the host's token, or goes on with a stored session, or asks for the password. */
  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    this.set({ phase: 'starting' });
    try {
      if (this.options.userToken) await this.enter(await this.client.connectUser(this.userTokenProvider));
      else if (!(await this.resumeStored())) this.set({ phase: 'signin' });
    } catch (err) {
      this.leave(asChatError(err).status === 401 ? 'ended' : null);
    }
  }

  /** Goes on with the session stored by an earlier page or another tab; false when there is none. */
  private async resumeStored(): Promise<boolean> {
    const user = await this.client.resume();
    if (!user) return false;
    await this.enter(user);
    return true;
  }

  async signIn(username: string, password: string): Promise<void> {
    this.set({ signInError: null, notice: null });
    try {
      await this.enter(await this.client.login({ username, password }));
    } catch (err) {
      this.set({ signInError: asChatError(err).message });
    }
  }

  /** Signs the agent out of every inbox tab of this browser (ends the session on the server). */
  async signOut(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.client.logout().catch(() => undefined);
    this.storage.clear();
    this.leave(null);
  }

  dispose(): void {
    this.get()
      .room?.unwatch()
      .catch(() => undefined);
    for (const off of this.offs) off();
    this.client.close();
  }

  private async enter(user: UserDto): Promise<void> {
    if (user.role !== 'agent' && user.role !== 'admin') {
      await this.client.logout();
      this.storage.clear();
      this.set({ phase: 'signin', signInError: 'not-agent' });
      return;
    }
    this.set({ me: user });
    this.listStale = false;
    await this.load();
    if (this.listStale) await this.load();
    this.set({ phase: 'ready' });
    const support = this.client.support;
    // Availability and saved replies are extras: the inbox works without them.
    support.settings().then(
      (availability) => this.set({ availability }),
      () => undefined,
    );
    support.canned.list().then(
      (page) => this.set({ canned: page.items }),
      () => undefined,
    );
    this.labels.load();
  }

  /** Back to the sign-in form, saying why when the session ended by itself. */
  private leave(notice: SignInNotice): void {
    this.get()
      .room?.unwatch()
      .catch(() => undefined);
    this.set({ phase: 'signin', notice, me: null, selected: null, room: null, previous: null, items: [], cursor: null });
    this.notes.reset();
  }

  private async load(more = false): Promise<void> {
    const { tab, cursor, labelFilter } = this.get();
    const query = { ...filterOf(tab), label: labelFilter ?? undefined, cursor: more ? (cursor ?? undefined) : undefined, limit: PAGE };
    const page = await this.client.support.inbox(query);
    if (this.get().tab !== tab || this.get().labelFilter !== labelFilter) return; // the agent moved on meanwhile
    for (const item of page.items) this.known.add(item.id);
    this.set({
      items: more ? [...this.get().items, ...page.items] : page.items,
      cursor: page.hasMore ? (page.nextCursor ?? null) : null,
    });
  }

  /** The next page of the current tab. */
  loadMore(): Promise<void> {
    return this.load(true).catch((err) => this.set({ actionError: asChatError(err).message }));
  }

  async setTab(tab: InboxTab): Promise<void> {
    this.set({ tab, actionError: null });
    await this.load().catch((err) => this.set({ actionError: asChatError(err).message }));
  }

  /** Shows only the conversations carrying `label` (null: all of the tab). */
  async setLabelFilter(label: string | null): Promise<void> {
    this.set({ labelFilter: label, actionError: null });
    await this.load().catch((err) => this.set({ actionError: asChatError(err).message }));
  }

  /** Puts a label on the conversation, or takes it off. */
  toggleLabel(c: SupportConversationDto, labelId: string, on: boolean): Promise<void> {
    const support = this.client.support;
    return this.act(() => (on ? support.addLabel(c.id, labelId) : support.removeLabel(c.id, labelId)));
  }

  /** Creates a label (the next palette colour) and puts it on the conversation. */
  createLabel(c: SupportConversationDto, name: string): Promise<void> {
    return this.act(() => this.labels.createOn(c, name));
  }

  /** Opens a conversation (from the list, or from the visitor's earlier ones). */
  async select(c: SupportConversationDto): Promise<void> {
    const { room: current, selected } = this.get();
    if (current && current.id !== c.id) void current.unwatch().catch(() => undefined);
    const room = current?.id === c.id ? current : this.client.room(c.id);
    this.set({
      selected: c,
      room,
      actionError: null,
      previous: selected && visitorOf(selected) === visitorOf(c) ? this.get().previous : null,
      items: this.get().items.map((i) => (i.id === c.id ? { ...i, unreadCount: 0 } : i)),
      notes: selected?.id === c.id ? this.get().notes : [],
      mention: this.get().mention?.conversation.id === c.id ? null : this.get().mention,
    });
    void this.loadPrevious(c);
    void this.notes.load(c).catch((err) => this.set({ actionError: asChatError(err).message }));
    await room.watch().catch((err) => this.set({ actionError: asChatError(err).message }));
  }

  /** Closes the conversation (the list is all the agent sees): it no longer marks messages read. */
  deselect(): void {
    this.get()
      .room?.unwatch()
      .catch(() => undefined);
    this.set({ selected: null, room: null, previous: null, notes: [] });
  }

  private async loadPrevious(c: SupportConversationDto): Promise<void> {
    const visitorId = visitorOf(c);
    if (!visitorId) {
      this.set({ previous: [] });
      return;
    }
    try {
      const page = await this.client.support.inbox({ visitorId, limit: 20 });
      if (this.get().selected?.id !== c.id) return;
      // The filter decides on the server; checked here too, so a server without it shows nothing wrong.
      this.set({ previous: page.items.filter((i) => i.id !== c.id && visitorOf(i) === visitorId) });
    } catch {
      if (this.get().selected?.id === c.id) this.set({ previous: [] });
    }
  }

  claim(c: SupportConversationDto): Promise<void> {
    return this.act(() => this.client.support.assign(c.id));
  }

  /** Hands the conversation over to an agent; '' unassigns it. */
  assign(c: SupportConversationDto, agentId: string): Promise<void> {
    return this.act(() => this.client.support.assign(c.id, agentId || null));
  }

  resolve(c: SupportConversationDto): Promise<void> {
    return this.act(() => this.client.support.resolve(c.id));
  }

  reopen(c: SupportConversationDto): Promise<void> {
    return this.act(() => this.client.support.reopen(c.id));
  }

  private async act(action: () => Promise<SupportConversationDto>): Promise<void> {
    this.set({ actionError: null });
    try {
      this.onConversation(await action());
    } catch (err) {
      this.set({ actionError: asChatError(err).message });
    }
  }

  async setAvailability(value: 'online' | 'away'): Promise<void> {
    try {
      this.set({ availability: await this.client.support.setAvailability(value) });
    } catch (err) {
      this.set({ actionError: asChatError(err).message });
    }
  }

  /** The agent's own status: online unless they set away. */
  myAvailability(): 'online' | 'away' {
    const { availability, me } = this.get();
    return availability?.agents.find((a) => a.id === me?.id)?.status === 'away' ? 'away' : 'online';
  }

  private onConversation(c: SupportConversationDto): void {
    const { me, tab, items, selected, previous, labelFilter } = this.get();
    if (!me) return;
    const isNew = !this.known.has(c.id);
    this.known.add(c.id);
    this.set({
      items: applyChange(items, c, tab, me.id, selected?.id ?? null).filter((i) => matchesLabel(i, labelFilter)),
      selected: selected?.id === c.id ? { ...selected, ...c } : selected,
      previous: previous?.map((p) => (p.id === c.id ? { ...p, ...c } : p)) ?? null,
    });
    // One tab of the browser chimes for all.
    if (isNew && c.support.status === 'open' && this.client.primaryTab) this.hooks.newConversation(c);
  }
}

/** The visitor who started a conversation. */
export function visitorOf(c: Pick<SupportConversationDto, 'visitor' | 'createdBy'>): string | null {
  return c.visitor?.id ?? c.createdBy ?? null;
}
