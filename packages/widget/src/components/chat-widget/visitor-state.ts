import type {
  ChatError,
  ConnectionStatus,
  MessageDto,
  Room,
  SessionEndReason,
  SupportSettingsDto,
  SupportStatus,
  UserDto,
} from '@confab/sdk';

// What <chat-widget> renders from, shared by the element and its lazily loaded VisitorSession.

/** Where the visitor's chat stands. */
export type VisitorPhase = 'idle' | 'loading' | 'prechat' | 'ready' | 'ended' | 'error';

/** Why the session is over: signed out in another tab, or the server would not renew it. */
export type VisitorEnd = Exclude<SessionEndReason, 'logout'>;

/** What the ready panel shows in support mode: one conversation, or the list of them. */
export type VisitorView = 'thread' | 'list';

/** One of the visitor's support conversations, as the list shows it. */
export interface ConversationSummary {
  id: string;
  status: SupportStatus;
  assigneeId: string | null;
  lastMessage: MessageDto | null;
  /** The last activity (or the start), for ordering and the time shown. */
  at: string;
  unread: number;
}

export interface VisitorState {
  phase: VisitorPhase;
  connection: ConnectionStatus;
  /** Greeting and who can answer (support mode). */
  settings: SupportSettingsDto | null;
  user: UserDto | null;
  /** The conversation or public room; null until the visitor's first message in support mode. */
  room: Room | null;
  /** The visitor's support conversations: open and pending first, then resolved, each newest first. */
  conversations: readonly ConversationSummary[];
  view: VisitorView;
  /** The launcher badge: what the visitor has not read. */
  unread: number;
  error: ChatError | null;
  /** Set in the `ended` phase. */
  ended: VisitorEnd | null;
}

export interface VisitorHooks {
  message(message: MessageDto): void;
  error(error: ChatError): void;
}

export const INITIAL_VISITOR: VisitorState = {
  phase: 'idle',
  connection: 'idle',
  settings: null,
  user: null,
  room: null,
  conversations: [],
  view: 'thread',
  unread: 0,
  error: null,
  ended: null,
};

/** The header offers the way back to the list: there is more than one conversation, or this one is over. */
export function canGoBack(state: VisitorState): boolean {
  const { conversations, room } = state;
  if (!room) return conversations.length > 0;
  return conversations.length > 1 || conversations.find((c) => c.id === room.id)?.status === 'resolved';
}
