import {
  type BanInput,
  type DeleteMessageQuery,
  type EraseMeInput,
  type KickInput,
  LIMITS,
  type MemberRoleInput,
  type ModerationLogQuery,
  type MuteInput,
  REPORT_REASONS,
  type ReportInput,
  type RetentionSettingsDto,
  type SlowModeInput,
} from '@confab/protocol';
import Joi from 'joi';

import { idSchema, type PageInput, pageSchema } from '../fields.js';

// The inputs of moderation, blocks, reports, erasure and retention (REST bodies and queries; the
// socket events add their ids to the same fields).

export const reasonSchema = Joi.string().trim().max(LIMITS.moderationReasonMax).allow('');

export const deleteMessageQuerySchema = Joi.object<DeleteMessageQuery>({ reason: reasonSchema });

export const memberRoleSchema = Joi.object<MemberRoleInput>({
  role: Joi.string().valid('moderator', 'member').required(),
});

export const muteSchema = Joi.object<MuteInput>({
  durationSeconds: Joi.number().integer().min(LIMITS.muteSecondsMin).max(LIMITS.muteSecondsMax).required(),
  reason: reasonSchema,
});

export const kickSchema = Joi.object<KickInput>({ reason: reasonSchema });

export const banSchema = Joi.object<BanInput>({
  durationSeconds: Joi.number().integer().min(LIMITS.muteSecondsMin).max(LIMITS.banSecondsMax),
  reason: reasonSchema,
});

export const slowModeSchema = Joi.object<SlowModeInput>({
  seconds: Joi.number().integer().min(0).max(LIMITS.slowModeSecondsMax).required(),
});

export const reportSchema = Joi.object<ReportInput>({
  reason: Joi.string()
    .valid(...REPORT_REASONS)
    .required(),
  comment: Joi.string().trim().max(LIMITS.reportCommentMax).allow(''),
});

export const eraseMeSchema = Joi.object<EraseMeInput>({
  password: Joi.string().max(LIMITS.passwordMax),
  token: Joi.string().max(8192),
  // Neither: a guest, who has no other proof than their session (the service decides).
}).oxor('password', 'token');

const days = Joi.number().strict().integer().min(1).max(LIMITS.retentionDaysMax).allow(null);
export const retentionSchema = Joi.object<Partial<RetentionSettingsDto>>({ messagesDays: days, guestsDays: days });

export type ModerationLogInput = PageInput & Pick<ModerationLogQuery, 'roomId'>;
export const moderationLogQuerySchema = (pageSchema as Joi.ObjectSchema<ModerationLogInput>).keys({ roomId: idSchema });

/** `/v1/rooms/:id/pins/:messageId`. */
export const pinParamsSchema = Joi.object<{ id: string; messageId: string }>({ id: idSchema.required(), messageId: idSchema.required() });
/** `/v1/me/blocks/:userId`, `/v1/moderation/bans/:userId`. */
export const userParamsSchema = Joi.object<{ userId: string }>({ userId: idSchema.required() });
