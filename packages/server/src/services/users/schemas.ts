import { LIMITS } from '@confab/protocol';
import Joi from 'joi';

import { emailSchema, metadataSchema, nameSchema } from '../auth/schemas.js';
import { cursorSchema, limitSchema } from '../pagination.js';

export interface UpdateMeInput {
  name?: string;
  lastName?: string | null;
  email?: string | null;
  avatarUrl?: string | null;
  metadata?: Record<string, unknown>;
}

export const updateMeSchema = Joi.object<UpdateMeInput>({
  name: nameSchema,
  lastName: nameSchema.allow(null),
  email: emailSchema.allow(null),
  avatarUrl: Joi.string()
    .uri({ scheme: ['https', 'http'] })
    .max(LIMITS.urlMax)
    .allow(null),
  metadata: metadataSchema,
}).min(1);

export interface ListUsersInput {
  q?: string;
  limit: number;
  cursor?: string;
}

export const listUsersSchema = Joi.object<ListUsersInput>({
  q: Joi.string().trim().max(100).allow(''),
  limit: limitSchema,
  cursor: cursorSchema,
});
