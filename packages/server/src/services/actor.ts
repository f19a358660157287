import type { UserKind, UserRole } from '@confab/protocol';

import { ForbiddenError } from '../errors.js';

/** The authenticated caller every service call acts for. */
export interface Actor {
  id: string;
  appId: string;
  role: UserRole;
  kind: UserKind;
  /** The refresh-token family this access token belongs to. */
  sessionId: string;
  /** When the access token this actor came with expires (ms since epoch). */
  tokenExpiresAt: number;
}

/** Agents and admins see more of their app (emails, every support conversation). */
export function isStaff(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'agent' || actor.role === 'admin';
}

/** Support work (the inbox, assignment, canned responses) is for the app's agents and admins. */
export function requireStaff(actor: Pick<Actor, 'role'>, message = 'Only agents and admins of this app can do this'): void {
  if (!isStaff(actor)) throw new ForbiddenError(message);
}
