import type { ChatMessage } from '@confab/sdk';

import type { I18n } from '../../i18n/index.js';

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
      if (sender?.id === userId && (sender.name || sender.username)) return sender.name || sender.username!;
    }
  }
  return src.i18n.t('someone');
}

export function senderName(src: NameSource, m: ChatMessage): string {
  const { t } = src.i18n;
  if (!m.senderId) return t('someone');
  const name = m.sender?.name || m.sender?.username || src.names[m.senderId];
  if (name) return name;
  return m.sender?.kind === 'guest' ? t('visitor') : t('someone');
}

/** A system message in the reader's language (its stored `text` is English). */
export function systemText(src: NameSource, m: ChatMessage): string {
  const { t } = src.i18n;
  const event = m.system;
  switch (event?.event) {
    case 'assigned':
      return event.agentId && event.agentId !== event.actorId
        ? t('systemAssignedBy', { actor: nameOf(src, event.actorId), agent: nameOf(src, event.agentId) })
        : t('systemAssigned', { agent: nameOf(src, event.agentId ?? event.actorId) });
    case 'unassigned':
      return t('systemUnassigned');
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
