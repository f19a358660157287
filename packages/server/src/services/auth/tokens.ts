import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { UserKind, UserRole } from '@confab/protocol';
import { AppError, UnauthorizedError } from '../../errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
const ISSUER = 'confab';
const AUDIENCE = 'confab-api';

/** Claims of Confab's own access tokens. `sid` is the refresh-token family (the session). */
export interface AccessClaims {
  sub: string;
  app: string;
  role: UserRole;
  kind: UserKind;
  sid: string;
}

export function signAccessToken(secret: string, claims: AccessClaims): { token: string; expiresAt: Date } {
  const token = jwt.sign({ app: claims.app, role: claims.role, kind: claims.kind, sid: claims.sid }, secret, {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  });
  const { exp } = jwt.decode(token) as { exp: number };
  return { token, expiresAt: new Date(exp * 1000) };
}

export function verifyAccessToken(secret: string, token: string): AccessClaims & { exp: number } {
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }) as jwt.JwtPayload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'The access token has expired');
    throw new UnauthorizedError('Invalid access token');
  }
  const { sub, app, role, kind, sid, exp } = payload;
  if (typeof sub !== 'string' || typeof app !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
    throw new UnauthorizedError('Invalid access token');
  }
  return { sub, app, role, kind, sid, exp };
}

/** The app a token claims, without verifying it: only to pick CORS headers for the reply. */
export function peekTokenApp(token: string): string | null {
  const payload = jwt.decode(token);
  return payload && typeof payload === 'object' && typeof payload.app === 'string' ? payload.app : null;
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
