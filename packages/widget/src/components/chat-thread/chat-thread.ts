import type { AttachmentDto, CannedResponseDto, ChatMessage, MessageStatus, Room } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import { RoomController } from '../../controllers/room-controller.js';
import type { I18n, Strings } from '../../i18n/index.js';
import { moveFocus } from '../../lib/list-keys.js';
import { timeline, type TimelineRow } from '../../lib/timeline.js';
import type { ComposerSubmit, Uploader } from '../chat-composer/chat-composer.js';
import { threadStyles } from './chat-thread.styles.js';
import { renderFiles, renderText } from './message-body.js';
import { type NameSource, senderName, systemText, typingText } from './message-text.js';

const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
const STATUS_LABEL: Record<MessageStatus, keyof Strings> = {
  pending: 'statusPending',
  sent: 'statusSent',
  delivered: 'statusDelivered',
  read: 'statusRead',
  failed: 'statusFailed',
};
const TICK: Record<MessageStatus, string> = { pending: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/**
 * One conversation: the message list (older pages on scroll with the position kept, day
 * separators, groups, ticks, reactions, edit and delete of your own, typing, a jump to new
 * messages, an aria-live announcement of incoming ones) and the composer. Used by both
 * `<chat-widget>` and `<chat-inbox>`; the parent decides how a send and an upload happen.
 */
export class ChatThread extends LitElement {
  static override styles = threadStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) room: Room | null = null;
  @property({ attribute: false }) me: string | null = null;
  /** Shown first, as a message from the team (not stored). */
  @property({ attribute: false }) greeting: string | null = null;
  @property({ attribute: false }) send: ((input: ComposerSubmit) => Promise<unknown>) | null = null;
  @property({ attribute: false }) upload: Uploader | null = null;
  @property({ attribute: false }) resolveSrc: ((attachment: AttachmentDto) => Promise<string>) | null = null;
  @property({ attribute: false }) canned: readonly CannedResponseDto[] = [];
  /** Names for user ids that have no message yet (e.g. the team's agents). */
  @property({ attribute: false }) names: Readonly<Record<string, string>> = {};
  /** The thread is on screen: new messages get marked read. */
  @property({ type: Boolean }) active = false;
  /** Agents see who the visitor is on each of their messages. */
  @property({ type: Boolean }) agent = false;

  @state() private menuFor: string | null = null;
  @state() private editing: string | null = null;
  @state() private showJump = false;
  @state() private announcement = '';
  @state() private error = '';
  @query('.scroller') private scroller!: HTMLElement;
  @query('confab-composer') private composer!: HTMLElement & { focus(): void; addFiles(files: Iterable<File>): void };

  private readonly controller = new RoomController(this);
  private readonly srcs = new Map<string, string>();
  private anchor: { fromBottom: number; atBottom: boolean; first: string | undefined; last: string | undefined; count: number } | null =
    null;
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

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room')) {
      this.controller.setRoom(this.room);
      this.anchor = null;
      this.menuFor = this.editing = null;
      this.showJump = false;
    }
    const el = this.scroller;
    const messages = this.controller.state.messages;
    if (el) {
      const fromBottom = el.scrollHeight - el.scrollTop;
      this.anchor = {
        fromBottom,
        atBottom: fromBottom - el.clientHeight < 48,
        first: this.anchor?.first,
        last: this.anchor?.last,
        count: this.anchor?.count ?? 0,
      };
    }
    const previousLast = this.anchor?.last;
    const last = messages[messages.length - 1];
    if (this.anchor && previousLast && last && last.id !== previousLast && last.senderId !== this.me && last.status !== 'pending') {
      this.announcement =
        last.type === 'system'
          ? systemText(this.naming(), last)
          : `${senderName(this.naming(), last)}: ${last.text || this.i18n.t('attachment')}`;
    }
  }

  protected override render() {
    const { t } = this.i18n;
    const state = this.controller.state;
    const rows = timeline(state.messages);
    const typing = typingText(this.naming(), state.typing);
    return html`
      <div
        class="scroller"
        part="messages"
        role="log"
        aria-live="off"
        aria-label=${t('messages')}
        tabindex="0"
        @scroll=${this.onScroll}
        @keydown=${this.onListKey}
        @dragover=${this.onDragOver}
        @drop=${this.onDrop}
      >
        ${state.hasOlder ? html`<button class="older" @click=${this.loadOlder}>${t('loadOlder')}</button>` : nothing}
        ${
          this.greeting
            ? html`<div class="msg start end theirs greeting" part="message greeting">
                <div class="bubble"><span class="text">${this.greeting}</span></div>
              </div>`
            : nothing
        }
        ${!rows.length && !this.greeting ? html`<div class="empty"><slot name="empty">${t('noMessages')}</slot></div>` : nothing}
        ${repeat(
          rows,
          (row) => row.key,
          (row) => (row.kind === 'day' ? html`<div class="day" role="separator">${this.i18n.day(row.at)}</div>` : this.renderMessage(row)),
        )}
      </div>
      ${this.showJump ? html`<button class="jump" @click=${this.jumpToEnd}>${t('newMessages')} ↓</button>` : nothing}
      <div class="typing" aria-live="polite">${typing}</div>
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${this.error ? html`<div class="sr-only" role="alert">${this.error}</div>` : nothing}
      <confab-composer
        exportparts="composer, input, send-button"
        .i18n=${this.i18n}
        .upload=${this.upload}
        .canned=${this.canned}
        .previewSrc=${this.resolveSrc}
        .onTyping=${() => this.room?.typing()}
        ?disabled=${!this.send}
        @confab-submit=${this.onSubmit}
      ></confab-composer>
    `;
  }

  protected override updated(): void {
    const el = this.scroller;
    const messages = this.controller.state.messages;
    const first = messages[0]?.id;
    const last = messages[messages.length - 1];
    const anchor = this.anchor;
    if (el) {
      if (!anchor || !anchor.count) {
        if (messages.length) el.scrollTop = el.scrollHeight;
      } else if (anchor.first && first !== anchor.first && messages.length > anchor.count && last?.id === anchor.last) {
        el.scrollTop = el.scrollHeight - anchor.fromBottom; // older page above: keep what was in view
      } else if (last && last.id !== anchor.last) {
        if (anchor.atBottom || last.senderId === this.me) el.scrollTop = el.scrollHeight;
        else this.showJump = true;
      }
      this.anchor = { fromBottom: el.scrollHeight - el.scrollTop, atBottom: true, first, last: last?.id, count: messages.length };
    }
    this.markRead();
  }

  private renderMessage(row: Extract<TimelineRow, { kind: 'message' }>) {
    const { t } = this.i18n;
    const m = row.message;
    if (m.type === 'system') {
      return html`<div class="system" part="message system" data-id=${m.id} tabindex="-1">
        ${systemText(this.naming(), m)} · ${this.i18n.time(m.createdAt)}
      </div>`;
    }
    const mine = m.senderId !== null && m.senderId === this.me;
    const deleted = m.deletedAt !== null;
    const classes = [
      'msg',
      mine ? 'mine' : 'theirs',
      row.groupStart ? 'start' : '',
      row.groupEnd ? 'end' : '',
      deleted ? 'deleted' : '',
      m.status === 'failed' ? 'failed' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const name = mine ? t('you') : senderName(this.naming(), m);
    const status = t(STATUS_LABEL[m.status]);
    const retry = m.status === 'failed' ? m.retry : undefined;
    return html`<div
      class=${classes}
      part=${mine ? 'message mine' : 'message theirs'}
      data-id=${m.id}
      data-status=${mine ? m.status : nothing}
      tabindex="-1"
    >
      ${row.groupStart && !mine ? html`<div class="sender" aria-hidden="true">${name}</div>` : nothing}
      <div class="bubble">
        <span class="sr-only">${name}: </span>${
          deleted ? t('deleted') : this.editing === m.id ? this.renderEditor(m) : this.renderContent(m)
        }
      </div>
      ${
        !deleted && m.reactions.length
          ? html`<div class="reactions">
              ${m.reactions.map(
                (r) =>
                  html`<button
                    class="reaction"
                    aria-pressed=${this.me && r.userIds.includes(this.me) ? 'true' : 'false'}
                    aria-label=${`${t('reactWith', { emoji: r.emoji })} (${r.count})`}
                    @click=${() => this.toggleReaction(m, r.emoji)}
                  >
                    ${r.emoji} ${r.count}
                  </button>`,
              )}
            </div>`
          : nothing
      }
      <div class="meta">
        <time datetime=${m.createdAt}>${this.i18n.time(m.createdAt)}</time>
        ${m.editedAt && !deleted ? html`<span>${t('edited')}</span>` : nothing}
        ${mine ? html`<span class=${`tick ${m.status}`} role="img" aria-label=${status} title=${status}>${TICK[m.status]}</span>` : nothing}
        ${retry ? html`<button class="retry" @click=${() => retry().catch(() => undefined)}>${t('retry')}</button>` : nothing}
        ${
          !deleted && m.seq > 0
            ? html`<span class="actions">
                <button
                  aria-label=${t('messageActions')}
                  aria-expanded=${this.menuFor === m.id ? 'true' : 'false'}
                  @click=${() => this.toggleMenu(m.id)}
                >
                  ⋯
                </button>
              </span>`
            : nothing
        }
      </div>
      ${this.menuFor === m.id ? this.renderMenu(m, mine) : nothing}
    </div>`;
  }

  private renderMenu(m: ChatMessage, mine: boolean) {
    const { t } = this.i18n;
    return html`<div class="menu" role="group" aria-label=${t('messageActions')} @keydown=${this.onMenuKey}>
      ${REACTIONS.map(
        (emoji) => html`<button aria-label=${t('reactWith', { emoji })} @click=${() => this.toggleReaction(m, emoji)}>${emoji}</button>`,
      )}
      ${mine && m.text && !m.attachments.length ? html`<button @click=${() => this.startEdit(m.id)}>${t('edit')}</button>` : nothing}
      ${mine ? html`<button @click=${() => this.removeMessage(m)}>${t('delete')}</button>` : nothing}
    </div>`;
  }

  /** The text and the files of a message that is neither deleted nor being edited. */
  private renderContent(m: ChatMessage) {
    const text = m.text ? html`<span class="text">${renderText(m.text)}</span>` : nothing;
    return html`${text}${renderFiles(m.attachments, this.i18n, (f) => this.srcFor(f))}`;
  }

  private renderEditor(m: ChatMessage) {
    const { t } = this.i18n;
    return html`<form class="edit" @submit=${(e: Event) => this.saveEdit(e, m)} @keydown=${this.onEditKey}>
      <textarea aria-label=${t('editLabel')} .value=${m.text} rows="2"></textarea>
      <div class="buttons">
        <button type="button" @click=${() => this.stopEdit()}>${t('cancel')}</button>
        <button type="submit">${t('save')}</button>
      </div>
    </form>`;
  }

  private srcFor(file: AttachmentDto): string | undefined {
    const known = this.srcs.get(file.id);
    if (known !== undefined || !this.resolveSrc) return known || undefined;
    this.srcs.set(file.id, '');
    this.resolveSrc(file).then(
      (src) => {
        this.srcs.set(file.id, src);
        this.requestUpdate();
      },
      () => this.srcs.delete(file.id),
    );
    return undefined;
  }

  private naming(): NameSource {
    return { i18n: this.i18n, names: this.names, messages: this.controller.state.messages };
  }

  private async onSubmit(e: CustomEvent<ComposerSubmit>): Promise<void> {
    try {
      this.error = '';
      await this.send?.(e.detail);
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
    try {
      await this.room.loadOlder();
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    } finally {
      this.loadingOlder = false;
    }
  }

  private onScroll(): void {
    const el = this.scroller;
    if (el.scrollTop < 60) void this.loadOlder();
    if (this.showJump && el.scrollHeight - el.scrollTop - el.clientHeight < 48) {
      this.showJump = false;
    }
  }

  private jumpToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.showJump = false;
    this.focus();
  }

  /** Arrow keys walk the messages; Home and End jump to the first and last. */
  private onListKey(e: KeyboardEvent): void {
    moveFocus(e, this.scroller, '[part~=message]');
  }

  private onMenuKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    const id = this.menuFor;
    this.menuFor = null;
    void this.updateComplete.then(() => this.scroller.querySelector<HTMLElement>(`[data-id="${id}"] .actions button`)?.focus());
  }

  private toggleMenu(id: string): void {
    this.menuFor = this.menuFor === id ? null : id;
    if (this.menuFor) void this.updateComplete.then(() => this.scroller.querySelector<HTMLElement>('.menu button')?.focus());
  }

  private async toggleReaction(m: ChatMessage, emoji: string): Promise<void> {
    this.menuFor = null;
    if (!this.room || !this.me) return;
    const mine = m.reactions.some((r) => r.emoji === emoji && r.userIds.includes(this.me!));
    try {
      await (mine ? this.room.unreact(m.id, emoji) : this.room.react(m.id, emoji));
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    }
  }

  private startEdit(id: string): void {
    this.menuFor = null;
    this.editing = id;
    void this.updateComplete.then(() => this.scroller.querySelector<HTMLTextAreaElement>('.edit textarea')?.focus());
  }

  private stopEdit(): void {
    const id = this.editing;
    this.editing = null;
    void this.updateComplete.then(() => this.scroller.querySelector<HTMLElement>(`[data-id="${id}"]`)?.focus());
  }

  private onEditKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.stopEdit();
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      (e.currentTarget as HTMLFormElement).requestSubmit();
    }
  }

  private async saveEdit(e: Event, m: ChatMessage): Promise<void> {
    e.preventDefault();
    const text = (e.currentTarget as HTMLFormElement).querySelector('textarea')!.value.trim();
    this.stopEdit();
    if (!this.room || !text || text === m.text) return;
    try {
      await this.room.edit(m.id, text);
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    }
  }

  private async removeMessage(m: ChatMessage): Promise<void> {
    this.menuFor = null;
    if (!this.room || !confirm(this.i18n.t('confirmDelete'))) return;
    try {
      await this.room.delete(m.id);
    } catch (err) {
      this.error = this.i18n.t('errorGeneric', { message: (err as Error).message });
    }
  }

  private onDragOver(e: DragEvent): void {
    if (this.upload && e.dataTransfer?.types.includes('Files')) e.preventDefault();
  }

  private onDrop(e: DragEvent): void {
    const files = [...(e.dataTransfer?.files ?? [])];
    if (!files.length || !this.upload) return;
    e.preventDefault();
    this.composer?.addFiles(files);
  }
}
