import {
  type AppSettingsDto,
  type AssignInput,
  type AvailabilityInput,
  type CannedListQuery,
  type CannedResponseInput,
  type InboxQuery as InboxQueryBody,
  LIMITS,
  type RateConversationInput,
  REPLY_TIMES,
  SHORTCUT_PATTERN,
  type StartConversationInput,
} from '@confab/protocol';
import Joi from 'joi';

import { idSchema, type WithDefaults } from '../fields.js';
import { mailSettingsSchema } from '../mail/settings.js';
import { attachmentIdsSchema, clientIdSchema, messageTextSchema } from '../messages/schemas.js';
import { retentionSchema } from '../moderation/schemas.js';
import { cursorSchema, limitSchema } from '../pagination.js';
import { assignmentSchema } from './assignment-schemas.js';
import { isValidTimeZone } from './business-hours.js';

const shortText = (max: number) => Joi.string().trim().max(max);

export const visitorSchema = Joi.object({
  pageUrl: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .max(LIMITS.urlMax),
  referrer: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .max(LIMITS.urlMax)
    .allow(''),
  userAgent: shortText(512),
  locale: Joi.string()
    .trim()
    .max(35)
    .pattern(/^[a-zA-Z]{2,8}(?:-[a-zA-Z0-9]{1,8})*$/),
  // The shape of an IANA name only: a zone newer than this server's ICU must not stop a visitor starting.
  timezone: Joi.string()
    .trim()
    .max(LIMITS.timeZoneMax)
    .pattern(/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/)
    .messages({ 'string.pattern.base': '{#label} must be an IANA time zone, e.g. Europe/Lisbon' }),
});

/** The first message is optional; when given, it follows the rules of any message (clientId required). */
export const startConversationSchema = Joi.object<StartConversationInput>({
  text: messageTextSchema,
  clientId: clientIdSchema,
  attachments: attachmentIdsSchema,
  visitor: visitorSchema.default({}),
})
  .custom((value: StartConversationInput, helpers) =>
    (value.text || value.attachments?.length) && !value.clientId ? helpers.error('any.clientId') : value,
  )
  .messages({ 'any.clientId': 'clientId is required with a first message (it makes a retried start safe)' });

export type InboxQuery = WithDefaults<InboxQueryBody, 'limit'>;

const status = Joi.string().valid('open', 'pending', 'resolved');

export const inboxSchema = Joi.object<InboxQuery>({
  status,
  assignee: Joi.alternatives(Joi.string().valid('me', 'none'), idSchema),
  visitorId: idSchema,
  label: idSchema,
  limit: limitSchema,
  cursor: cursorSchema,
});

export const assignSchema = Joi.object<AssignInput>({
  agentId: idSchema.allow(null),
});

export const availabilitySchema = Joi.object<AvailabilityInput>({
  availability: Joi.string().valid('online', 'away').required(),
});

export const supportStatusSchema = status;

const hhmm = Joi.string()
  .pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/)
  .messages({ 'string.pattern.base': '{#label} must be a time like 09:30' });
const range = Joi.object({ open: hhmm.required(), close: hhmm.required() })
  .custom((value: { open: string; close: string }, helpers) => (value.close > value.open ? value : helpers.error('any.invalid')))
  .messages({ 'any.invalid': 'close must be after open' });
const day = Joi.array().items(range).max(8);

export const businessHoursSchema = Joi.object({
  timezone: Joi.string()
    .max(64)
    .required()
    .custom((value: string, helpers) => (isValidTimeZone(value) ? value : helpers.error('any.invalid')))
    .messages({ 'any.invalid': '{#label} must be an IANA time zone, e.g. Europe/Lisbon' }),
  days: Joi.object({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }).required(),
});

export const appSettingsSchema = Joi.object<AppSettingsDto>({
  greeting: shortText(LIMITS.supportTextMax).allow(null, ''),
  awayMessage: shortText(LIMITS.supportTextMax).allow(null, ''),
  businessHours: businessHoursSchema.allow(null),
  messageRate: Joi.string().trim().max(32).allow(null),
  replyTime: Joi.string()
    .valid(...REPLY_TIMES)
    .allow(null),
  assignment: assignmentSchema.allow(null),
  mail: mailSettingsSchema.allow(null),
  retention: retentionSchema.min(1).allow(null),
}).min(1);

const shortcut = Joi.string()
  .trim()
  .min(1)
  .max(LIMITS.shortcutMax)
  .pattern(SHORTCUT_PATTERN)
  .messages({ 'string.pattern.base': '{#label} must be letters, digits, dashes or underscores (no slash)' });

export type CannedInput = CannedResponseInput;

export const cannedCreateSchema = Joi.object<CannedInput>({
  shortcut: shortcut.required(),
  text: Joi.string().trim().min(1).max(LIMITS.messageTextMax).required(),
});

export const cannedUpdateSchema = Joi.object<Partial<CannedInput>>({
  shortcut,
  text: Joi.string().trim().min(1).max(LIMITS.messageTextMax),
}).min(1);

export const cannedListSchema = Joi.object<CannedListQuery>({
  q: Joi.string().trim().max(LIMITS.shortcutMax).allow(''),
});

/** `PUT /v1/support/conversations/:id/rating`: a whole score 1–5 and an optional comment ('' or null: none). */
export const rateSchema = Joi.object<RateConversationInput>({
  score: Joi.number().integer().strict().min(1).max(LIMITS.ratingScoreMax).required(),
  comment: Joi.string().trim().max(LIMITS.ratingCommentMax).allow('', null),
});
