import jwt from 'jsonwebtoken';

import type { HostUser } from './users.js';

// Long enough for the page to hand it to the widget, short enough that a leaked copy is soon
// useless: the widget trades it at once for Confab's own, refreshable session.
export const CONFAB_TOKEN_TTL_SECONDS = 10 * 60;

/**
 * Signs the Confab user token for one of the site's users: HS256 with the app secret, `aud` =
 * the app id, `sub` = the site's user id (Confab keeps it as `externalId` and finds the same
 * Confab user by it next time), the profile Confab should show, and the role. This is the whole
 * contract of `POST /v1/auth/exchange`.
 */
export function signConfabToken(user: HostUser, app: { id: string; secret: string }): { token: string; expiresAt: string } {
  // The role is always sent, so taking `agent` away on the site takes it away in Confab too.
  const claims = { name: user.name, lastName: user.lastName, email: user.email, role: user.role };
  const token = jwt.sign(claims, app.secret, {
    algorithm: 'HS256',
    subject: user.id,
    audience: app.id,
    expiresIn: CONFAB_TOKEN_TTL_SECONDS,
  });
  return { token, expiresAt: new Date(Date.now() + CONFAB_TOKEN_TTL_SECONDS * 1000).toISOString() };
}
