import type { AuthSessionDto, ServerToClientEvents } from '@confab/protocol';

import type { ChatError } from './errors.js';
import type { SessionEndReason } from './session.js';
import type { ConnectionStatus } from './transport/socket.js';

/** Why the session ended (`session:ended`), and the error behind it. */
export interface SessionEnded {
  reason: SessionEndReason;
  error: ChatError;
}

/** Client events: every server event, plus connection and session changes. */
export type ClientEvents = {
  [K in keyof ServerToClientEvents]: ServerToClientEvents[K];
} & {
  'connection:changed': (status: ConnectionStatus) => void;
  /**
   * New tokens (store them to resume later with `connectSession`), or null after logout.
   * `fromOtherTab`: another tab sharing the `storageKey` renewed, signed in or signed out.
   */
  'session:changed': (session: AuthSessionDto | null, fromOtherTab: boolean) => void;
  /**
   * The session ended other than by this client's `logout()`: signed out in another tab
   * (`logout-elsewhere`), or the server refused to renew it (`refused`). Sign in again to go on.
   */
  'session:ended': (ended: SessionEnded) => void;
};
