import type { MessageDto, SupportConversationDto, SupportInboxItemDto, UserSummaryDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { applyChange, filterOf, type InboxTab, inTab, TABS } from './inbox-list.js';

const ME = 'agent-me';
const OTHER = 'agent-other';

const user = (id: string, role: UserSummaryDto['role'], kind: UserSummaryDto['kind'] = 'member'): UserSummaryDto => ({
  id,
  kind,
  role,
  name: id,
  lastName: null,
  username: null,
  avatarUrl: null,
});

let messageSeq = 0;
function message(roomId: string, senderId: string | null, at: string, type: MessageDto['type'] = 'text'): MessageDto {
  messageSeq += 1;
  return {
    id: `msg-${messageSeq}`,
    roomId,
    seq: messageSeq,
    version: 1,
    clientId: null,
    senderId,
    sender: null,
    type,
    text: `text ${messageSeq}`,
    replyToId: null,
    attachments: [],
    reactions: [],
    createdAt: at,
    editedAt: null,
    deletedAt: null,
  };
}

interface ConvOptions {
  status?: 'open' | 'pending' | 'resolved';
  assigneeId?: string | null;
  createdAt?: string;
  lastMessage?: MessageDto | null;
}

function conversation(id: string, options: ConvOptions = {}): SupportConversationDto {
  const { status = 'open', assigneeId = null, createdAt = '2024-05-01T10:00:00.000Z' } = options;
  const lastMessage = options.lastMessage === undefined ? null : options.lastMessage;
  return {
    id,
    kind: 'support',
    name: null,
    slug: null,
    createdBy: visitorOf(id),
    lastSeq: lastMessage?.seq ?? 0,
    lastMessageAt: lastMessage?.createdAt ?? null,
    createdAt,
    memberCount: 2,
    slowModeSeconds: 0,
    support: { status, assigneeId, visitor: {}, resolvedAt: status === 'resolved' ? '2024-05-01T12:00:00.000Z' : null },
    visitor: { ...user(visitorOf(id), 'user', 'guest'), email: null },
    assignee: assigneeId ? user(assigneeId, 'agent') : null,
    lastMessage,
    labels: [],
    rating: null,
  };
}

const visitorOf = (conversationId: string) => `visitor-${conversationId}`;
const item = (c: SupportConversationDto, unreadCount = 0): SupportInboxItemDto => ({ ...c, unreadCount });
const ids = (items: readonly SupportInboxItemDto[]) => items.map((i) => i.id);

describe('filterOf', () => {
  it.each([
    ['open', { status: 'open' }],
    ['mine', { status: 'open', assignee: 'me' }],
    ['unassigned', { status: 'open', assignee: 'none' }],
    ['resolved', { status: 'resolved' }],
  ] as [InboxTab, object][])('asks the server for %s with %j', (tab, filter) => {
    expect(filterOf(tab)).toEqual(filter);
  });

  it('has a filter for every tab', () => {
    expect(TABS).toEqual(['open', 'mine', 'unassigned', 'resolved']);
  });
});

describe('inTab', () => {
  const cases: [string, SupportConversationDto, Record<InboxTab, boolean>][] = [
    ['open and unassigned', conversation('a'), { open: true, mine: false, unassigned: true, resolved: false }],
    ['open and mine', conversation('b', { assigneeId: ME }), { open: true, mine: true, unassigned: false, resolved: false }],
    ["open and someone else's", conversation('c', { assigneeId: OTHER }), { open: true, mine: false, unassigned: false, resolved: false }],
    [
      'resolved (was mine)',
      conversation('d', { status: 'resolved', assigneeId: ME }),
      { open: false, mine: false, unassigned: false, resolved: true },
    ],
    ['resolved and unassigned', conversation('e', { status: 'resolved' }), { open: false, mine: false, unassigned: false, resolved: true }],
    ['pending', conversation('f', { status: 'pending' }), { open: false, mine: false, unassigned: false, resolved: false }],
  ];

  it.each(cases)('places a conversation that is %s in the right tabs', (_, c, expected) => {
    const actual = Object.fromEntries(TABS.map((tab) => [tab, inTab(tab, c, ME)]));
    expect(actual).toEqual(expected);
  });

  it('matches the server filter of each tab for the same conversations', () => {
    // The filter for the tab and the client-side check agree on what belongs in it.
    const all = cases.map(([, c]) => c);
    for (const tab of TABS) {
      const f = filterOf(tab);
      const serverSide = all.filter(
        (c) =>
          c.support.status === f.status &&
          (f.assignee === undefined ||
            (f.assignee === 'me' ? c.support.assigneeId === ME : f.assignee === 'none' ? c.support.assigneeId === null : false)),
      );
      expect(
        all.filter((c) => inTab(tab, c, ME)).map((c) => c.id),
        tab,
      ).toEqual(serverSide.map((c) => c.id));
    }
  });
});

describe('applyChange', () => {
  it('inserts a conversation that is new to the tab', () => {
    const existing = item(conversation('old', { lastMessage: message('old', visitorOf('old'), '2024-05-01T10:00:00.000Z') }));
    const fresh = conversation('new', { lastMessage: message('new', visitorOf('new'), '2024-05-01T11:00:00.000Z') });
    const next = applyChange([existing], fresh, 'open', ME, null);
    expect(ids(next)).toEqual(['new', 'old']);
    expect(next[0]).toMatchObject({ id: 'new', support: fresh.support, lastMessage: fresh.lastMessage });
  });

  it('counts the first visitor message of a new conversation as unread', () => {
    const fresh = conversation('new', { lastMessage: message('new', visitorOf('new'), '2024-05-01T11:00:00.000Z') });
    expect(applyChange([], fresh, 'open', ME, null)[0]?.unreadCount).toBe(1);
  });

  it('inserts a conversation without messages with nothing unread', () => {
    const next = applyChange([], conversation('empty'), 'unassigned', ME, null);
    expect(next).toHaveLength(1);
    expect(next[0]?.unreadCount).toBe(0);
  });

  it('replaces the row of a conversation already listed (no duplicate) with the new data', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const assigned = { ...before, support: { ...before.support, assigneeId: ME }, assignee: user(ME, 'agent') };
    const next = applyChange([item(before, 2)], assigned, 'open', ME, null);
    expect(next).toHaveLength(1);
    expect(next[0]?.support.assigneeId).toBe(ME);
    expect(next[0]?.assignee?.id).toBe(ME);
  });

  it('keeps the unread count when the change carries no new message (assignment, status)', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const assigned = { ...before, support: { ...before.support, assigneeId: ME } };
    expect(applyChange([item(before, 2)], assigned, 'open', ME, null)[0]?.unreadCount).toBe(2);
  });

  it('adds one unread for a new visitor message in a conversation the agent is not viewing', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:01:00.000Z') });
    expect(applyChange([item(before, 2)], after, 'open', ME, 'some-other-conversation')[0]?.unreadCount).toBe(3);
  });

  it('does not count the same message twice when the same change arrives again', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:01:00.000Z') });
    const once = applyChange([item(before, 0)], after, 'open', ME, null);
    const twice = applyChange(once, after, 'open', ME, null);
    expect(twice[0]?.unreadCount).toBe(1);
  });

  it('keeps the conversation being viewed at 0 unread, even with a new visitor message', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:01:00.000Z') });
    expect(applyChange([item(before, 4)], after, 'open', ME, 'a')[0]?.unreadCount).toBe(0);
  });

  it('does not count a system message as unread', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { lastMessage: message('a', null, '2024-05-01T10:01:00.000Z', 'system') });
    expect(applyChange([item(before, 1)], after, 'open', ME, null)[0]?.unreadCount).toBe(1);
  });

  it('does not count a system message attributed to the visitor as unread', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:01:00.000Z', 'system') });
    expect(applyChange([item(before, 1)], after, 'open', ME, null)[0]?.unreadCount).toBe(1);
  });

  it('does not count your own message as unread', () => {
    const before = conversation('a', { assigneeId: ME, lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { assigneeId: ME, lastMessage: message('a', ME, '2024-05-01T10:01:00.000Z') });
    expect(applyChange([item(before, 1)], after, 'open', ME, null)[0]?.unreadCount).toBe(1);
  });

  it("counts another agent's message as unread, as the server's inbox does", () => {
    const before = conversation('a', { assigneeId: ME, lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const after = conversation('a', { assigneeId: ME, lastMessage: message('a', OTHER, '2024-05-01T10:01:00.000Z') });
    expect(applyChange([item(before, 1)], after, 'open', ME, null)[0]?.unreadCount).toBe(2);
  });

  it('drops a conversation from Open once it is resolved', () => {
    const a = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const b = conversation('b', { lastMessage: message('b', visitorOf('b'), '2024-05-01T09:00:00.000Z') });
    const resolved = { ...a, support: { ...a.support, status: 'resolved' as const } };
    expect(ids(applyChange([item(a), item(b)], resolved, 'open', ME, null))).toEqual(['b']);
  });

  it('drops a conversation from Mine once it is assigned to someone else', () => {
    const a = conversation('a', { assigneeId: ME });
    const handedOver = conversation('a', { assigneeId: OTHER });
    expect(applyChange([item(a)], handedOver, 'mine', ME, null)).toEqual([]);
  });

  it('drops a conversation from Unassigned once it is assigned (to anyone, me included)', () => {
    const a = conversation('a');
    expect(applyChange([item(a)], conversation('a', { assigneeId: ME }), 'unassigned', ME, null)).toEqual([]);
    expect(applyChange([item(a)], conversation('a', { assigneeId: OTHER }), 'unassigned', ME, null)).toEqual([]);
  });

  it('drops a conversation from Resolved once it is reopened, and adds it to Open', () => {
    const resolved = conversation('a', { status: 'resolved' });
    const reopened = conversation('a', { status: 'open' });
    expect(applyChange([item(resolved)], reopened, 'resolved', ME, null)).toEqual([]);
    expect(ids(applyChange([], reopened, 'open', ME, null))).toEqual(['a']);
  });

  it('leaves the list as it was when an unlisted conversation does not belong to the tab', () => {
    const a = item(conversation('a', { assigneeId: ME }));
    const next = applyChange([a], conversation('z', { assigneeId: OTHER }), 'mine', ME, null);
    expect(next).toEqual([a]);
  });

  it('sorts by last activity, newest first, with createdAt for conversations without messages', () => {
    const a = item(conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T08:00:00.000Z') }));
    const b = item(conversation('b', { lastMessage: message('b', visitorOf('b'), '2024-05-01T12:00:00.000Z') }));
    const quiet = conversation('quiet', { createdAt: '2024-05-01T10:00:00.000Z' });
    expect(ids(applyChange([b, a], quiet, 'open', ME, null))).toEqual(['b', 'quiet', 'a']);
  });

  it('moves a conversation with a new message to the top', () => {
    const a = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T08:00:00.000Z') });
    const b = item(conversation('b', { lastMessage: message('b', visitorOf('b'), '2024-05-01T12:00:00.000Z') }));
    const c = item(conversation('c', { lastMessage: message('c', visitorOf('c'), '2024-05-01T11:00:00.000Z') }));
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T13:00:00.000Z') });
    expect(ids(applyChange([b, c, item(a)], after, 'open', ME, null))).toEqual(['a', 'b', 'c']);
  });

  it('does not modify the list or the rows it was given', () => {
    const before = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:00:00.000Z') });
    const row = item(before, 1);
    const list = [row];
    const snapshot = structuredClone(list);
    const after = conversation('a', { lastMessage: message('a', visitorOf('a'), '2024-05-01T10:01:00.000Z') });
    const next = applyChange(list, after, 'open', ME, null);
    expect(list).toEqual(snapshot);
    expect(next).not.toBe(list);
    expect(next[0]).not.toBe(row);
  });
});
