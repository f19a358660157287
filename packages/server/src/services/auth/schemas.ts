import {
  type ExchangeInput,
  type GuestInput,
  LIMITS,
  type LoginInput,
  type LogoutInput,
  type RefreshInput,
  type RegisterInput,
  USERNAME_PATTERN,
} from '@confab/protocol';
import Joi from 'joi';

import { emailSchema, metadataSchema, nameSchema } from '../fields.js';
import { passwordWeakness } from './password-policy.js';

export const usernameSchema = Joi.string()
  .trim()
  .min(LIMITS.usernameMin)
  .max(LIMITS.usernameMax)
  .pattern(USERNAME_PATTERN)
  .messages({ 'string.pattern.base': '{#label} may contain letters, digits, ".", "-" and "_", and must start with a letter or digit' });

export const passwordSchema = Joi.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax);

/**
 * A password being set: also not a common one, nor the username or email name of the object it
 * sits in (its siblings `username` and `email`). Use it wherever a password is set.
 */
export const newPasswordSchema = passwordSchema.custom((value: string, helpers) => {
  const owner = (helpers.state.ancestors[0] ?? {}) as { username?: unknown; email?: unknown };
  const weakness = passwordWeakness(value, {
    username: typeof owner.username === 'string' ? owner.username : null,
    email: typeof owner.email === 'string' ? owner.email : null,
  });
  return weakness ? helpers.message({ custom: weakness }) : value;
});

export type { GuestInput, LoginInput, RegisterInput };

export const registerSchema = Joi.object<RegisterInput>({
  username: usernameSchema.required(),
  password: newPasswordSchema.required(),
  name: nameSchema.required(),
  lastName: nameSchema,
  email: emailSchema,
});

export const loginSchema = Joi.object<LoginInput>({
  username: Joi.string().trim().min(1).max(LIMITS.emailMax).required(),
  password: Joi.string().min(1).max(LIMITS.passwordMax).required(),
});

export const guestSchema = Joi.object<GuestInput>({
  name: nameSchema,
  email: emailSchema,
  metadata: metadataSchema,
});

export const exchangeSchema = Joi.object<ExchangeInput>({
  token: Joi.string().max(8192).required(),
});

export const refreshSchema = Joi.object<RefreshInput>({
  refreshToken: Joi.string().max(200).required(),
});

export const logoutSchema = Joi.object<LogoutInput>({
  refreshToken: Joi.string().max(200),
});
