import type { SupportConversationDto, SupportInboxItemDto } from '@confab/sdk';

export type InboxTab = 'open' | 'mine' | 'unassigned' | 'resolved';

export const TABS: readonly InboxTab[] = ['open', 'mine', 'unassigned', 'resolved'];

/** The server filter behind each tab. */
export function filterOf(tab: InboxTab): { status: 'open' | 'resolved'; assignee?: string } {
  switch (tab) {
    case 'mine':
      return { status: 'open', assignee: 'me' };
    case 'unassigned':
      return { status: 'open', assignee: 'none' };
    case 'resolved':
      return { status: 'resolved' };
    default:
      return { status: 'open' };
  }
}

/** Whether a conversation belongs in a tab, for `me`. */
export function inTab(tab: InboxTab, c: SupportConversationDto, me: string): boolean {
  const status = c.support.status;
  if (tab === 'resolved') return status === 'resolved';
  if (status !== 'open') return false;
  if (tab === 'mine') return c.support.assigneeId === me;
  if (tab === 'unassigned') return c.support.assigneeId === null;
  return true;
}

function activity(c: SupportConversationDto): number {
  return Date.parse(c.lastMessageAt ?? c.createdAt);
}

/**
 * Applies a live `support:conversation` change to the list of a tab: updates, inserts, or drops
 * it, newest activity first. A message from someone else that the agent is not looking at counts
 * as unread.
 */
export function applyChange(
  items: readonly SupportInboxItemDto[],
  change: SupportConversationDto,
  tab: InboxTab,
  me: string,
  viewing: string | null,
): SupportInboxItemDto[] {
  const current = items.find((i) => i.id === change.id);
  const rest = items.filter((i) => i.id !== change.id);
  if (!inTab(tab, change, me)) return rest;
  // As the server counts unread: text messages from anyone but `me` (the visitor, other agents).
  const newFromOthers =
    change.lastMessage !== null &&
    change.lastMessage.id !== current?.lastMessage?.id &&
    change.lastMessage.type !== 'system' &&
    change.lastMessage.senderId !== me;
  const unread = change.id === viewing ? 0 : (current?.unreadCount ?? 0) + (newFromOthers ? 1 : 0);
  const next: SupportInboxItemDto = { ...change, unreadCount: unread };
  return [...rest, next].sort((a, b) => activity(b) - activity(a));
}
