import type { UserDto } from '@confab/protocol';

const PROFILE_CLAIMS = ['name', 'lastName', 'email', 'avatarUrl', 'role'] as const;

function payloadOf(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * True when a host-signed token names `user` and would change nothing about them, so the session
 * already held for them can go on instead of a new one. Read without verifying: the server still
 * verifies every token it is sent; this only decides whether to send one.
 */
export function hostTokenMatches(token: string, user: UserDto, app: string): boolean {
  const claims = payloadOf(token);
  if (!claims || user.kind !== 'member' || !user.externalId || claims.sub !== user.externalId) return false;
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(app)) return false;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return false;
  return PROFILE_CLAIMS.every((claim) => claims[claim] === undefined || claims[claim] === user[claim]);
}
