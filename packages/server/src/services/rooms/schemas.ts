import {
  type AddMembersInput as AddMembersBody,
  type CreateRoomInput as CreateRoomBody,
  type DirectRoomInput,
  LIMITS,
  SLUG_PATTERN,
  type UpdateRoomInput,
} from '@confab/protocol';
import Joi from 'joi';

import { idSchema, pageSchema, type WithDefaults } from '../fields.js';

const roomName = Joi.string().trim().min(1).max(LIMITS.roomNameMax);
const slug = Joi.string()
  .trim()
  .lowercase()
  .max(LIMITS.slugMax)
  .pattern(SLUG_PATTERN)
  .messages({ 'string.pattern.base': '{#label} must be lowercase words joined by dashes, e.g. "product-news"' });

export type CreateRoomInput = WithDefaults<CreateRoomBody, 'kind'>;

export const createRoomSchema = Joi.object<CreateRoomInput>({
  kind: Joi.string().valid('group', 'public').default('group'),
  name: roomName.required(),
  slug,
  memberIds: Joi.array().items(idSchema).max(LIMITS.membersPerRequestMax).unique(),
});

export const directRoomSchema = Joi.object<DirectRoomInput>({
  userId: idSchema.required(),
});

export type { UpdateRoomInput };

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

/** Either form of the body, validated into its `userIds` form. */
export type AddMembersInput = Extract<AddMembersBody, { userIds: string[] }>;

/** `{ userId }` or `{ userIds: [...] }`; joining a public room yourself is `{ userId: <your id> }`. */
export const addMembersSchema = Joi.object<AddMembersInput, false, { userId?: string; userIds?: string[] }>({
  userId: idSchema,
  userIds: Joi.array().items(idSchema).min(1).max(LIMITS.membersPerRequestMax).unique(),
})
  .xor('userId', 'userIds')
  .custom((value: { userId?: string; userIds?: string[] }): AddMembersInput => ({ userIds: value.userIds ?? [value.userId!] }));

export const listRoomsSchema = pageSchema;

export const roomParamsSchema = Joi.object<{ id: string }>({ id: idSchema.required() });
export const memberParamsSchema = Joi.object<{ id: string; userId: string }>({
  id: idSchema.required(),
  userId: idSchema.required(),
});
