import type { ChatError, MessageDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';

import { StoreController } from '../../controllers/store-controller.js';
import { ViewportController } from '../../controllers/viewport-controller.js';
import { type I18n, i18n, resolveLocale } from '../../i18n/index.js';
import { emit } from '../../lib/events.js';
import { Notifier } from '../../lib/notify.js';
import { VisitStorage } from '../../lib/storage.js';
import { widgetStyles } from './chat-widget.styles.js';
import { renderLauncher } from './launcher.js';
import { type PanelOptions, renderPanel } from './panel.js';
import { readPrechat } from './prechat.js';
import type { VisitorSession } from './visitor-session.js';
import { INITIAL_VISITOR, type VisitorState } from './visitor-state.js';

/** Where widget.js was loaded from: the default `server`. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * A chat for any page: a launcher bubble (or `mode="inline"`) that opens a conversation with the
 * app's support team, or a public `room`. Everything but the launcher loads when first opened.
 * A page loaded with `#confab-open` (the link of a reply sent by email) opens the chat at once.
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
 * @csspart pinned - a public room's pinned messages, above the messages
 * @csspart moderation-notice - instead of the composer: muted until a time, or removed from the room
 * @csspart slow-mode - above the composer: the room's slow mode and the wait before the next send
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
  @query('.launcher') private launcherButton?: HTMLButtonElement;
  @query('confab-thread') private thread?: HTMLElement;
  @query('confab-conversation-list') private list?: HTMLElement & { focusRow(id?: string | null): void };
  @query('.panel') private panel?: HTMLElement;

  private readonly visitor = new StoreController<VisitorState>(this, INITIAL_VISITOR);
  /** Followed while open as a popup: on a phone the panel fits above the on-screen keyboard. */
  private readonly viewport = new ViewportController(this);
  private loading: Promise<VisitorSession> | null = null;
  private readonly onVisibility = () => this.session?.setLooking(this.isOpen && !document.hidden);
  private notifier: Notifier | null = null;
  private lastUnread = 0;

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
    this.openFromLink();
    // A returning visitor (something stored by an earlier open, or another tab) gets the unread badge at once.
    if (this.app && this.storage().hasSession()) {
      void this.ensureSession().then((s) => s.resume());
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
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
    if (changed.has('opened') || changed.has('mode')) this.viewport.follow(this.opened && this.mode !== 'inline');
    if (changed.has('opened') && (changed.get('opened') !== undefined || this.opened)) {
      if (this.opened) {
        emit(this, 'chat-open', {});
        void this.ensureSession().then((s) => this.focusAfter(s.begin()));
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
      ${this.isOpen ? renderPanel(this.text, state, this, this.panelOptions(left)) : nothing}
    `;
  }

  /** What the open panel shows besides the visitor's state and the attributes, and where its controls lead. */
  private panelOptions(left: string): PanelOptions {
    return {
      left,
      viewport: this.viewport.value,
      session: this.session,
      everOnline: this.everOnline,
      prechatError: this.prechatError,
      onKey: (e) => this.onPanelKey(e),
      onClose: () => this.close(),
      onBack: () => void this.showList(),
      // The form and the buttons do not wait: a failure shows in the form, or in the session's state.
      onPrechat: (e) => void this.submitPrechat(e),
      onRetry: () => void this.session?.retry(),
      onContinue: () => void this.focusAfter(this.session?.continueAfterEnd()),
      onOpen: (id) => void this.focusAfter(this.session?.conversations.open(id)),
      onNew: () => void this.focusAfter(this.session?.conversations.startNew()),
    };
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

  private async showList(): Promise<void> {
    const from = this.visitor.value.room?.id;
    this.session?.conversations.showList();
    await this.updateComplete;
    this.list?.focusRow(from);
  }

  private onPanelKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.mode !== 'inline') {
      e.preventDefault();
      this.close();
    }
  }

  /** Once a step changed what the panel shows, focus goes into the new view. */
  private async focusAfter(step: Promise<void> | void): Promise<void> {
    await step;
    await this.updateComplete;
    this.focusInside();
  }

  private focusInside(): void {
    const prechat = this.renderRoot.querySelector<HTMLInputElement>('.prechat input');
    if (prechat) prechat.focus();
    else if (this.thread) this.thread.focus();
    else if (this.list) this.list.focusRow();
    else this.panel?.querySelector<HTMLElement>('button')?.focus();
  }

  /** A mail's link back to the chat ends in `#confab-open`: the chat opens, and the hash goes (the rest of the URL stays). */
  private openFromLink(): void {
    if (location.hash !== '#confab-open') return;
    if (this.mode !== 'inline') this.opened = true;
    history.replaceState(history.state, '', location.pathname + location.search);
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
