import { LIMITS, MODERATION_ACTIONS, REPORT_REASONS } from '@confab/protocol';

import { int, nstr, ntime, nullableRef, obj, page, ref, str, time } from './openapi-parts.js';

// The moderation shapes' component schemas (openapi-components.ts adds them to the document's).

const days = { ...int, minimum: 1, maximum: LIMITS.retentionDaysMax, nullable: true };
const ban = {
  userId: str,
  user: ref('UserSummary'),
  bannedBy: nstr,
  reason: nstr,
  createdAt: time,
  expiresAt: { ...ntime, description: 'null: until unbanned' },
};

export const MODERATION_COMPONENTS = {
  ModerationEntry: obj({
    id: str,
    roomId: { ...nstr, description: 'null for app-wide actions' },
    action: { type: 'string', enum: [...MODERATION_ACTIONS] },
    actorId: nstr,
    actor: nullableRef('UserSummary'),
    targetUserId: nstr,
    target: nullableRef('UserSummary'),
    messageId: nstr,
    reason: nstr,
    details: {
      type: 'object',
      properties: { until: ntime, role: { type: 'string', enum: ['moderator', 'member'] }, seconds: int },
    },
    createdAt: time,
  }),
  ModerationEntryPage: page('ModerationEntry'),
  RoomBan: obj({ roomId: str, ...ban }),
  RoomBanPage: page('RoomBan'),
  UserBan: obj(ban),
  UserBanPage: page('UserBan'),
  Pin: obj({ roomId: str, message: ref('Message'), pinnedBy: nstr, pinnedAt: time }),
  PinPage: page('Pin'),
  Block: obj({ userId: str, user: ref('UserSummary'), createdAt: time }),
  BlockPage: page('Block'),
  MessageReport: obj({
    id: str,
    roomId: str,
    messageId: str,
    message: ref('Message'),
    reporterId: str,
    reporter: nullableRef('UserSummary'),
    reason: { type: 'string', enum: [...REPORT_REASONS] },
    comment: nstr,
    createdAt: time,
  }),
  MessageReportPage: page('MessageReport'),
  Erasure: obj({ userId: str, status: { type: 'string', enum: ['pending', 'done'] }, requestedAt: time, finishedAt: ntime }),
  RetentionSettings: obj({ messagesDays: days, guestsDays: days }),
};
