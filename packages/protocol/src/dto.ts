/** Wire shapes of the REST API and socket payloads. Times are ISO-8601 strings, ids strings. */

export type UserKind = 'member' | 'guest';
export type UserRole = 'user' | 'agent' | 'admin';
export type RoomKind = 'direct' | 'group' | 'public' | 'support';
export type MembershipRole = 'owner' | 'member' | 'agent';
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
}

export interface MessageDto {
  id: string;
  roomId: string;
  seq: number;
  /** Grows with every change to the message (edit, delete, reaction): the newer copy wins a merge. */
  version: number;
  clientId: string | null;
  senderId: string;
  sender: UserSummaryDto | null;
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
  visitor: Record<string, unknown>;
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
  muted: boolean;
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
