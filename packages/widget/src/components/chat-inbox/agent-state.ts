import type {
  CannedResponseDto,
  ConnectionStatus,
  Room,
  SupportAvailabilityDto,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportLabelDto,
  SupportMentionEvent,
  SupportNoteDto,
  UserDto,
} from '@confab/sdk';

import { fullName } from '../../lib/avatar.js';
import type { InboxTab } from './inbox-list.js';

// What <chat-inbox> renders from, shared by the element and its AgentSession.

/** Why the agent is at the sign-in form: their session ended, or they signed out in another tab. */
export type SignInNotice = 'ended' | 'elsewhere' | null;

/** What `<chat-inbox>` renders from. */
export interface AgentState {
  phase: 'starting' | 'signin' | 'ready';
  connection: ConnectionStatus;
  me: UserDto | null;
  notice: SignInNotice;
  /** The sign-in failed: `not-agent`, or the server's message. */
  signInError: string | null;
  tab: InboxTab;
  items: SupportInboxItemDto[];
  /** The next page of the tab's list; null when it is all shown. */
  cursor: string | null;
  selected: SupportConversationDto | null;
  room: Room | null;
  /** The selected visitor's other conversations; null until they are loaded. */
  previous: SupportInboxItemDto[] | null;
  availability: SupportAvailabilityDto | null;
  canned: CannedResponseDto[];
  /** The app's labels, by name (inbox-labels.ts). */
  labels: SupportLabelDto[];
  /** The list shows only conversations carrying this label; null: all. */
  labelFilter: string | null;
  /** The last claim / assign / resolve / load that failed, in the server's words. */
  actionError: string | null;
  /** The selected conversation's private notes, oldest first (agent-notes.ts). */
  notes: SupportNoteDto[];
  /** What the composer writes: a reply the visitor gets, or a private note. */
  composing: 'reply' | 'note';
  /** The newest note that mentioned the agent, until they open it or dismiss it. */
  mention: SupportMentionEvent | null;
}

export const INITIAL_AGENT: AgentState = {
  phase: 'starting',
  connection: 'idle',
  me: null,
  notice: null,
  signInError: null,
  tab: 'open',
  items: [],
  cursor: null,
  selected: null,
  room: null,
  previous: null,
  availability: null,
  canned: [],
  labels: [],
  labelFilter: null,
  actionError: null,
  notes: [],
  composing: 'reply',
  mention: null,
};

/** Names the inbox already knows, by user id: the agent, the team, the listed visitors. */
export function knownNames(s: AgentState): Record<string, string> {
  const names: Record<string, string> = {};
  const add = (p: { id: string; name: string | null; lastName: string | null } | null | undefined) => {
    const name = fullName(p);
    if (p && name) names[p.id] = name;
  };
  for (const c of s.selected ? [...s.items, s.selected] : s.items) {
    add(c.visitor);
    add(c.assignee);
  }
  for (const agent of s.availability?.agents ?? []) add(agent);
  add(s.me);
  return names;
}
