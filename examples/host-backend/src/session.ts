import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  /** Random per sign-in, so one session can be revoked on logout. */
  sid: string;
  userId: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

export const SESSION_COOKIE = 'host_session';
export const SESSION_TTL_MS = 8 * 3600_000;

/**
 * The session lives in the cookie itself (`<payload>.<HMAC-SHA256>`), so it survives a restart
 * when SESSION_SECRET is fixed. Logout revokes the session id in memory until it would expire;
 * a site with several processes would keep that list (or the sessions) in a shared store.
 */
export function createSessions(secret: string, now: () => number = Date.now) {
  const revoked = new Map<string, number>();
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest();

  const forget = () => {
    for (const [sid, expiresAt] of revoked) if (expiresAt <= now()) revoked.delete(sid);
  };

  return {
    issue(userId: string): { session: Session; cookie: string } {
      const session = { sid: randomBytes(16).toString('base64url'), userId, expiresAt: now() + SESSION_TTL_MS };
      const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
      return { session, cookie: `${payload}.${mac(payload).toString('base64url')}` };
    },

    /** The session a cookie stands for, or null (tampered, expired or logged out). */
    read(cookie: string | undefined): Session | null {
      const [payload, signature, extra] = (cookie ?? '').split('.');
      if (!payload || !signature || extra !== undefined) return null;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let session: Session;
      try {
        session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
      } catch {
        return null;
      }
      if (typeof session.expiresAt !== 'number' || session.expiresAt <= now() || revoked.has(session.sid)) return null;
      return session;
    },

    revoke(session: Session): void {
      forget();
      revoked.set(session.sid, session.expiresAt);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
