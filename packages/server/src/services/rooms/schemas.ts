import { LIMITS, SLUG_PATTERN, type SupportStatus } from '@confab/protocol';
import Joi from 'joi';

import { cursorSchema, limitSchema } from '../pagination.js';

export const idSchema = Joi.string().guid();
const roomName = Joi.string().trim().min(1).max(LIMITS.roomNameMax);
const slug = Joi.string()
  .trim()
  .lowercase()
  .max(LIMITS.slugMax)
  .pattern(SLUG_PATTERN)
  .messages({ 'string.pattern.base': '{#label} must be lowercase words joined by dashes, e.g. "product-news"' });

export interface CreateRoomInput {
  kind: 'group' | 'public';
  name: string;
  slug?: string;
  memberIds?: string[];
}

export const createRoomSchema = Joi.object<CreateRoomInput>({
  kind: Joi.string().valid('group', 'public').default('group'),
  name: roomName.required(),
  slug,
  memberIds: Joi.array().items(idSchema).max(LIMITS.membersPerRequestMax).unique(),
});

export const directRoomSchema = Joi.object<{ userId: string }>({
  userId: idSchema.required(),
});

export interface UpdateRoomInput {
  name?: string;
  slug?: string | null;
  /** Support conversations (agents): status and assignee. */
  status?: SupportStatus;
  assigneeId?: string | null;
}

export const updateRoomSchema = Joi.object<UpdateRoomInput>({
  name: roomName,
  slug: slug.allow(null),
  status: Joi.string().valid('open', 'pending', 'resolved'),
  assigneeId: idSchema.allow(null),
})
  .min(1)
  .oxor('name', 'status')
  .oxor('name', 'assigneeId')
  .oxor('slug', 'status')
  .oxor('slug', 'assigneeId');

export interface AddMembersInput {
  userIds: string[];
}

/** `{ userId }` or `{ userIds: [...] }`; joining a public room yourself is `{ userId: <your id> }`. */
export const addMembersSchema = Joi.object({
  userId: idSchema,
  userIds: Joi.array().items(idSchema).min(1).max(LIMITS.membersPerRequestMax).unique(),
})
  .xor('userId', 'userIds')
  .custom((value: { userId?: string; userIds?: string[] }): AddMembersInput => ({ userIds: value.userIds ?? [value.userId!] }));

export interface PageInput {
  limit: number;
  cursor?: string;
}

/** `?limit=&cursor=` of a keyset-paged list. */
export const pageSchema = Joi.object<PageInput>({
  limit: limitSchema,
  cursor: cursorSchema,
});

export const listRoomsSchema = pageSchema;

export const roomParamsSchema = Joi.object<{ id: string }>({ id: idSchema.required() });
export const memberParamsSchema = Joi.object<{ id: string; userId: string }>({
  id: idSchema.required(),
  userId: idSchema.required(),
});
