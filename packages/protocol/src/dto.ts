/** Wire shapes of the REST API and socket payloads. Times are ISO-8601 strings, ids strings. */
import type { AppSettingsDto } from './support.js';

export type UserKind = 'member' | 'guest';
export type UserRole = 'user' | 'agent' | 'admin';
export type RoomKind = 'direct' | 'group' | 'public' | 'support';
export type MembershipRole = 'owner' | 'moderator' | 'member' | 'agent';
export type SupportStatus = 'open' | 'pending' | 'resolved';

export interface UserDto {
  id: string;
  kind: UserKind;
  role: UserRole;
  username: string | null;
  /** Present for yourself, and for agents and admins looking at anyone of their app. */
  email?: string | null;
  name: string | null;
  lastName: string | null;
  avatarUrl: string | null;
  externalId?: string | null;
  metadata?: Record<string, unknown>;
  createdAt: string;
  lastSeenAt: string | null;
}

/** The few user fields carried inside messages and member lists. */
export interface UserSummaryDto {
  id: string;
  kind: UserKind;
  role: UserRole;
  name: string | null;
  lastName: string | null;
  username: string | null;
  avatarUrl: string | null;
}

export interface ReactionDto {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface AttachmentDto {
  id: string;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
  url: string;
  /** Images: a smaller copy for previews (`GET /v1/uploads/:id/thumbnail`), at most `LIMITS.thumbnailSide` a side. */
  thumbnail: { width: number; height: number } | null;
}

/** A short-lived URL of one file, loadable without headers (`<img src>`, a download link). */
export interface UploadLinkDto {
  id: string;
  /** `/v1/uploads/:id?exp=&sig=`, relative to the server. */
  url: string;
  /** The same for the image's thumbnail (`/v1/uploads/:id/thumbnail?exp=&sig=`); null for other files. */
  thumbnailUrl: string | null;
  expiresAt: string;
  /** Seconds from the reply until it expires: the expiry for clients whose clock is off. */
  expiresIn: number;
}

/** `POST /v1/uploads/links`: one link per file the caller may read, in the order asked; others are left out. */
export interface UploadLinksDto {
  items: UploadLinkDto[];
}

/** `system`: a change to the conversation (assignment, status, away reply), rendered by clients in their language. */
export type MessageType = 'text' | 'system';
export type SystemEventKind = 'assigned' | 'unassigned' | 'resolved' | 'reopened' | 'pending' | 'away';

export interface SystemEventDto {
  event: SystemEventKind;
  /** Who did it (null: the server, e.g. the away reply). */
  actorId: string | null;
  /**
   * `assigned`: the agent now in charge (equal to actorId when they claimed it themselves; actorId
   * null: assigned automatically). `unassigned` by the server: the agent who was away too long.
   */
  agentId?: string | null;
}

export interface MessageDto {
  id: string;
  roomId: string;
  seq: number;
  /** Grows with every change to the message (edit, delete, reaction): the newer copy wins a merge. */
  version: number;
  clientId: string | null;
  /** Null for automatic messages (the away reply). */
  senderId: string | null;
  sender: UserSummaryDto | null;
  type: MessageType;
  /** What a `system` message announces; its `text` is an English rendering. */
  system?: SystemEventDto;
  text: string;
  replyToId: string | null;
  attachments: AttachmentDto[];
  reactions: ReactionDto[];
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface SupportDetailsDto {
  status: SupportStatus;
  assigneeId: string | null;
  /** What the visitor's browser told us when the conversation started. */
  visitor: VisitorInfo;
  resolvedAt: string | null;
}

export interface VisitorInfo {
  pageUrl?: string;
  referrer?: string;
  userAgent?: string;
  locale?: string;
  /** The visitor's IANA time zone, e.g. `Europe/Lisbon` (for their local time in the inbox). */
  timezone?: string;
}

export interface RoomDto {
  id: string;
  kind: RoomKind;
  name: string | null;
  slug: string | null;
  createdBy: string | null;
  lastSeq: number;
  lastMessageAt: string | null;
  createdAt: string;
  memberCount: number;
  /** Group and public rooms: seconds a member waits between messages (0: off; moderators never wait). */
  slowModeSeconds: number;
  /** The other member of a direct room, from the caller's point of view. */
  peer?: UserSummaryDto | null;
  support?: SupportDetailsDto;
  /** The caller's membership, when they are a member. */
  membership?: MembershipDto | null;
}

/** A room as it appears in the caller's room list. */
export interface RoomListItemDto extends RoomDto {
  lastMessage: MessageDto | null;
  unreadCount: number;
}

export interface MembershipDto {
  roomId: string;
  userId: string;
  role: MembershipRole;
  joinedAt: string;
  deliveredSeq: number;
  readSeq: number;
  /** The member's own setting: no notifications from this room. */
  muted: boolean;
  /** A moderator muted them until then (they read, and cannot write); null when not muted. */
  mutedUntil: string | null;
}

export interface MemberDto extends MembershipDto {
  user: UserSummaryDto;
}

export interface ReceiptDto {
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

export interface ReadStateDto {
  roomId: string;
  userId: string;
  seq: number;
  deliveredSeq: number;
}

export interface AuthSessionDto {
  user: UserDto;
  accessToken: string;
  refreshToken: string;
  /** When the access token expires. */
  expiresAt: string;
  refreshExpiresAt: string;
}

export interface PageDto<T> {
  items: T[];
  hasMore: boolean;
  nextCursor?: string;
}

export interface AppDto {
  id: string;
  name: string;
  allowedOrigins: string[];
  settings: AppSettingsDto;
  createdAt: string;
}

/** `POST /v1/auth/register`. */
export interface RegisterInput {
  username: string;
  password: string;
  name: string;
  lastName?: string;
  email?: string;
}
