// Moderation of group and public rooms, people protecting themselves (blocks, reports), and data
// rights (erasure, retention). Export and "my messages" are in routes.ts with the profile.
import type { MemberDto, MessageDto, RoomDto, UserSummaryDto } from './dto.js';
import type { PageQuery } from './inputs.js';

/**
 * What a moderator can make of a member of a group or public room. Owners promote members to
 * moderators and demote them; the owner role itself is not handed out here.
 */
export type AssignableRoomRole = 'moderator' | 'member';

/**
 * Every action the audit log records. Room actions carry `roomId`; app-wide ones (`user.*`) do not.
 * - `message.deleted`: someone else's message removed (a tombstone, as when its sender deletes it);
 * - `member.muted` / `member.unmuted`: `details.until` is the mute's end;
 * - `member.kicked`: removed (may rejoin a public room);
 * - `member.banned` / `member.unbanned`: removed and kept out, `details.until` null for ever;
 * - `member.role`: `details.role` is the new role;
 * - `room.slow_mode`: `details.seconds` (0: off);
 * - `message.pinned` / `message.unpinned`;
 * - `user.banned` / `user.unbanned`: across the app, every session ended;
 * - `user.erased`: the person's data erased (by themselves, an admin or the operator).
 */
export const MODERATION_ACTIONS = [
  'message.deleted',
  'member.muted',
  'member.unmuted',
  'member.kicked',
  'member.banned',
  'member.unbanned',
  'member.role',
  'room.slow_mode',
  'message.pinned',
  'message.unpinned',
  'user.banned',
  'user.unbanned',
  'user.erased',
] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export interface ModerationDetails {
  /** Mutes and bans: when it ends (null: never). */
  until?: string | null;
  /** `member.role`: the role given. */
  role?: AssignableRoomRole;
  /** `room.slow_mode`: seconds between one member's messages (0: off). */
  seconds?: number;
}

/** One line of the audit log: who did what, to whom, when and why. */
export interface ModerationEntryDto {
  id: string;
  /** Null for app-wide actions. */
  roomId: string | null;
  action: ModerationAction;
  /** Who did it (null: the server, e.g. retention, or a deleted account). */
  actorId: string | null;
  actor: UserSummaryDto | null;
  targetUserId: string | null;
  target: UserSummaryDto | null;
  messageId: string | null;
  reason: string | null;
  details: ModerationDetails;
  createdAt: string;
}

/** A person kept out of one room (`expiresAt` null: until unbanned). */
export interface RoomBanDto {
  roomId: string;
  userId: string;
  user: UserSummaryDto;
  bannedBy: string | null;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
}

/** A person kept out of the whole app: their sessions ended, signing in refused. */
export interface UserBanDto {
  userId: string;
  user: UserSummaryDto;
  bannedBy: string | null;
  reason: string | null;
  createdAt: string;
  expiresAt: string | null;
}

export interface PinDto {
  roomId: string;
  message: MessageDto;
  pinnedBy: string | null;
  pinnedAt: string;
}

/** Someone you blocked: no direct messages from them; clients hide their messages in shared rooms. */
export interface BlockDto {
  userId: string;
  user: UserSummaryDto;
  createdAt: string;
}

export const REPORT_REASONS = ['spam', 'abuse', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** A message reported to the room's moderators and the app's admins (and the `message.reported` webhook). */
export interface MessageReportDto {
  id: string;
  roomId: string;
  messageId: string;
  /** The message as it is now (a tombstone once removed). */
  message: MessageDto;
  reporterId: string;
  reporter: UserSummaryDto | null;
  reason: ReportReason;
  comment: string | null;
  createdAt: string;
}

/** An erasure: `done` once every step has run (`pending`: it is being carried out, resumably). */
export interface ErasureDto {
  userId: string;
  status: 'pending' | 'done';
  requestedAt: string;
  finishedAt: string | null;
}

/** Per app: what housekeeping deletes by age (null: kept for ever). */
export interface RetentionSettingsDto {
  /** Messages older than this many days are deleted (1 … 3650). */
  messagesDays: number | null;
  /** Visitors (guests) with no activity for this many days are erased (1 … 3650). */
  guestsDays: number | null;
}

export interface MemberRoleInput {
  role: AssignableRoomRole;
}
export interface MuteInput {
  /** 60 s … 30 days. */
  durationSeconds: number;
  reason?: string;
}
export interface KickInput {
  reason?: string;
}
export interface BanInput {
  /** Omitted: until unbanned. 60 s … 365 days. */
  durationSeconds?: number;
  reason?: string;
}
export interface SlowModeInput {
  /** 0 (off) … 21600. */
  seconds: number;
}
export interface DeleteMessageQuery {
  /** Why a moderator removed someone else's message (kept in the audit log). */
  reason?: string;
}
export interface ReportInput {
  reason: ReportReason;
  comment?: string;
}
/** `DELETE /v1/me`: proof that it is really you, one of the two. */
export interface EraseMeInput {
  /** Members who sign in with a password. */
  password?: string;
  /** A token the host site's backend signed for you at most 5 minutes ago (as for `/v1/auth/exchange`). */
  token?: string;
}
export interface ModerationLogQuery extends PageQuery {
  /** `GET /v1/moderation/log`: one room's entries only. */
  roomId?: string;
}

// Socket events (client → server), each answered like its REST twin.
export interface MemberRoleEventInput extends MemberRoleInput {
  roomId: string;
  userId: string;
}
export interface MuteEventInput extends MuteInput {
  roomId: string;
  userId: string;
}
export interface KickEventInput extends KickInput {
  roomId: string;
  userId: string;
}
export interface BanEventInput extends BanInput {
  roomId: string;
  userId: string;
}
export interface MemberRefEventInput {
  roomId: string;
  userId: string;
}
export interface SlowModeEventInput extends SlowModeInput {
  roomId: string;
}
export interface ReportEventInput extends ReportInput {
  messageId: string;
}

// Server → client.
/** A room's pinned messages changed: the list now, newest pin first. */
export interface RoomPinsEvent {
  roomId: string;
  pins: PinDto[];
}
/**
 * A person's data was erased: drop their texts and profile from what you hold. Sent to each room
 * they were in; their messages are tombstones from now on.
 */
export interface UserErasedEvent {
  userId: string;
  roomId: string;
}

/** What the moderation events answer. */
export interface MemberResult {
  member: MemberDto;
}
export interface RoomResult {
  room: RoomDto;
}
