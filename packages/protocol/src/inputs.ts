/**
 * Request bodies and queries of the REST API, as a client sends them (before the server's
 * defaults): `routes.ts` says which operation takes which. Path ids are not repeated here.
 */
import type { SupportStatus } from './dto.js';
import type { AgentAvailability, LabelColour, WebhookDeliveryStatus, WebhookEventName } from './support.js';

/** `?limit=&cursor=` of a keyset-paged list; `limit` defaults to `LIMITS.pageDefault`. */
export interface PageQuery {
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** `POST /v1/auth/login`. */
export interface LoginInput {
  /** Username or email. */
  username: string;
  password: string;
}

/** `POST /v1/auth/guest`: what a visitor chose to tell. */
export interface GuestInput {
  name?: string;
  email?: string;
  metadata?: Record<string, unknown>;
}

/** `POST /v1/auth/exchange`: a token the host site's backend signed with the app secret (HS256). */
export interface ExchangeInput {
  token: string;
}

export interface RefreshInput {
  refreshToken: string;
}

/** Without `refreshToken`, only the access token's session ends. */
export interface LogoutInput {
  refreshToken?: string;
}

/** `PATCH /v1/me`; `null` clears a field. */
export interface UpdateMeInput {
  name?: string;
  lastName?: string | null;
  email?: string | null;
  avatarUrl?: string | null;
  metadata?: Record<string, unknown>;
}

export interface ListUsersQuery extends PageQuery {
  /** Searches names and usernames (and emails, for staff). */
  q?: string;
}

export interface CreateRoomInput {
  /** Defaults to `group`. */
  kind?: 'group' | 'public';
  name: string;
  slug?: string;
  memberIds?: string[];
}

export interface DirectRoomInput {
  userId: string;
}

/** Rename (owner), or on a support conversation change status or assignee (agents); not both at once. */
export interface UpdateRoomInput {
  name?: string;
  slug?: string | null;
  status?: SupportStatus;
  assigneeId?: string | null;
}

/** Joining a public room yourself is `{ userId: <your id> }`. */
export type AddMembersInput = { userId: string } | { userIds: string[] };

/** Latest page without `before`/`after`; `limit` defaults to `LIMITS.pageDefault`. */
export interface ListMessagesQuery {
  before?: number;
  after?: number;
  /** A message id of the room: a page centred on it (about half older, the rest newer). */
  around?: string;
  limit?: number;
}

export interface InboxQuery extends PageQuery {
  status?: SupportStatus;
  /** `me`, `none`, or an agent's id. */
  assignee?: string;
  /** Only the conversations this visitor started (their previous conversations). */
  visitorId?: string;
  /** Only the conversations carrying this label (its id). */
  label?: string;
}

/** No `agentId`: claim it yourself; `null`: unassign. */
export interface AssignInput {
  agentId?: string | null;
}

export interface AvailabilityInput {
  availability: AgentAvailability;
}

export interface CannedResponseInput {
  /** Without the slash. */
  shortcut: string;
  text: string;
}

/** `POST /v1/support/labels`; `PATCH` takes either field. */
export interface LabelInput {
  /** 1 to `LIMITS.labelNameMax` characters, unique per app ignoring case. */
  name: string;
  colour: LabelColour;
}

export interface CannedListQuery {
  /** Filters by shortcut and text. */
  q?: string;
}

/**
 * `GET /v1/uploads/:id` by a signed link (`POST /v1/uploads/links`): `<img src>` cannot send
 * headers. Without them, the access token goes in the `Authorization` header.
 */
export interface DownloadQuery {
  /** When the link stops working, in Unix seconds. */
  exp?: number;
  /** The link's signature. */
  sig?: string;
}

/** `POST /v1/uploads/links`: the files to link, at most `LIMITS.uploadLinksMax`. */
export interface UploadLinksInput {
  ids: string[];
}

/** `POST /v1/admin/apps`. */
export interface CreateAppInput {
  name: string;
  /** Allowed page origins, e.g. `https://example.com` or `http://localhost:*`. */
  origins?: string[];
}

export interface AppOriginsInput {
  origins: string[];
}

export interface WebhookInput {
  url: string;
  events: WebhookEventName[];
  active?: boolean;
}

export interface DeliveriesQuery extends PageQuery {
  status?: WebhookDeliveryStatus;
}
