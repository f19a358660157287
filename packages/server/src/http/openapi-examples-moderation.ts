import type {
  BlockDto,
  ErasureDto,
  MemberRoleInput,
  MessageDto,
  MessageReportDto,
  ModerationEntryDto,
  PageDto,
  PinDto,
  RetentionSettingsDto,
  RoomBanDto,
  UserBanDto,
  UserSummaryDto,
} from '@confab/protocol';

// The moderation shapes' examples, made from the document's people and message
// (openapi-examples.ts passes them in and composes the result into its own).

export interface ModerationExampleBase {
  moderator: UserSummaryDto;
  member: UserSummaryDto;
  message: MessageDto;
  page: <T>(item: T) => PageDto<T>;
}

const at = '2025-03-14T09:40:12.000Z';
const until = '2025-03-14T10:40:12.000Z';

export function moderationExamples({ moderator, member, message, page }: ModerationExampleBase) {
  const entry: ModerationEntryDto = {
    id: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
    roomId: message.roomId,
    action: 'member.muted',
    actorId: moderator.id,
    actor: moderator,
    targetUserId: member.id,
    target: member,
    messageId: null,
    reason: 'Posting the same link again and again',
    details: { until },
    createdAt: at,
  };
  const ban = { userId: member.id, user: member, bannedBy: moderator.id, reason: 'Spam', createdAt: at, expiresAt: null };
  const roomBan: RoomBanDto = { roomId: message.roomId, ...ban };
  const userBan: UserBanDto = ban;
  const pin: PinDto = { roomId: message.roomId, message, pinnedBy: moderator.id, pinnedAt: at };
  const block: BlockDto = { userId: member.id, user: member, createdAt: at };
  const report: MessageReportDto = {
    id: '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b',
    roomId: message.roomId,
    messageId: message.id,
    message,
    reporterId: moderator.id,
    reporter: moderator,
    reason: 'spam',
    comment: 'Third time today',
    createdAt: at,
  };
  const erasure: ErasureDto = { userId: member.id, status: 'done', requestedAt: at, finishedAt: at };
  const retention: RetentionSettingsDto = { messagesDays: 365, guestsDays: 90 };
  const role: MemberRoleInput = { role: 'moderator' };
  return {
    schemas: {
      ModerationEntry: entry,
      ModerationEntryPage: page(entry),
      RoomBan: roomBan,
      RoomBanPage: page(roomBan),
      UserBan: userBan,
      UserBanPage: page(userBan),
      Pin: pin,
      PinPage: page(pin),
      Block: block,
      BlockPage: page(block),
      MessageReport: report,
      MessageReportPage: page(report),
      Erasure: erasure,
      RetentionSettings: retention,
    },
    bodies: {
      'DELETE /v1/me': { password: 'Tangerine-Harbour-71' },
      'PUT /v1/rooms/:id/members/:userId/role': role,
      'PUT /v1/rooms/:id/members/:userId/mute': { durationSeconds: 3600, reason: entry.reason! },
      'POST /v1/rooms/:id/members/:userId/kick': { reason: 'Off topic' },
      'PUT /v1/rooms/:id/bans/:userId': { reason: 'Spam' },
      'PUT /v1/rooms/:id/slow-mode': { seconds: 30 },
      'POST /v1/messages/:id/reports': { reason: report.reason, comment: report.comment! },
      'PUT /v1/moderation/bans/:userId': { durationSeconds: 7 * 24 * 3600, reason: 'Spam in several rooms' },
      'PUT /v1/moderation/retention': retention,
    },
  } as const;
}
