import type { ChatError, ConnectionStatus, MessageDto, Room, SessionEndReason, SupportSettingsDto, UserDto } from '@confab/sdk';

// What <chat-widget> renders from, shared by the element and its lazily loaded VisitorSession.

/** Where the visitor's chat stands. */
export type VisitorPhase = 'idle' | 'loading' | 'prechat' | 'ready' | 'ended' | 'error';

/** Why the session is over: signed out in another tab, or the server would not renew it. */
export type VisitorEnd = Exclude<SessionEndReason, 'logout'>;

export interface VisitorState {
  phase: VisitorPhase;
  connection: ConnectionStatus;
  /** Greeting and who can answer (support mode). */
  settings: SupportSettingsDto | null;
  user: UserDto | null;
  /** The conversation or public room; null until the visitor's first message in support mode. */
  room: Room | null;
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
  unread: 0,
  error: null,
  ended: null,
};
