import { type EraseMeInput, LIMITS } from '@confab/protocol';
import jwt from 'jsonwebtoken';

import type { App, User } from '../../db/models/index.js';
import { ForbiddenError } from '../../errors.js';
import { verifyHostToken } from '../auth/host-token.js';
import { verifyPassword } from '../auth/passwords.js';

/** A host token's `iat` may be this far in the future (the host's clock runs ahead). */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Proof that `DELETE /v1/me` comes from the person: their password (members who have one), or a
 * host token for their external id signed at most `LIMITS.erasureTokenMaxAgeSeconds` ago (members
 * who came through the host site); guests, who have neither, need no more than their session.
 */
export async function checkErasureProof(user: User, app: App, input: EraseMeInput): Promise<void> {
  if (input.password !== undefined) {
    if (!user.passwordHash || !(await verifyPassword(input.password, user.passwordHash))) throw new ForbiddenError('Wrong password');
    return;
  }
  if (input.token !== undefined) {
    let claims: { sub: string };
    try {
      claims = verifyHostToken(input.token, app.id, app.secret);
    } catch {
      throw new ForbiddenError('The host token is not valid for this app');
    }
    const { iat } = (jwt.decode(input.token) ?? {}) as jwt.JwtPayload;
    const age = Date.now() / 1000 - (typeof iat === 'number' ? iat : -Infinity);
    if (!(age <= LIMITS.erasureTokenMaxAgeSeconds && age >= -CLOCK_TOLERANCE_SECONDS)) {
      throw new ForbiddenError(`The host token must have been issued (iat) at most ${LIMITS.erasureTokenMaxAgeSeconds} seconds ago`);
    }
    if (!user.externalId || claims.sub !== user.externalId) throw new ForbiddenError('The host token is for someone else');
    return;
  }
  if (user.passwordHash || user.externalId) {
    throw new ForbiddenError(
      user.passwordHash ? 'Confirm with your password' : 'Confirm with a fresh token from the site you signed in with',
    );
  }
}
