import Joi from 'joi';

import { editMessageSchema, emojiSchema, readSchema, sendMessageSchema } from '../services/messages/schemas.js';
import { idSchema } from '../services/rooms/schemas.js';

// Socket payloads: the REST schemas plus the ids REST carries in the path.
const roomRef = { roomId: idSchema.required() };
const messageRef = { messageId: idSchema.required() };

// The REST schemas are typed for their body alone; widen them to add the path ids.
const widen = (schema: Joi.ObjectSchema) => schema as Joi.ObjectSchema<Record<string, unknown>>;

export const socketSchemas = {
  roomJoin: Joi.object({ ...roomRef, since: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER) }),
  roomLeave: Joi.object(roomRef),
  messageSend: widen(sendMessageSchema).keys(roomRef),
  messageEdit: widen(editMessageSchema).keys(messageRef),
  messageRef: Joi.object(messageRef),
  reaction: Joi.object({ ...messageRef, emoji: emojiSchema.required() }),
  typing: Joi.object({ ...roomRef, typing: Joi.boolean().required() }),
  roomSeq: widen(readSchema).keys(roomRef),
  authRefresh: Joi.object({ token: Joi.string().max(4096).required() }),
};
