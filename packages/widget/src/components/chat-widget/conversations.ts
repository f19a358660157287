import type { MessageDto, RoomDto, RoomListItemDto, StartConversationResult } from '@confab/sdk';

import type { ConversationSummary, VisitorView } from './visitor-state.js';

// The visitor's list of conversations as pure steps over an immutable list (loaded with the
// session, not with the launcher). VisitorConversations feeds them the server's answers and events.

/** Open and pending conversations first, then resolved ones; newest activity first within each. */
export function sortConversations(list: readonly ConversationSummary[]): ConversationSummary[] {
  const rank = (c: ConversationSummary) => (c.status === 'resolved' ? 1 : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || b.at.localeCompare(a.at));
}

/** The support conversations of the visitor's room list. */
export function fromRoomList(rooms: readonly RoomListItemDto[]): ConversationSummary[] {
  return rooms.flatMap((room) =>
    room.kind === 'support' && room.support
      ? [
          {
            id: room.id,
            status: room.support.status,
            assigneeId: room.support.assigneeId,
            lastMessage: room.lastMessage,
            at: room.lastMessage?.createdAt ?? room.lastMessageAt ?? room.createdAt,
            unread: room.unreadCount,
          },
        ]
      : [],
  );
}

/** The visitor's first message made a conversation: it joins the list at once. */
export function withStarted(list: readonly ConversationSummary[], started: StartConversationResult): ConversationSummary[] {
  const lastMessage = started.message ?? started.lastMessage;
  const summary: ConversationSummary = {
    id: started.id,
    status: started.support.status,
    assigneeId: started.support.assigneeId,
    lastMessage,
    at: lastMessage?.createdAt ?? started.createdAt,
    unread: 0,
  };
  return sortConversations([summary, ...list.filter((c) => c.id !== started.id)]);
}

/** A conversation's status or assignee changed; null when the list does not hold it. */
export function withRoom(list: readonly ConversationSummary[], room: RoomDto): ConversationSummary[] | null {
  if (!room.support || !list.some((c) => c.id === room.id)) return null;
  const { status, assigneeId } = room.support;
  return sortConversations(list.map((c) => (c.id === room.id ? { ...c, status, assigneeId } : c)));
}

/** A newer message of a conversation becomes its last one. */
export function withMessage(list: readonly ConversationSummary[], message: MessageDto): ConversationSummary[] {
  return sortConversations(
    list.map((c) => (c.id === message.roomId && message.createdAt >= c.at ? { ...c, lastMessage: message, at: message.createdAt } : c)),
  );
}

/** What the visitor has not read: the room on screen counts live, the others as the list last said. */
export function unreadTotal(list: readonly ConversationSummary[], current: { id: string; unreadCount: number } | null): number {
  return list.reduce((n, c) => (c.id === current?.id ? n : n + c.unread), current?.unreadCount ?? 0);
}

/**
 * Where the panel opens: the conversation the visitor was in (`stored`) unless it is resolved and
 * there are others to choose from; else the only one; else the list (several) or a new one (none).
 */
export function chooseConversation(
  list: readonly ConversationSummary[],
  stored: string | undefined,
): { open: ConversationSummary | null; view: VisitorView } {
  const current = list.find((c) => c.id === stored);
  if (current && (current.status !== 'resolved' || list.length === 1)) return { open: current, view: 'thread' };
  if (!current && list.length === 1) return { open: list[0]!, view: 'thread' };
  return { open: null, view: list.length > 1 ? 'list' : 'thread' };
}
