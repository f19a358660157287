import type { ClientToServerEvents } from '@confab/protocol';
import Joi from 'joi';

import { idSchema } from '../services/fields.js';
import { editMessageSchema, emojiSchema, readSchema, sendMessageSchema } from '../services/messages/schemas.js';
import {
  banSchema,
  kickSchema,
  memberRoleSchema,
  muteSchema,
  reasonSchema,
  reportSchema,
  slowModeSchema,
} from '../services/moderation/schemas.js';

// Socket payloads: the REST schemas plus the ids REST carries in the path.
const roomRef = { roomId: idSchema.required() };
const messageRef = { messageId: idSchema.required() };
const roomMember = { ...roomRef, userId: idSchema.required() };

// The REST schemas are typed for their body alone; widen them to add the path ids.
const widen = (schema: Joi.ObjectSchema) => schema as Joi.ObjectSchema<Record<string, unknown>>;

const reaction = Joi.object({ ...messageRef, emoji: emojiSchema.required() });
const roomSeq = widen(readSchema).keys(roomRef);

/**
 * The payload schema of every client→server event, keyed by the event map: `bind()` validates with
 * it and the AsyncAPI document describes it, so an event without a schema does not compile.
 */
export const EVENT_SCHEMAS: { readonly [E in keyof ClientToServerEvents]: Joi.ObjectSchema } = {
  'room:join': Joi.object({ ...roomRef, since: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER) }),
  'room:leave': Joi.object(roomRef),
  'message:send': widen(sendMessageSchema).keys(roomRef),
  'message:edit': widen(editMessageSchema).keys(messageRef),
  'message:delete': Joi.object({ ...messageRef, reason: reasonSchema }),
  'reaction:add': reaction,
  'reaction:remove': reaction,
  typing: Joi.object({ ...roomRef, typing: Joi.boolean().required() }),
  'room:read': roomSeq,
  'room:delivered': roomSeq,
  'member:role': widen(memberRoleSchema).keys(roomMember),
  'moderation:mute': widen(muteSchema).keys(roomMember),
  'moderation:unmute': Joi.object(roomMember),
  'moderation:kick': widen(kickSchema).keys(roomMember),
  'moderation:ban': widen(banSchema).keys(roomMember),
  'moderation:unban': Joi.object(roomMember),
  'room:slow-mode': widen(slowModeSchema).keys(roomRef),
  'message:pin': Joi.object(messageRef),
  'message:unpin': Joi.object(messageRef),
  'message:report': widen(reportSchema).keys(messageRef),
  'auth:refresh': Joi.object({ token: Joi.string().max(4096).required() }),
};
