import { LIMITS } from '@confab/protocol';
import Joi from 'joi';
import jwt from 'jsonwebtoken';

import { AppError, UnauthorizedError } from '../../errors.js';
import { hmacKey } from './tokens.js';

const MAX_LIFETIME_SECONDS = 24 * 3600;
const CLOCK_TOLERANCE_SECONDS = 30;

/** What a host backend may say about its user in a token signed with the app secret. */
export interface HostClaims {
  sub: string;
  name?: string;
  lastName?: string;
  email?: string;
  avatarUrl?: string;
  role?: 'user' | 'agent' | 'admin';
}

const claimsSchema = Joi.object<HostClaims>({
  sub: Joi.string().max(255).required(),
  name: Joi.string().max(LIMITS.nameMax),
  lastName: Joi.string().max(LIMITS.nameMax),
  email: Joi.string().email({ tlds: false }).max(LIMITS.emailMax),
  avatarUrl: Joi.string()
    .uri({ scheme: ['https', 'http'] })
    .max(LIMITS.urlMax),
  role: Joi.string().valid('user', 'agent', 'admin'),
}).unknown(true);

/**
 * Verifies a host-signed token: HS256 only (no `none`, no key confusion), audience = the app id,
 * an `exp` no further than 24 h ahead.
 */
export function verifyHostToken(token: string, appId: string, appSecret: string): HostClaims {
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, hmacKey(appSecret), {
      algorithms: ['HS256'],
      audience: appId,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }) as jwt.JwtPayload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'The host token has expired');
    throw new UnauthorizedError(`Invalid host token: ${(err as Error).message}`);
  }
  if (typeof payload.exp !== 'number') throw new UnauthorizedError('Invalid host token: exp is required');
  if (payload.exp - Date.now() / 1000 > MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    throw new UnauthorizedError('Invalid host token: exp must be at most 24 hours ahead');
  }
  const { value, error } = claimsSchema.validate(payload, { stripUnknown: true });
  if (error) throw new UnauthorizedError(`Invalid host token: ${error.message.replace(/"/g, '')}`);
  return value;
}
