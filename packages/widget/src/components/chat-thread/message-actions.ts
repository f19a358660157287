import type { ChatMessage, Room } from '@confab/sdk';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What is open under a message: its menu, the emoji picker, the delete confirmation, or a moderation panel (room-moderation/). */
export type MessagePanel = 'menu' | 'picker' | 'confirm' | 'moderation';

/** What the actions need from the thread that holds them. */
export interface MessageActionsOptions {
  room(): Room | null;
  me(): string | null;
  /** The scrolling list the messages are drawn in. */
  list(): HTMLElement | null;
  /** Says a failed action (react, edit, delete) to the reader. */
  fail(err: unknown): void;
  /** Puts the focus in the message box. */
  focusComposer(): void;
  /** Stops the list following its bottom (a jump to an older message is about to scroll it). */
  leaveBottom(): void;
}

const FLASH_MS = 1600;

/**
 * What a reader does with messages: the menu under one, reactions, editing and deleting their
 * own (asked in place, never with `window.confirm`), replying, and jumping to a quoted message.
 * Lives beside `<confab-thread>` so the thread stays about the timeline; every change re-renders it.
 */
export class MessageActions implements ReactiveController {
  /** The message whose panel is open. */
  openFor: string | null = null;
  panel: MessagePanel = 'menu';
  editing: string | null = null;
  /** The message being answered in the composer. */
  replyingTo: ChatMessage | null = null;
  /** The message whose actions button a tap has shown (touch screens have no hover). */
  touched: string | null = null;
  /** The message just jumped to from a quote, highlighted for a moment. */
  flash: string | null = null;

  private room: Room | null = null;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: MessageActionsOptions,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    const room = this.options.room();
    if (room !== this.room) {
      this.room = room;
      this.openFor = this.editing = this.replyingTo = this.touched = this.flash = null;
    }
  }

  hostDisconnected(): void {
    clearTimeout(this.flashTimer);
  }

  /** Opens (or, when already open, closes) the menu under a message. */
  toggleMenu(id: string): void {
    if (this.openFor === id && this.panel === 'menu') {
      this.close();
      return;
    }
    this.show(id, 'menu', '.sheet button');
  }

  openPicker(id: string): void {
    this.show(id, 'picker', '.picker button[tabindex="0"]');
  }

  /** Opens the room moderation's panel under a message (a report form, a confirmation), focusing `focus` in it. */
  openModeration(id: string, focus: string): void {
    this.show(id, 'moderation', focus);
  }

  /** Closes the open panel; the focus goes back to the message's actions button. */
  close(): void {
    const id = this.openFor;
    this.openFor = null;
    this.host.requestUpdate();
    if (id) this.focusIn(id, '.more');
  }

  /** Taps on a message show its actions button (and a second tap hides it). */
  touch(id: string): void {
    this.touched = this.touched === id ? null : id;
    this.host.requestUpdate();
  }

  async toggleReaction(m: ChatMessage, emoji: string): Promise<void> {
    const wasOpen = this.openFor === m.id;
    this.openFor = null;
    this.host.requestUpdate();
    if (wasOpen) this.focusIn(m.id, '.more');
    const room = this.options.room();
    const me = this.options.me();
    if (!room || !me) return;
    const mine = m.reactions.some((r) => r.emoji === emoji && r.userIds.includes(me));
    try {
      await (mine ? room.unreact(m.id, emoji) : room.react(m.id, emoji));
    } catch (err) {
      this.options.fail(err);
    }
  }

  reply(m: ChatMessage): void {
    this.openFor = null;
    this.replyingTo = m;
    this.host.requestUpdate();
    this.options.focusComposer();
  }

  /** Drops the reply being written; `refocus` puts the focus back in the message box. */
  cancelReply(refocus = true): void {
    this.replyingTo = null;
    this.host.requestUpdate();
    if (refocus) this.options.focusComposer();
  }

  startEdit(id: string): void {
    this.openFor = null;
    this.editing = id;
    this.host.requestUpdate();
    this.focusIn(id, '.edit textarea');
  }

  stopEdit(): void {
    const id = this.editing;
    this.editing = null;
    this.host.requestUpdate();
    if (id) this.focusIn(id, '');
  }

  async saveEdit(m: ChatMessage, text: string): Promise<void> {
    this.stopEdit();
    const room = this.options.room();
    if (!room || !text || text === m.text) return;
    try {
      await room.edit(m.id, text);
    } catch (err) {
      this.options.fail(err);
    }
  }

  /** Asks in place whether to delete; the focus lands on Cancel, the safe choice. */
  askDelete(id: string): void {
    this.show(id, 'confirm', '.confirm .cancel');
  }

  async confirmDelete(m: ChatMessage): Promise<void> {
    this.openFor = null;
    this.host.requestUpdate();
    this.focusIn(m.id, '');
    const room = this.options.room();
    if (!room) return;
    try {
      await room.delete(m.id);
    } catch (err) {
      this.options.fail(err);
    }
  }

  /** Scrolls the original of a reply into view, focuses it and highlights it for a moment. */
  async jumpTo(id: string): Promise<void> {
    const find = () => this.options.list()?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
    if (!find()) return;
    clearTimeout(this.flashTimer);
    this.flash = id;
    this.host.requestUpdate();
    this.flashTimer = setTimeout(() => {
      this.flash = null;
      this.host.requestUpdate();
    }, FLASH_MS);
    // Scroll once drawn: the scroll anchor would put back a scroll that a render overtakes.
    await this.host.updateComplete;
    const el = find();
    if (!el) return;
    this.options.leaveBottom();
    // The list alone scrolls (scrollIntoView would also scroll the page and the inbox's columns).
    const list = this.options.list();
    if (list) {
      const offset = el.getBoundingClientRect().top - list.getBoundingClientRect().top;
      list.scrollTop += offset - (list.clientHeight - el.offsetHeight) / 2;
    }
    el.focus({ preventScroll: true });
  }

  private show(id: string, panel: MessagePanel, focus: string): void {
    this.openFor = id;
    this.panel = panel;
    this.host.requestUpdate();
    this.focusIn(id, focus);
  }

  /** After the next render, focuses `selector` inside the message (the message itself when empty). */
  private focusIn(id: string, selector: string): void {
    void this.host.updateComplete.then(() => {
      const el = this.options.list()?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      const target = selector ? el?.querySelector<HTMLElement>(selector) : el;
      (target ?? el)?.focus();
    });
  }
}
