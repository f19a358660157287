import { LIMITS, type ListMessagesQuery, type MessageEditInput, type MessageSendInput, type RoomReadInput } from '@confab/protocol';
import Joi from 'joi';

import { idSchema, type WithDefaults } from '../fields.js';

const text = Joi.string().trim().max(LIMITS.messageTextMax);

export const clientIdSchema = Joi.string()
  .trim()
  .min(1)
  .max(LIMITS.clientIdMax)
  .pattern(/^[\x21-\x7e]+$/)
  .messages({ 'string.pattern.base': '{#label} must be printable ASCII without spaces (a UUID is ideal)' });
export const messageTextSchema = text.allow('');
export const attachmentIdsSchema = Joi.array().items(idSchema).max(LIMITS.attachmentsPerMessageMax).unique();

/** A send's body; the socket's `message:send` adds the room id. */
export const sendMessageSchema = Joi.object<Omit<MessageSendInput, 'roomId'>>({
  clientId: clientIdSchema.required(),
  text: messageTextSchema.default(''),
  attachments: attachmentIdsSchema.default([]),
  replyTo: idSchema,
})
  .custom((value: Omit<MessageSendInput, 'roomId'>, helpers) =>
    value.text === '' && !value.attachments?.length ? helpers.error('message.empty') : value,
  )
  .messages({ 'message.empty': 'A message needs text or at least one attachment' });

export const editMessageSchema = Joi.object<Omit<MessageEditInput, 'messageId'>>({
  text: text.min(1).required(),
});

export type ListMessagesInput = WithDefaults<ListMessagesQuery, 'limit'>;

export const listMessagesSchema = Joi.object<ListMessagesInput>({
  before: Joi.number().integer().min(1),
  after: Joi.number().integer().min(0),
  around: idSchema,
  limit: Joi.number().integer().min(1).max(LIMITS.pageMax).default(LIMITS.pageDefault),
}).without('around', ['before', 'after']);

export const readSchema = Joi.object<Omit<RoomReadInput, 'roomId'>>({
  seq: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
});

// One emoji: pictographs with their modifiers, joiners, variation selectors and keycaps, or flags.
const EMOJI = /^(?:[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}#*0-9]|\u200d|\ufe0f|\u20e3)+$/u;

export const emojiSchema = Joi.string()
  .max(LIMITS.emojiMax)
  .pattern(EMOJI)
  .custom((value: string, helpers) =>
    /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u.test(value) ? value : helpers.error('string.pattern.base'),
  )
  .messages({ 'string.pattern.base': '{#label} must be a single emoji' });

export const messageParamsSchema = Joi.object<{ id: string }>({ id: idSchema.required() });
export const reactionParamsSchema = Joi.object<{ id: string; emoji: string }>({
  id: idSchema.required(),
  emoji: emojiSchema.required(),
});
