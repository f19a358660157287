import { LIMITS } from '@confab/protocol';
import type { AttachmentDto, CannedResponseDto, ChatMessage, Room, SupportNoteDto, UploadsApi } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import { FileLinks } from '../../controllers/file-links.js';
import { RoomController } from '../../controllers/room-controller.js';
import { ScrollAnchor } from '../../controllers/scroll-anchor.js';
import type { I18n } from '../../i18n/index.js';
import { FileDrop } from '../../lib/drop.js';
import { moveFocus } from '../../lib/list-keys.js';
import { timeline } from '../../lib/timeline.js';
import { withNotes } from '../../lib/timeline-notes.js';
import type { ComposerSubmit, Uploader } from '../chat-composer/chat-composer.js';
import { threadStyles } from './chat-thread.styles.js';
import { Lightbox, lightboxStyles } from './lightbox.js';
import { MessageActions } from './message-actions.js';
import { filesStyles, renderFiles, renderText } from './message-body.js';
import { type NameSource, senderName, systemText, typingText } from './message-text.js';
import { type MessageViewContext, renderGreeting, renderMessage, renderReplyBar, renderTyping } from './message-view.js';
import { ModerationLoader } from './thread-moderation.js';

/**
 * One conversation: the message list (older pages on scroll with the position kept, day
 * separators, groups, ticks, reactions, edit and delete of your own, typing, a jump to new
 * messages, an aria-live announcement of incoming ones) and the composer. Used by both
 * `<chat-widget>` and `<chat-inbox>`; the parent decides how a send and an upload happen.
 *
 * @slot above-composer - between the messages and the composer (the widget's rating card)
 * @slot after-first-message - in the messages, after the first one of `me` (the widget's replies-by-email card)
 */
