import type { ChatMessage, MessageStatus } from '@confab/sdk';
import { html, nothing, type TemplateResult } from 'lit';

import type { I18n, Strings } from '../../i18n/index.js';
import { renderAvatar } from '../../lib/avatar.js';
import type { TimelineRow } from '../../lib/timeline.js';
import { QUICK_REACTIONS, renderEmojiPicker } from './emoji-picker.js';
import type { MessageActions } from './message-actions.js';
import { avatarUrlOf, excerpt, nameOf, type NameSource, senderName, systemText } from './message-text.js';
import type { ThreadModeration } from './thread-moderation.js';

const STATUS_LABEL: Record<MessageStatus, keyof Strings> = {
  pending: 'statusPending',
  sent: 'statusSent',
  delivered: 'statusDelivered',
  read: 'statusRead',
  failed: 'statusFailed',
};
const TICK: Record<MessageStatus, string> = { pending: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/** What drawing a message needs from the thread. */
export interface MessageViewContext {
  i18n: I18n;
  me: string | null;
  naming: NameSource;
  actions: MessageActions;
  /** The text and files of a message that is neither deleted nor being edited. */
  content(m: ChatMessage): unknown;
  /** The loaded message with that id. */
  find(id: string): ChatMessage | undefined;
  /** Group and public rooms: reports and moderators' actions, once loaded (thread-moderation.ts). */
  moderation: ThreadModeration | null;
}

/**
 * One message: the sender's name and avatar on the first of a group from others, the bubble (with
 * the quote of the message it answers), reactions, time and ticks at the bubble's edge, and an
 * actions button beside the bubble that shows on hover, focus or a tap.
 */
export function renderMessage(row: Extract<TimelineRow, { kind: 'message' }>, view: MessageViewContext): TemplateResult {
  const { i18n, actions } = view;
  const { t } = i18n;
  const m = row.message;
  if (m.type === 'system') {
    return html`<div class="system" part="message system" data-id=${m.id} tabindex="-1">
      ${systemText(view.naming, m)} · ${i18n.time(m.createdAt)}
    </div>`;
  }
  const mine = m.senderId !== null && m.senderId === view.me;
  const deleted = m.deletedAt !== null;
  const open = actions.openFor === m.id;
  const classes = [
    'msg',
    mine ? 'mine' : 'theirs',
    row.groupStart ? 'start' : '',
    row.groupEnd ? 'end' : '',
    deleted ? 'deleted' : '',
    m.status === 'failed' ? 'failed' : '',
    actions.touched === m.id || open ? 'touched' : '',
    actions.flash === m.id ? 'flash' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const name = mine ? t('you') : senderName(view.naming, m);
  const status = t(STATUS_LABEL[m.status]);
  const retry = m.status === 'failed' ? m.retry : undefined;
  const avatar =
    row.groupStart && !mine
      ? renderAvatar({ id: m.senderId, name, avatarUrl: m.sender?.avatarUrl ?? (m.senderId && avatarUrlOf(view.naming, m.senderId)) }, 'sm')
      : nothing;
  return html`<div
    class=${classes}
    part=${mine ? 'message mine' : 'message theirs'}
    data-id=${m.id}
    data-status=${mine ? m.status : nothing}
    tabindex="-1"
  >
    ${row.groupStart && !mine ? html`<div class="sender" aria-hidden="true">${name}</div>` : nothing}
    <div class="line" @click=${(e: MouseEvent) => onLineClick(e, view, m.id)}>
      ${avatar}
      <div class="bubble">
        ${!deleted && m.replyToId ? renderQuote(view, m.replyToId) : nothing}<span class="sr-only">${name}: </span>${
          deleted ? t('deleted') : actions.editing === m.id ? renderEditor(view, m) : view.content(m)
        }
      </div>
      ${
        !deleted && m.seq > 0
          ? html`<button
              class="more"
              aria-label=${t('messageActions')}
              aria-expanded=${open ? 'true' : 'false'}
              @click=${() => actions.toggleMenu(m.id)}
            >
              <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                <circle cx="3" cy="8" r="1.5" />
                <circle cx="8" cy="8" r="1.5" />
                <circle cx="13" cy="8" r="1.5" />
              </svg>
            </button>`
          : nothing
      }
    </div>
    ${!deleted && m.reactions.length ? renderReactions(view, m) : nothing}
    <div class=${row.groupEnd || retry || (m.editedAt && !deleted) ? 'meta' : 'meta sr-only'}>
      <time datetime=${m.createdAt}>${i18n.time(m.createdAt)}</time>
      ${m.editedAt && !deleted ? html`<span>${t('edited')}</span>` : nothing}
      ${mine ? html`<span class=${`tick ${m.status}`} role="img" aria-label=${status} title=${status}>${TICK[m.status]}</span>` : nothing}
      ${retry ? html`<button class="retry" @click=${() => retry().catch(() => undefined)}>${t('retry')}</button>` : nothing}
    </div>
    ${open && !deleted ? renderPanel(view, m, mine) : nothing}
  </div>`;
}

/** The greeting: a message from the team that is not stored, so it has no time or actions. */
export function renderGreeting(text: string) {
  return html`<div class="msg start end theirs greeting" part="message greeting" tabindex="-1">
    <div class="line">
      <div class="bubble"><span class="text">${text}</span></div>
    </div>
  </div>`;
}

/** The other side typing: three dots in a bubble, with who it is for screen readers. */
export function renderTyping(view: Pick<MessageViewContext, 'naming'>, text: string, userIds: readonly string[]) {
  const one = userIds.length === 1 ? userIds[0]! : null;
  return html`${
      one
        ? renderAvatar({ id: one, name: nameOf(view.naming, one), avatarUrl: avatarUrlOf(view.naming, one) }, 'sm')
        : html`<span class="avatar-space"></span>`
    }<span class="dots" aria-hidden="true"><i></i><i></i><i></i></span><span class="sr-only">${text}</span>`;
}

/** The message being answered, shown above the message box with a way to drop it. */
export function renderReplyBar(view: MessageViewContext, m: ChatMessage) {
  const { t } = view.i18n;
  const name = m.senderId !== null && m.senderId === view.me ? t('you') : senderName(view.naming, m);
  return html`<div class="replying" part="reply-preview" role="group" aria-label=${t('replyingTo', { name })}>
    <div class="quote-body">
      <span class="quote-name">${t('replyingTo', { name })}</span>
      <span class="quote-text">${excerpt(view.naming, m)}</span>
    </div>
    <button type="button" class="close" aria-label=${t('cancelReply')} @click=${() => view.actions.cancelReply()}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" /></svg>
    </button>
  </div>`;
}

/** The compact quote of the message a reply answers: a button that jumps to it when it is loaded. */
function renderQuote(view: MessageViewContext, id: string) {
  const { t } = view.i18n;
  const original = view.find(id);
  if (!original) {
    return html`<span class="quote missing" part="quote"><span class="quote-text">${t('quoteNotLoaded')}</span></span>`;
  }
  const name = original.senderId !== null && original.senderId === view.me ? t('you') : senderName(view.naming, original);
  const text = original.deletedAt ? t('quoteDeleted') : excerpt(view.naming, original);
  return html`<button
    type="button"
    class=${original.deletedAt ? 'quote deleted' : 'quote'}
    part="quote"
    aria-label=${t('quoteLabel', { name, text })}
    @click=${(e: Event) => {
      e.stopPropagation();
      void view.actions.jumpTo(id);
    }}
  >
    <span class="quote-name">${name}</span>
    <span class="quote-text">${text}</span>
  </button>`;
}

function renderReactions(view: MessageViewContext, m: ChatMessage) {
  const { t } = view.i18n;
  return html`<div class="reactions">
    ${m.reactions.map(
      (r) =>
        html`<button
          class="reaction"
          aria-pressed=${view.me && r.userIds.includes(view.me) ? 'true' : 'false'}
          title=${t('reactWith', { emoji: r.emoji })}
          @click=${() => view.actions.toggleReaction(m, r.emoji)}
        >
          <span class="glyph">${r.emoji}</span> ${r.count}
        </button>`,
    )}
  </div>`;
}

/** What opens under a message: the menu, the emoji picker or the delete confirmation. */
function renderPanel(view: MessageViewContext, m: ChatMessage, mine: boolean) {
  const { t } = view.i18n;
  const { actions } = view;
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    e.preventDefault();
    actions.close();
  };
  if (actions.panel === 'confirm') {
    return html`<div class="sheet confirm" role="alertdialog" aria-label=${t('confirmDelete')} @keydown=${onKey}>
      <p aria-hidden="true">${t('confirmDelete')}</p>
      <div class="buttons">
        <button type="button" class="cancel" @click=${() => actions.close()}>${t('cancel')}</button>
        <button type="button" class="danger" @click=${() => actions.confirmDelete(m)}>${t('delete')}</button>
      </div>
    </div>`;
  }
  if (actions.panel === 'moderation') {
    return html`<div class="sheet mod-sheet" @keydown=${onKey}>${view.moderation?.panel(m) ?? nothing}</div>`;
  }
  if (actions.panel === 'picker') {
    return html`<div class="sheet">
      ${renderEmojiPicker(
        view.i18n,
        (emoji) => void actions.toggleReaction(m, emoji),
        () => actions.close(),
      )}
    </div>`;
  }
  return html`<div class="sheet" role="group" aria-label=${t('messageActions')} @keydown=${onKey}>
    <div class="quick">
      ${QUICK_REACTIONS.map(
        (emoji) =>
          html`<button type="button" class="emoji" aria-label=${t('reactWith', { emoji })} @click=${() => actions.toggleReaction(m, emoji)}>
            ${emoji}
          </button>`,
      )}
      <button type="button" class="emoji add" aria-label=${t('moreReactions')} @click=${() => actions.openPicker(m.id)}>
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <circle cx="9" cy="10" r="6.5" />
          <path d="M6.5 11.5c.7 1 1.5 1.5 2.5 1.5s1.8-.5 2.5-1.5M7 8h.01M11 8h.01M16 2v5M13.5 4.5h5" />
        </svg>
      </button>
    </div>
    <div class="actions-row">
      <button type="button" @click=${() => actions.reply(m)}>${t('reply')}</button>
      ${
        mine && m.text && !m.attachments.length
          ? html`<button type="button" @click=${() => actions.startEdit(m.id)}>${t('edit')}</button>`
          : nothing
      }
      ${mine ? html`<button type="button" class="danger" @click=${() => actions.askDelete(m.id)}>${t('delete')}</button>` : nothing}
    </div>
    ${view.moderation?.menu(m, mine) ?? nothing}
  </div>`;
}

function renderEditor(view: MessageViewContext, m: ChatMessage) {
  const { t } = view.i18n;
  const { actions } = view;
  const save = (form: HTMLFormElement) => actions.saveEdit(m, form.querySelector('textarea')!.value.trim());
  return html`<form
    class="edit"
    @submit=${(e: Event) => {
      e.preventDefault();
      void save(e.currentTarget as HTMLFormElement);
    }}
    @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        actions.stopEdit();
      } else if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        (e.currentTarget as HTMLFormElement).requestSubmit();
      }
    }}
    @click=${(e: Event) => e.stopPropagation()}
  >
    <textarea aria-label=${t('editLabel')} .value=${m.text} rows="2"></textarea>
    <div class="buttons">
      <button type="button" @click=${() => actions.stopEdit()}>${t('cancel')}</button>
      <button type="submit">${t('save')}</button>
    </div>
  </form>`;
}

/** A tap on the bubble (not on a link, button or image inside it) shows or hides the actions button. */
function onLineClick(e: MouseEvent, view: MessageViewContext, id: string): void {
  const target = e.target as HTMLElement;
  if (target.closest('a, button, img, textarea, form')) return;
  view.actions.touch(id);
}
