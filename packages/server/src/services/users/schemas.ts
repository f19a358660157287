import { LIMITS, type ListUsersQuery, type UpdateMeInput } from '@confab/protocol';
import Joi from 'joi';

import type { WithDefaults } from '../fields.js';
import { emailSchema, metadataSchema, nameSchema } from '../fields.js';
import { cursorSchema, limitSchema } from '../pagination.js';

export type { UpdateMeInput };

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

export type ListUsersInput = WithDefaults<ListUsersQuery, 'limit'>;

export const listUsersSchema = Joi.object<ListUsersInput>({
  q: Joi.string().trim().max(100).allow(''),
  limit: limitSchema,
  cursor: cursorSchema,
});
