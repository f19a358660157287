import type { ChatMessage } from '@confab/sdk';

import type { I18n } from '../../i18n/index.js';
import { fullName } from '../../lib/avatar.js';

/** What naming people in a thread draws on: the strings, names given by the parent, the messages held. */
export interface NameSource {
  i18n: I18n;
  names: Readonly<Record<string, string>>;
  messages: readonly ChatMessage[];
}

/** A user's name: given by the parent, else from their latest message, else "Someone". */
export function nameOf(src: NameSource, userId: string | null | undefined): string {
  if (userId) {
    if (src.names[userId]) return src.names[userId];
    for (let i = src.messages.length - 1; i >= 0; i--) {
      const sender = src.messages[i]?.sender;
      if (sender?.id === userId && fullName(sender)) return fullName(sender);
    }
  }
  return src.i18n.t('someone');
}

export function senderName(src: NameSource, m: ChatMessage): string {
  const { t } = src.i18n;
  if (!m.senderId) return t('someone');
  // The parent may know more (e.g. the visitor's last name, which message senders do not carry).
  const name = src.names[m.senderId] || fullName(m.sender);
  if (name) return name;
  return m.sender?.kind === 'guest' ? t('visitor') : t('someone');
}

/** A user's picture, from the latest message of theirs that carries one. */
export function avatarUrlOf(src: NameSource, userId: string): string | null {
  for (let i = src.messages.length - 1; i >= 0; i--) {
    const sender = src.messages[i]?.sender;
    if (sender?.id === userId && sender.avatarUrl) return sender.avatarUrl;
  }
  return null;
}

/** One line of a message for a reply quote: its text with spaces folded, else its first file's name. */
export function excerpt(src: NameSource, m: ChatMessage, max = 120): string {
  if (m.deletedAt) return src.i18n.t('deleted');
  const text = m.text.replace(/\s+/g, ' ').trim();
  if (!text) return m.attachments[0]?.name ?? src.i18n.t('attachment');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A system message in the reader's language (its stored `text` is English). */
export function systemText(src: NameSource, m: ChatMessage): string {
  const { t } = src.i18n;
  const event = m.system;
  switch (event?.event) {
    case 'assigned':
      // No actor: the server's auto-assignment.
      if (!event.actorId && event.agentId) return t('systemAssignedAuto', { agent: nameOf(src, event.agentId) });
      return event.agentId && event.agentId !== event.actorId
        ? t('systemAssignedBy', { actor: nameOf(src, event.actorId), agent: nameOf(src, event.agentId) })
        : t('systemAssigned', { agent: nameOf(src, event.agentId ?? event.actorId) });
    case 'unassigned':
      // No actor: back in the queue because the agent was away too long.
      return !event.actorId && event.agentId ? t('systemRequeued', { agent: nameOf(src, event.agentId) }) : t('systemUnassigned');
    case 'resolved':
      return t('systemResolved');
    case 'reopened':
      return t('systemReopened');
    case 'pending':
      return t('systemPending');
    case 'away':
      return m.text || t('systemAway');
    default:
      return m.text;
  }
}

export function typingText(src: NameSource, userIds: readonly string[]): string {
  const { t } = src.i18n;
  if (!userIds.length) return '';
  if (userIds.length > 1) return t('typingMany');
  return t('typingOne', { name: nameOf(src, userIds[0]) });
}
