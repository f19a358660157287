import type { RoomDto } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { chooseConversation, sortConversations, unreadTotal, withRoom } from './conversations.js';
import type { ConversationSummary } from './visitor-state.js';

const summary = (id: string, status: ConversationSummary['status'], at: string, unread = 0): ConversationSummary => ({
  id,
  status,
  assigneeId: null,
  lastMessage: null,
  at,
  unread,
});

const open = summary('open', 'open', '2026-01-02T10:00:00.000Z', 1);
const older = summary('older', 'pending', '2026-01-01T10:00:00.000Z');
const resolved = summary('resolved', 'resolved', '2026-01-03T10:00:00.000Z', 2);

describe('the visitor’s conversations', () => {
  it('lists open and pending conversations before resolved ones, newest first within each', () => {
    expect(sortConversations([resolved, older, open]).map((c) => c.id)).toEqual(['open', 'older', 'resolved']);
  });

  it('opens the stored conversation unless it is resolved and there are others', () => {
    expect(chooseConversation([open, resolved], 'open')).toEqual({ open, view: 'thread' });
    expect(chooseConversation([open, resolved], 'resolved')).toEqual({ open: null, view: 'list' });
    expect(chooseConversation([resolved], 'resolved')).toEqual({ open: resolved, view: 'thread' });
  });

  it('without a stored one: the only conversation, else the list, else a new conversation', () => {
    expect(chooseConversation([resolved], undefined)).toEqual({ open: resolved, view: 'thread' });
    expect(chooseConversation([open, resolved], 'someone-elses')).toEqual({ open: null, view: 'list' });
    expect(chooseConversation([], undefined)).toEqual({ open: null, view: 'thread' });
  });

  it('moves a conversation that was resolved to the end, and ignores rooms it does not hold', () => {
    const room = { id: 'open', kind: 'support', support: { status: 'resolved', assigneeId: 'a1' } } as RoomDto;
    expect(withRoom([open, older], room)?.map((c) => [c.id, c.status, c.assigneeId])).toEqual([
      ['older', 'pending', null],
      ['open', 'resolved', 'a1'],
    ]);
    expect(withRoom([older], room)).toBeNull();
  });

  it('counts the room on screen live and the others as listed', () => {
    expect(unreadTotal([open, resolved], { id: 'open', unreadCount: 0 })).toBe(2);
    expect(unreadTotal([open, resolved], null)).toBe(3);
  });
});
