import type { AttachmentDto, ChatError, MessageDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';

import { StoreController } from '../../controllers/store-controller.js';
import { type I18n, i18n, resolveLocale } from '../../i18n/index.js';
import { fullName } from '../../lib/avatar.js';
import { emit } from '../../lib/events.js';
import { Notifier } from '../../lib/notify.js';
import { VisitStorage } from '../../lib/storage.js';
import { styleProps } from '../../lib/style-props.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import { widgetStyles } from './chat-widget.styles.js';
import { renderLauncher } from './launcher.js';
import { renderPanelHeader } from './panel-header.js';
import { readPrechat, renderPrechat } from './prechat.js';
import { renderSessionEnded } from './session-ended.js';
import type { VisitorSession } from './visitor-session.js';
import { canGoBack, INITIAL_VISITOR, type VisitorState } from './visitor-state.js';

/** Where widget.js was loaded from: the default `server`. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * A chat for any page: a launcher bubble (or `mode="inline"`) that opens a conversation with the
 * app's support team, or a public `room`. Everything but the launcher loads when first opened.
 *
 * @example
 * <script type="module" src="https://chat.example.com/widget.js"></script>
 * <chat-widget app="APP_ID" title="Talk to us" require-name></chat-widget>
 *
 * @fires chat-ready - the element is rendered and usable
 * @fires chat-open - the panel opened
 * @fires chat-close - the panel closed
 * @fires chat-message - a message arrived or was sent (detail: `{ message }`)
 * @fires chat-unread - the unread count changed (detail: `{ count }`)
 * @fires chat-error - something failed (detail: `{ code, message }`)
 *
 * @cssprop --chat-accent - launcher, header, own messages, buttons
 * @cssprop --chat-accent-contrast - text on the accent colour
 * @cssprop --chat-bg - panel background
 * @cssprop --chat-fg - text colour
 * @cssprop --chat-muted - secondary text (times, separators)
 * @cssprop --chat-radius - corner radius of the panel and bubbles
 * @cssprop --chat-font - font family
 * @cssprop --chat-z-index - stacking order of the launcher and panel
 * @cssprop --chat-width - panel width
 * @cssprop --chat-height - panel height
 *
 * @csspart launcher - the round button that opens the chat
 * @csspart badge - the unread count on the launcher
 * @csspart launcher-note - beside the closed launcher: who is online and how fast the team replies
 * @csspart panel - the chat window
 * @csspart header - its title bar
 * @csspart messages - the scrolling message list
 * @csspart message - one message (also `mine` or `theirs`)
 * @csspart composer - the message form
 * @csspart input - the message text box
 * @csspart send-button - the send button
 * @csspart prechat - the pre-chat form
 * @csspart conversations - the visitor's list of conversations
 * @csspart conversation - one conversation in that list
 * @csspart new-conversation - the button that starts a new conversation
 *
 * @slot header - replaces the title and subtitle
 * @slot empty - shown when there are no messages yet
 * @slot launcher-icon - replaces the launcher's icon
 */
export class ChatWidget extends LitElement {
  static override styles = widgetStyles;

  @property() app = '';
  /** The Confab server; defaults to the origin widget.js was loaded from. */
  @property() server = '';
  /** A public room to join; without it, the visitor talks to the app's support team. */
  @property() room = '';
  /** A token your backend signed with the app secret: the visitor is that user. */
  @property({ attribute: 'user-token' }) userToken = '';
  @property({ reflect: true }) mode: 'launcher' | 'inline' = 'launcher';
  @property() position: 'bottom-right' | 'bottom-left' = 'bottom-right';
  /** The `open` attribute: the panel is showing (`open()`, `close()` and `toggle()` change it). */
  @property({ type: Boolean, reflect: true, attribute: 'open' }) opened = false;
  @property() override title = '';
  @property() subtitle = '';
  /** Overrides the greeting set in the app's settings. */
  @property() greeting = '';
  /** `en`, `pt-BR` or `es`; defaults to the browser's language. */
  @property() override lang = '';
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';
  @property({ type: Boolean, attribute: 'require-name' }) requireName = false;
  @property({ type: Boolean, attribute: 'require-email' }) requireEmail = false;

  @state() private session: VisitorSession | null = null;
  @state() private prechatError = '';
  @state() private everOnline = false;
  /** The visible viewport while open on a phone: the panel fits above the on-screen keyboard. */
  @state() private viewport: { height: number; top: number } | null = null;
  @query('.launcher') private launcherButton?: HTMLButtonElement;
  @query('confab-thread') private thread?: HTMLElement;
  @query('confab-conversation-list') private list?: HTMLElement & { focusRow(id?: string | null): void };
  @query('.panel') private panel?: HTMLElement;

  private readonly visitor = new StoreController<VisitorState>(this, INITIAL_VISITOR);
  private loading: Promise<VisitorSession> | null = null;
  private readonly onVisibility = () => this.session?.setLooking(this.isOpen && !document.hidden);
  private notifier: Notifier | null = null;
  private lastUnread = 0;
  private readonly onViewport = () => {
    const vv = window.visualViewport;
    this.viewport = vv ? { height: Math.round(vv.height), top: Math.round(vv.offsetTop) } : null;
  };

  private get text(): I18n {
    return i18n(resolveLocale(this.lang));
  }

  private get isOpen(): boolean {
    return this.opened || this.mode === 'inline';
  }

  /**
   * Opens the chat.
   * @example document.querySelector('chat-widget').open();
   */
  open(): void {
    this.opened = true;
  }

  /** Closes the chat (focus returns to the launcher). */
  close(): void {
    this.opened = false;
  }

  toggle(): void {
    this.opened = !this.opened;
  }

  /**
   * Signs the visitor in as one of your users (a token your backend signed with the app
   * secret); what they wrote as an anonymous visitor stays with them.
   * @example await widget.identify(await (await fetch('/chat-token')).text());
   */
  async identify(token: string): Promise<void> {
    this.userToken = token;
    const session = await this.ensureSession();
    await session.identify(token).catch((err: ChatError) => {
      this.reportError(err);
      throw err;
    });
  }

  /** Ends the visitor's session on the server and forgets everything the widget stored. */
  async logout(): Promise<void> {
    this.userToken = '';
    // A stored session is ended on the server too, even before the chat was opened on this page.
    if (this.session || this.storage().hasSession()) await (await this.ensureSession()).logout();
    else this.storage().clear();
    if (this.isOpen) await this.session?.begin();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.notifier ??= new Notifier((count) => this.text.t('newMessageTitle', { count }));
    document.addEventListener('visibilitychange', this.onVisibility);
    // A returning visitor (something stored by an earlier open, or another tab) gets the unread badge at once.
    if (this.app && this.storage().hasSession()) {
      void this.ensureSession().then((s) => s.resume());
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.followViewport(false);
    this.notifier?.dispose();
    this.notifier = null;
    this.session?.dispose();
    this.session = null;
    this.loading = null;
    this.visitor.use(null);
  }

  protected override firstUpdated(): void {
    emit(this, 'chat-ready', {});
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('opened') || changed.has('mode')) this.followViewport(this.opened && this.mode !== 'inline');
    if (changed.has('opened') && (changed.get('opened') !== undefined || this.opened)) {
      if (this.opened) {
        emit(this, 'chat-open', {});
        void this.ensureSession().then(async (s) => {
          await s.begin();
          await this.updateComplete;
          this.focusInside();
        });
      } else if (changed.get('opened')) {
        emit(this, 'chat-close', {});
        this.launcherButton?.focus();
      }
    }
    if (changed.has('mode') && this.mode === 'inline') void this.ensureSession().then((s) => s.begin());
    this.onVisibility();
    const state = this.visitor.value;
    if (state.connection === 'online' && !this.everOnline) this.everOnline = true;
    if (state.unread !== this.lastUnread) {
      this.lastUnread = state.unread;
      emit(this, 'chat-unread', { count: state.unread });
    }
  }

  protected override render() {
    const state = this.visitor.value;
    const left = this.position === 'bottom-left' ? 'left' : '';
    const unread = this.isOpen ? 0 : state.unread;
    const launcher = { opened: this.opened, unread, settings: state.settings, onToggle: () => this.toggle() };
    return html`
      <div class=${left}>${this.mode === 'inline' ? nothing : renderLauncher(this.text, launcher)}</div>
      ${this.isOpen ? this.renderPanel(state, left) : nothing}
    `;
  }

  private renderPanel(state: VisitorState, left: string) {
    const { t } = this.text;
    const inline = this.mode === 'inline';
    const reconnecting = Boolean(state.user && this.everOnline && (state.connection === 'offline' || state.connection === 'connecting'));
    const back = state.phase === 'ready' && state.view === 'thread' && canGoBack(state);
    const header = {
      title: this.title,
      subtitle: this.subtitle,
      settings: state.settings,
      inline,
      reconnecting,
      onClose: () => this.close(),
      onBack: back ? () => this.showList() : null,
    };
    const current = state.room && state.conversations.find((c) => c.id === state.room!.id);
    const resolved = state.phase === 'ready' && state.view === 'thread' && current?.status === 'resolved';
    const fit = this.viewport
      ? { '--chat-viewport-height': `${this.viewport.height}px`, '--chat-viewport-top': `${this.viewport.top}px` }
      : {};
    return html`<section
      id="panel"
      class=${`panel ${inline ? 'inline' : left}`}
      part="panel"
      role=${inline ? 'region' : 'dialog'}
      aria-label=${this.title || t('defaultTitle')}
      @keydown=${this.onPanelKey}
      ${styleProps(fit)}
    >
      ${renderPanelHeader(this.text, header)} ${reconnecting ? html`<div class="banner" role="status">${t('offline')}</div>` : nothing}
      ${resolved ? html`<div class="banner note">${t('conversationResolvedNote')}</div>` : nothing} ${this.renderBody(state)}
    </section>`;
  }

  private renderBody(state: VisitorState) {
    const { t } = this.text;
    const session = this.session;
    switch (state.phase) {
      case 'prechat':
        // The form does not wait: submitPrechat shows its own failure in the form.
        return renderPrechat(this.text, this, this.prechatError, (e) => void this.submitPrechat(e));
      case 'error':
        return html`<div class="status" role="alert">
          <p class="error">${t('errorGeneric', { message: state.error?.message ?? '' })}</p>
          <button class="primary" @click=${this.retry}>${t('retry')}</button>
        </div>`;
      case 'ended':
        // The button does not wait: the session reports its own failure in its state.
        return renderSessionEnded(this.text, state.ended, Boolean(this.userToken), () => void this.continueAfterEnd());
      case 'ready':
        if (!session) break;
        if (session.supportMode && state.view === 'list') {
          return html`<confab-conversation-list
            exportparts="conversations, conversation, new-conversation"
            .i18n=${this.text}
            .conversations=${state.conversations}
            .agents=${state.settings?.agents ?? []}
            .me=${state.user?.id ?? null}
            .visitorName=${fullName(state.user)}
            .team=${this.title}
            .onOpen=${(id: string) => void this.openConversation(id)}
            .onNew=${() => void this.newConversation()}
          ></confab-conversation-list>`;
        }
        return html`<confab-thread
          exportparts="messages, message, composer, input, send-button"
          .i18n=${this.text}
          .room=${state.room}
          .me=${state.user?.id ?? null}
          .greeting=${this.greeting || state.settings?.greeting || null}
          .names=${this.names(state)}
          .send=${(input: ComposerSubmit) => session.send(input)}
          .upload=${(file: File, progress: (f: number) => void) => session.upload(file, progress)}
          .resolveSrc=${(a: AttachmentDto) => session.client.uploads.src(a)}
          ?active=${this.isOpen}
          ><slot name="empty" slot="empty">${t('noMessages')}</slot></confab-thread
        >`;
    }
    return html`<div class="status" role="status">${t('loading')}</div>`;
  }

  private async submitPrechat(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const { t } = this.text;
    const input = readPrechat(form, this, this.text);
    if (!input.ok) {
      this.prechatError = input.error;
      form.querySelector<HTMLInputElement>(`input[name=${input.field}]`)?.focus();
      return;
    }
    const { name, email } = input;
    this.prechatError = '';
    try {
      await this.session!.submitPrechat({ name, email });
      await this.updateComplete;
      this.focusInside();
    } catch (err) {
      this.prechatError = t('errorGeneric', { message: (err as Error).message });
      this.reportError(err as ChatError);
    }
  }

  /** Who the thread names: the team's agents, and the visitor by their full name. */
  private names(state: VisitorState): Record<string, string> {
    const names = Object.fromEntries((state.settings?.agents ?? []).map((a) => [a.id, a.name ?? '']));
    const me = fullName(state.user);
    if (state.user && me) names[state.user.id] = me;
    return names;
  }

  private async openConversation(id: string): Promise<void> {
    await this.session?.openConversation(id);
    await this.updateComplete;
    this.focusInside();
  }

  private async newConversation(): Promise<void> {
    this.session?.newConversation();
    await this.updateComplete;
    this.focusInside();
  }

  private async showList(): Promise<void> {
    const from = this.visitor.value.room?.id;
    this.session?.showList();
    await this.updateComplete;
    this.list?.focusRow(from);
  }

  /** On phones the panel fills the visible viewport, which shrinks while the on-screen keyboard is up. */
  private followViewport(on: boolean): void {
    const vv = window.visualViewport;
    if (!vv) return;
    vv.removeEventListener('resize', this.onViewport);
    vv.removeEventListener('scroll', this.onViewport);
    if (!on) {
      this.viewport = null;
      return;
    }
    vv.addEventListener('resize', this.onViewport);
    vv.addEventListener('scroll', this.onViewport);
    this.onViewport();
  }

  private async retry(): Promise<void> {
    await this.session?.retry();
  }

  private async continueAfterEnd(): Promise<void> {
    await this.session?.continueAfterEnd();
    await this.updateComplete;
    this.focusInside();
  }

  private onPanelKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.mode !== 'inline') {
      e.preventDefault();
      this.close();
    }
  }

  private focusInside(): void {
    const prechat = this.renderRoot.querySelector<HTMLInputElement>('.prechat input');
    if (prechat) prechat.focus();
    else if (this.thread) this.thread.focus();
    else if (this.list) this.list.focusRow();
    else this.panel?.querySelector<HTMLElement>('button')?.focus();
  }

  private storage(): VisitStorage {
    return VisitStorage.for(this.serverUrl(), this.app);
  }

  private serverUrl(): string {
    return (this.server || SCRIPT_ORIGIN).replace(/\/+$/, '');
  }

  /** Loads the chat (SDK, message view) on first need and starts a session object. */
  private ensureSession(): Promise<VisitorSession> {
    this.loading ??= import('./visitor-session.js').then(({ VisitorSession }) => {
      const session = new VisitorSession(
        {
          server: this.serverUrl(),
          app: this.app,
          room: this.room || null,
          userToken: this.userToken || null,
          requireName: this.requireName,
          requireEmail: this.requireEmail,
        },
        this.storage(),
        { message: (m) => this.onMessage(m), error: (err) => this.reportError(err) },
      );
      this.session = session;
      this.visitor.use(session.state);
      return session;
    });
    return this.loading;
  }

  private onMessage(message: MessageDto): void {
    emit(this, 'chat-message', { message });
    if (this.session?.shouldNotify(message)) this.notifier?.notify({ sound: true });
  }

  private reportError(err: ChatError): void {
    emit(this, 'chat-error', { code: err.code ?? 'internal', message: err.message });
  }
}
