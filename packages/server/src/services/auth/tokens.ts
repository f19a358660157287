import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

import type { UserKind, UserRole } from '@confab/protocol';
import jwt from 'jsonwebtoken';

import { AppError, UnauthorizedError } from '../../errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
const ISSUER = 'confab';
const AUDIENCE = 'confab-api';
const ROLES: readonly UserRole[] = ['user', 'agent', 'admin'];
const KINDS: readonly UserKind[] = ['member', 'guest'];

const KEYS_KEPT_MAX = 256;
const keys = new Map<string, KeyObject>();

/**
 * The HMAC key of a secret, made once: given a string, jsonwebtoken first tries to parse it as a
 * PEM public key and fails, which costs more than the signature check itself (on every handshake).
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= KEYS_KEPT_MAX) keys.clear();
    key = createSecretKey(Buffer.from(secret));
    keys.set(secret, key);
  }
  return key;
}

/** Claims of Confab's own access tokens. `sid` is the refresh-token family (the session). */
export interface AccessClaims {
  sub: string;
  app: string;
  role: UserRole;
  kind: UserKind;
  sid: string;
}

export function signAccessToken(
  secret: string,
  claims: AccessClaims,
  ttlSeconds = ACCESS_TOKEN_TTL_SECONDS,
): { token: string; expiresAt: Date } {
  const token = jwt.sign({ app: claims.app, role: claims.role, kind: claims.kind, sid: claims.sid }, hmacKey(secret), {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: ttlSeconds,
  });
  const { exp } = jwt.decode(token) as { exp: number };
  return { token, expiresAt: new Date(exp * 1000) };
}

export function verifyAccessToken(secret: string, token: string): AccessClaims & { exp: number } {
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }) as jwt.JwtPayload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'The access token has expired');
    throw new UnauthorizedError('Invalid access token');
  }
  const { sub, app, role, kind, sid, exp } = payload;
  if (typeof sub !== 'string' || typeof app !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
    throw new UnauthorizedError('Invalid access token');
  }
  // The caller's role and kind come from the token alone (no user query): only the ones we sign.
  const knownRole = ROLES.find((r) => r === role);
  const knownKind = KINDS.find((k) => k === kind);
  if (!knownRole || !knownKind) throw new UnauthorizedError('Invalid access token');
  return { sub, app, role: knownRole, kind: knownKind, sid, exp };
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Who presents a refresh token: two tabs of one browser share address and user agent. */
export function clientHash(ip: string, userAgent: string): string {
  return createHash('sha256').update(`${ip}\n${userAgent}`).digest('base64url');
}

function sealKey(refreshToken: string, rowId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', refreshToken, rowId, 'confab refresh successor', 32));
}

/**
 * Seals a successor refresh token under a key that only the token it replaced derives, so the
 * stored form is useless without that (never stored) token.
 */
export function sealSuccessor(successor: string, replaced: string, rowId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(replaced, rowId), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The successor sealed by `sealSuccessor`, or null when `replaced` is not the token that sealed it. */
export function unsealSuccessor(sealed: string, replaced: string, rowId: string): string | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(replaced, rowId), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