export class ChatThread extends LitElement {
  static override styles = [threadStyles, filesStyles, lightboxStyles];

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) room: Room | null = null;
  @property({ attribute: false }) me: string | null = null;
  /** Shown first, as a message from the team (not stored). */
  @property({ attribute: false }) greeting: string | null = null;
  @property({ attribute: false }) send: ((input: ComposerSubmit) => Promise<unknown>) | null = null;
  @property({ attribute: false }) upload: Uploader | null = null;
  /** Signed URLs of files and of images' thumbnails (the SDK's `client.uploads`). */
  @property({ attribute: false }) uploads: Pick<UploadsApi, 'src' | 'thumbnailSrc'> | null = null;
  @property({ attribute: false }) canned: readonly CannedResponseDto[] = [];
  /** Names for user ids that have no message yet (e.g. the team's agents). */
  @property({ attribute: false }) names: Readonly<Record<string, string>> = {};
  /** The thread is on screen: new messages get marked read. */
  @property({ type: Boolean }) active = false;
  /** Agents see who the visitor is on each of their messages. */
  @property({ type: Boolean }) agent = false;
  /**
   * The team's private notes, oldest first, shown among the messages by time as
   * `<confab-inbox-note>` cards (the inbox defines them; a visitor's thread has none).
   */
  @property({ attribute: false }) notes: readonly SupportNoteDto[] = [];
  /** The composer writes a private note: tinted, no files, and no typing shown to the visitor. */
  @property({ type: Boolean }) noteMode = false;
  /** Replaces the composer's placeholder. */
  @property({ attribute: false }) placeholder: string | null = null;
  /** The user is one of the app's admins or agents: they moderate group and public rooms. */
  @property({ type: Boolean }) staff = false;

  @state() private announcement = '';
  @state() private error = '';
  @query('.scroller') private scroller!: HTMLElement;
  @query('confab-composer') private composer!: HTMLElement & { focus(): void; addFiles(files: Iterable<File>): void };

  private readonly controller = new RoomController(this);
  /** Menus, reactions, edit, delete and replies (message-actions.ts). */
  private readonly actions = new MessageActions(this, {
    room: () => this.room,
    me: () => this.me,
    list: () => this.scroller,
    fail: (err) => (this.error = this.i18n.t('errorGeneric', { message: (err as Error).message })),
    focusComposer: () => this.focus(),
    leaveBottom: () => this.anchor.hold(),
  });
  /** Reports, moderators' actions, pins and the muted notice of group and public rooms, loaded for them only. */
  private readonly moderation = new ModerationLoader({
    host: this,
    room: () => this.room,
    state: () => this.controller.state,
    me: () => this.me,
    staff: () => this.staff || this.agent,
    i18n: () => this.i18n,
    naming: () => this.naming(),
    actions: this.actions,
    reveal: (id) => this.revealMessage(id),
    focusComposer: () => this.focus(),
  });
  /** Signed links to files (controllers/file-links.ts). */
  private readonly links = new FileLinks(this, () => this.uploads);
  /** The composer previews an uploaded image by its thumbnail. */
  private readonly previewSrc = (attachment: AttachmentDto) => this.uploads!.thumbnailSrc(attachment);
  /** Files dropped on the messages go to the composer (lib/drop.ts). */
  private readonly drop = new FileDrop(this, () => (this.upload ? (files) => this.composer?.addFiles(files) : null));
  /** Images opened full size, inside the component (lightbox.ts). */
  private readonly lightbox = new Lightbox(this, () => this.i18n);
  /** At the newest message on open and while the reader is there; else their place kept. */
  private readonly anchor = new ScrollAnchor(this, {
    scroller: () => this.scroller,
    newest: () => {
      const last = this.controller.state.messages.at(-1);
      const note = this.notes.at(-1);
      if (note && (!last || note.createdAt > last.createdAt)) return { key: note.id, own: note.author?.id === this.me };
      return last && { key: last.id, own: last.senderId !== null && last.senderId === this.me };
    },
  });
  /** The newest message already announced to screen readers (or there at open). */
  private newestId: string | undefined;
  private loadingOlder = false;
  private marking = false;
  private readonly onVisibility = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Focuses the message box (once it is drawn: the thread may have just been created). */
  override focus(): void {
    void this.updateComplete
      .then(() => (this.composer as unknown as { updateComplete?: Promise<unknown> } | null)?.updateComplete)
      .then(() => this.composer?.focus());
  }

  /**
   * Scrolls to a message, focuses and highlights it (a search result opened at its match), loading
   * older pages until it is held; false when the room's history does not have it.
   * @example await thread.revealMessage(result.message.id);
   */
  async revealMessage(id: string, pagesMax = 20): Promise<boolean> {
    for (let pages = 0; this.room && pages <= pagesMax; pages += 1) {
      const state = this.room.state.get();
      if (state.messages.some((m) => m.id === id)) {
        await this.updateComplete;
        await this.actions.jumpTo(id);
        return true;
      }
      if (!state.hasOlder || pages === pagesMax) break;
      await this.room.loadOlder(LIMITS.pageMax);
    }
    return false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room')) {
      this.controller.setRoom(this.room);
      this.anchor.reset();
      this.newestId = undefined;
    }
    const messages = this.controller.state.messages;
    const previousLast = this.newestId;
    const last = messages[messages.length - 1];
    this.newestId = last?.id;
    if (previousLast && last && last.id !== previousLast && last.senderId !== this.me && last.status !== 'pending') {
      this.announcement =
        last.type === 'system'
          ? systemText(this.naming(), last)
          : `${senderName(this.naming(), last)}: ${last.text || this.i18n.t('attachment')}`;
    }
  }

  protected override render() {
    const { t } = this.i18n;
    const state = this.controller.state;
    const from = state.hasOlder ? (state.messages[0]?.createdAt ?? null) : null;
    const rows = withNotes(timeline(state.messages), this.notes, from);
    const typing = typingText(this.naming(), state.typing);
    const view = this.messageView();
    // The greeting opens the conversation: after the first day's separator, and only once its start is loaded.
    const greeting = this.greeting && !state.hasOlder ? renderGreeting(this.greeting) : nothing;
    const firstOwn = state.hasOlder ? null : rows.find((r) => r.kind === 'message' && r.message.senderId === this.me)?.key;
    const moderation = view.moderation;
    const notice = moderation?.notice();
    const { hint, waiting } = moderation?.hint() ?? { hint: nothing, waiting: false };
    return html`
      ${moderation?.top() ?? nothing}
      <div
        class="scroller"
        part="messages"
        role="log"
        aria-live="off"
        aria-label=${t('messages')}
        tabindex="0"
        @scroll=${this.onScroll}
        @keydown=${this.onListKey}
        @dragenter=${this.drop.onDragEnter}
        @dragover=${this.drop.onDragOver}
        @dragleave=${this.drop.onDragLeave}
        @drop=${this.drop.onDrop}
      >
        ${state.hasOlder ? html`<button class="older" @click=${this.loadOlder}>${t('loadOlder')}</button>` : nothing}
        ${!rows.length && greeting ? greeting : nothing}
        ${!rows.length && !this.greeting ? html`<div class="empty"><slot name="empty">${t('noMessages')}</slot></div>` : nothing}
        ${repeat(
          rows,
          (row) => row.key,
          (row, i) =>
            row.kind === 'day'
              ? html`<div class="day" role="separator">${this.i18n.day(row.at)}</div>
                  ${i === 0 ? greeting : nothing}`
              : row.kind === 'note'
                ? html`<confab-inbox-note
                    part="note"
                    data-id=${row.note.id}
                    .note=${row.note}
                    .i18n=${this.i18n}
                    .me=${this.me}
                  ></confab-inbox-note>`
                : html`${renderMessage(row, view)}${row.key === firstOwn ? html`<slot name="after-first-message"></slot>` : nothing}`,
        )}
        <div class=${typing ? 'typing on' : 'typing'} part="typing" aria-live="polite">
          ${typing ? renderTyping(view, typing, state.typing) : nothing}
        </div>
      </div>
      ${this.showJump ? html`<button class="jump" @click=${this.jumpToEnd}>${t('newMessages')} ↓</button>` : nothing}
      ${this.actions.replyingTo ? renderReplyBar(view, this.actions.replyingTo) : nothing}
      ${this.drop.active ? html`<div class="drop-hint" aria-hidden="true">${t('dropFiles')}</div>` : nothing}
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${this.error ? html`<div class="sr-only" role="alert">${this.error}</div>` : nothing}
      <slot name="above-composer"></slot>
      ${notice ?? hint}
      ${
        notice
          ? nothing
          : html`<confab-composer
              exportparts="composer, input, send-button"
              .i18n=${this.i18n}
              .upload=${this.upload}
              .canned=${this.agent ? this.canned : null}
              .previewSrc=${this.uploads ? this.previewSrc : null}
              .placeholder=${this.placeholder}
              .onTyping=${() => (this.noteMode ? undefined : this.room?.typing())}
              ?note=${this.noteMode}
              ?disabled=${!this.send || waiting}
              @confab-submit=${this.onSubmit}
              @keydown=${this.onComposerKey}
            ></confab-composer>`
      }
      ${this.lightbox.render()}
    `;
  }

  protected override updated(): void {
    this.markRead();
  }

  /** A message arrived below the view while the reader was scrolled up. */
  private get showJump(): boolean {
    return this.anchor.unseen;
  }

  private messageView(): MessageViewContext {
    const messages = this.controller.state.messages;
    return {
      i18n: this.i18n,
      me: this.me,
      naming: this.naming(),
      actions: this.actions,
      content: (m) => this.renderContent(m),
      find: (id) => messages.find((m) => m.id === id),
      moderation: this.moderation.current,
    };
  }

  /** The text and the files of a message that is neither deleted nor being edited. */
  private renderContent(m: ChatMessage) {
    const text = m.text ? html`<span class="text">${renderText(m.text)}</span>` : nothing;
    return html`${text}${renderFiles(m.attachments, this.i18n, {
      srcFor: (f) => this.links.srcFor(f),
      thumbnailFor: (f) => this.links.thumbnailFor(f),
      // Full size on a fresh link: the one in the thumbnail may be near its end.
      open: (f, src, opener) => void this.links.fresh(f, src).then((fresh) => this.lightbox.open(f, fresh, opener)),
      refresh: (f) => void this.links.srcFor(f),
    })}`;
  }

  private naming(): NameSource {
    return { i18n: this.i18n, names: this.names, messages: this.controller.state.messages };
  }

  private async onSubmit(e: CustomEvent<ComposerSubmit>): Promise<void> {
    try {
      this.error = '';
      // A note answers no message: the reply being written waits for the reply mode.
      const replyTo = this.noteMode ? undefined : this.actions.replyingTo?.id;
      if (replyTo) this.actions.cancelReply(false);
      await this.send?.({ ...e.detail, replyTo });
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    }
  }

  private markRead(): void {
    const room = this.room;
    if (!room || !this.active || this.marking || document.visibilityState !== 'visible') return;
    if (room.unreadCount <= 0 || this.showJump) return;
    this.marking = true;
    room
      .markRead()
      .catch(() => undefined)
      .finally(() => {
        this.marking = false;
      });
  }

  private async loadOlder(): Promise<void> {
    if (!this.room || this.loadingOlder || !this.controller.state.hasOlder) return;
    this.loadingOlder = true;
    this.anchor.hold();
    try {
      await this.room.loadOlder();
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    } finally {
      this.loadingOlder = false;
    }
  }

  /** Near the top: the older page (the anchor keeps the reader's place and the jump control). */
  private onScroll(): void {
    if (this.scroller.scrollTop < 60) void this.loadOlder();
  }

  private jumpToEnd(): void {
    this.anchor.jump();
    this.focus();
  }

  /** Arrow keys walk the messages; Home and End jump to the first and last. */
  private onListKey(e: KeyboardEvent): void {
    moveFocus(e, this.scroller, '[part~=message], [part~=note]');
  }

  /** Escape in the message box drops the reply being written (before it would close the panel). */
  private onComposerKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || !this.actions.replyingTo) return;
    e.stopPropagation();
    e.preventDefault();
    this.actions.cancelReply();
  }
}
