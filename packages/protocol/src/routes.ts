/**
 * The REST API, declared once: every operation the server mounts, keyed `'METHOD /path'`, with who
 * may call it, its success status, query, body, response and the errors it may answer. The server's
 * routes, the SDK's calls and the OpenAPI document are derived or type-checked from this table.
 */
import type { ApiSchemas, SchemaName } from './api-schemas.js';
import type { AssignmentSettingsDto } from './assignment.js';
import type { RegisterInput } from './dto.js';
import type { ErrorCode } from './errors.js';
import type { MessageEditInput, MessageSendInput, RoomReadInput } from './events.js';
import type {
  AddMembersInput,
  AppOriginsInput,
  AssignInput,
  AvailabilityInput,
  CannedListQuery,
  CannedResponseInput,
  CreateAppInput,
  CreateRoomInput,
  DeliveriesQuery,
  DirectRoomInput,
  DownloadQuery,
  ExchangeInput,
  GuestInput,
  InboxQuery,
  LabelInput,
  ListMessagesQuery,
  ListUsersQuery,
  LoginInput,
  LogoutInput,
  PageQuery,
  RefreshInput,
  UpdateMeInput,
  UpdateRoomInput,
  UploadLinksInput,
  WebhookInput,
} from './inputs.js';
import type { MailSettingsInput, TranscriptInput, UnsubscribeQuery } from './mail.js';
import type { NoteInput } from './notes.js';
import type { SupportReportQuery } from './reports.js';
import { MODERATION_ROUTES } from './routes-moderation.js';
import type { StorageQuotaDto } from './storage.js';
import type { AppSettingsDto, RateConversationInput, StartConversationInput, SupportSearchQuery } from './support.js';

/**
 * Who may call an operation:
 * - `user`: a Confab access token (`Authorization: Bearer`);
 * - `app`: no user yet, the app named by `X-Confab-App` (a guest's token, if sent, is picked up);
 * - `admin`: the operator's `ADMIN_TOKEN` as the bearer token;
 * - `link`: a signed link (`exp` and `sig` in the query, made by `POST /v1/uploads/links`) for
 *   `<img src>`, which cannot send headers; or else a Confab access token, as for `user`;
 * - `inbound`: HTTP Basic auth with an app's id and its inbound secret (a mail provider posting);
 * - `none`: anyone.
 */
export type RouteAuth = 'user' | 'app' | 'admin' | 'link' | 'inbound' | 'none';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

declare const shapeOf: unique symbol;
/** A JSON query or body of type `T`: the value is a runtime marker, the type is what matters. */
export interface Json<T> {
  readonly kind: 'json';
  readonly [shapeOf]?: T;
}
/** A `multipart/form-data` body with exactly one file, in the field `file`. */
export interface FileUpload {
  readonly kind: 'multipart';
  readonly field: 'file';
}
/** A body of raw bytes of one media type, read by the handler itself (an email as `message/rfc822`). */
export interface RawBody {
  readonly kind: 'raw';
  readonly contentType: string;
}
/** A reply that is a file (its own content type), not JSON: read it as a Blob or bytes. */
export interface FileDownload {
  readonly kind: 'binary';
}

const json = <T>(): Json<T> => ({ kind: 'json' });
const upload: FileUpload = { kind: 'multipart', field: 'file' };
const rawMail: RawBody = { kind: 'raw', contentType: 'message/rfc822' };

/** One operation of the table. `response`: a schema name, a file, plain text, or nothing (204). */
export type RouteSpec = {
  auth: RouteAuth;
  query?: Json<unknown>;
  body?: Json<unknown> | FileUpload | RawBody;
  /** Error codes particular to this operation; those of its auth and input are added (`routeErrors`). */
  errors?: readonly ErrorCode[];
  /** Other statuses answering the same response shape (e.g. 200 for a retried create). */
  alsoStatus?: readonly number[];
} & ({ status?: 200 | 201 | 202; response: SchemaName | 'binary' | 'text' } | { status: 204; response?: undefined });

const defineRoutes = <const T extends Record<`${HttpMethod} /${string}`, RouteSpec>>(table: T): T => table;

/** Every REST operation of the server. */
export const REST_ROUTES = defineRoutes({
  'GET /healthz': { auth: 'none', response: 'Health' },
  'GET /readyz': { auth: 'none', response: 'Health', alsoStatus: [503] },
  'GET /metrics': { auth: 'none', response: 'text' },

  'POST /v1/auth/register': { auth: 'app', status: 201, body: json<RegisterInput>(), response: 'AuthSession', errors: ['conflict'] },
  'POST /v1/auth/login': { auth: 'app', body: json<LoginInput>(), response: 'AuthSession', errors: ['unauthorized'] },
  'POST /v1/auth/guest': { auth: 'app', status: 201, body: json<GuestInput>(), response: 'AuthSession' },
  'POST /v1/auth/exchange': {
    auth: 'app',
    body: json<ExchangeInput>(),
    response: 'AuthSession',
    errors: ['unauthorized', 'token_expired'],
  },
  'POST /v1/auth/refresh': {
    auth: 'none',
    body: json<RefreshInput>(),
    response: 'AuthSession',
    errors: ['unauthorized', 'origin_not_allowed'],
  },
  'POST /v1/auth/logout': { auth: 'user', status: 204, body: json<LogoutInput>() },

  'GET /v1/me': { auth: 'user', response: 'User' },
  'PATCH /v1/me': { auth: 'user', body: json<UpdateMeInput>(), response: 'User', errors: ['conflict', 'rate_limited'] },
  'GET /v1/me/messages': { auth: 'user', query: json<PageQuery>(), response: 'MessagePage' },
  'GET /v1/me/export': { auth: 'user', response: 'binary', errors: ['rate_limited'] },
  'GET /v1/users': { auth: 'user', query: json<ListUsersQuery>(), response: 'UserPage', errors: ['forbidden'] },

  'GET /v1/rooms': { auth: 'user', query: json<PageQuery>(), response: 'RoomListPage' },
  'POST /v1/rooms': { auth: 'user', status: 201, body: json<CreateRoomInput>(), response: 'Room', errors: ['forbidden', 'conflict'] },
  'POST /v1/rooms/direct': {
    auth: 'user',
    body: json<DirectRoomInput>(),
    response: 'Room',
    alsoStatus: [201],
    errors: ['forbidden', 'not_found'],
  },
  'GET /v1/rooms/:id': { auth: 'user', response: 'Room', errors: ['forbidden'] },
  'PATCH /v1/rooms/:id': { auth: 'user', body: json<UpdateRoomInput>(), response: 'Room', errors: ['forbidden', 'conflict'] },
  'GET /v1/rooms/:id/members': { auth: 'user', response: 'MemberPage', errors: ['forbidden'] },
  'POST /v1/rooms/:id/members': { auth: 'user', body: json<AddMembersInput>(), response: 'MemberPage', errors: ['forbidden'] },
  'DELETE /v1/rooms/:id/members/:userId': { auth: 'user', status: 204, errors: ['forbidden'] },

  'GET /v1/rooms/:id/messages': { auth: 'user', query: json<ListMessagesQuery>(), response: 'MessagePage', errors: ['forbidden'] },
  'POST /v1/rooms/:id/messages': {
    auth: 'user',
    status: 201,
    alsoStatus: [200],
    body: json<Omit<MessageSendInput, 'roomId'>>(),
    response: 'Message',
    errors: ['forbidden', 'conflict', 'rate_limited'],
  },
  'PATCH /v1/messages/:id': {
    auth: 'user',
    body: json<Omit<MessageEditInput, 'messageId'>>(),
    response: 'Message',
    errors: ['forbidden', 'conflict'],
  },
  'PUT /v1/messages/:id/reactions/:emoji': { auth: 'user', response: 'ReactionUpdate', errors: ['forbidden', 'conflict'] },
  'DELETE /v1/messages/:id/reactions/:emoji': { auth: 'user', response: 'ReactionUpdate', errors: ['forbidden', 'conflict'] },
  'POST /v1/rooms/:id/read': { auth: 'user', body: json<Omit<RoomReadInput, 'roomId'>>(), response: 'ReadState', errors: ['forbidden'] },
  'GET /v1/rooms/:id/receipts': { auth: 'user', query: json<PageQuery>(), response: 'ReceiptPage', errors: ['forbidden'] },

  'POST /v1/support/conversations': {
    auth: 'user',
    status: 201,
    body: json<StartConversationInput>(),
    response: 'StartedConversation',
    errors: ['forbidden', 'conflict', 'rate_limited'],
  },
  'GET /v1/support/conversations': { auth: 'user', query: json<InboxQuery>(), response: 'InboxPage', errors: ['forbidden'] },
  'GET /v1/support/search': { auth: 'user', query: json<SupportSearchQuery>(), response: 'SearchPage', errors: ['forbidden'] },
  'GET /v1/support/reports': { auth: 'user', query: json<SupportReportQuery>(), response: 'SupportReport', errors: ['forbidden'] },
  'GET /v1/support/conversations/:id': { auth: 'user', response: 'Conversation', errors: ['forbidden'] },
  'POST /v1/support/conversations/:id/assign': { auth: 'user', body: json<AssignInput>(), response: 'Conversation', errors: ['forbidden'] },
  'POST /v1/support/conversations/:id/resolve': { auth: 'user', response: 'Conversation', errors: ['forbidden'] },
  'POST /v1/support/conversations/:id/reopen': { auth: 'user', response: 'Conversation', errors: ['forbidden'] },
  'PUT /v1/support/conversations/:id/rating': {
    auth: 'user',
    body: json<RateConversationInput>(),
    response: 'ConversationRating',
    errors: ['forbidden', 'conflict'],
  },
  'GET /v1/support/labels': { auth: 'user', response: 'LabelPage', errors: ['forbidden'] },
  'POST /v1/support/labels': { auth: 'user', status: 201, body: json<LabelInput>(), response: 'Label', errors: ['forbidden', 'conflict'] },
  'PATCH /v1/support/labels/:id': { auth: 'user', body: json<Partial<LabelInput>>(), response: 'Label', errors: ['forbidden', 'conflict'] },
  'DELETE /v1/support/labels/:id': { auth: 'user', status: 204, errors: ['forbidden'] },
  'PUT /v1/support/conversations/:id/labels/:labelId': { auth: 'user', response: 'Conversation', errors: ['forbidden'] },
  'DELETE /v1/support/conversations/:id/labels/:labelId': { auth: 'user', response: 'Conversation', errors: ['forbidden'] },
  'GET /v1/support/conversations/:id/notes': { auth: 'user', query: json<PageQuery>(), response: 'NotePage', errors: ['forbidden'] },
  'POST /v1/support/conversations/:id/notes': {
    auth: 'user',
    status: 201,
    alsoStatus: [200],
    body: json<NoteInput>(),
    response: 'Note',
    errors: ['forbidden', 'conflict'],
  },
  'DELETE /v1/support/notes/:id': { auth: 'user', status: 204, errors: ['forbidden'] },
  'POST /v1/support/conversations/:id/transcript': {
    auth: 'user',
    status: 202,
    body: json<TranscriptInput>(),
    response: 'TranscriptQueued',
    errors: ['rate_limited'],
  },
  'GET /v1/support/conversations/:id/mails': { auth: 'user', query: json<PageQuery>(), response: 'MailPage', errors: ['forbidden'] },
  'GET /v1/support/mail-settings': { auth: 'user', response: 'MailSettings', errors: ['forbidden'] },
  'PUT /v1/support/mail-settings': {
    auth: 'user',
    body: json<Partial<MailSettingsInput>>(),
    response: 'MailSettings',
    errors: ['forbidden'],
  },
  'POST /v1/support/mail-settings/inbound-secret': { auth: 'user', response: 'InboundSecret', errors: ['forbidden'] },
  'POST /v1/inbound/email': {
    auth: 'inbound',
    status: 201,
    alsoStatus: [200],
    body: rawMail,
    response: 'InboundMailResult',
    errors: ['forbidden', 'not_found', 'rate_limited'],
  },
  'GET /v1/mail/unsubscribe': { auth: 'none', query: json<UnsubscribeQuery>(), response: 'binary', errors: ['forbidden'] },
  'POST /v1/mail/unsubscribe': { auth: 'none', query: json<UnsubscribeQuery>(), response: 'binary', errors: ['forbidden'] },
  'GET /v1/support/settings': { auth: 'app', response: 'SupportSettings' },
  'PUT /v1/support/availability': { auth: 'user', body: json<AvailabilityInput>(), response: 'SupportAvailability', errors: ['forbidden'] },
  'GET /v1/support/assignment': { auth: 'user', response: 'Assignment', errors: ['forbidden'] },
  'PUT /v1/support/assignment': { auth: 'user', body: json<AssignmentSettingsDto>(), response: 'Assignment', errors: ['forbidden'] },
  'GET /v1/canned-responses': { auth: 'user', query: json<CannedListQuery>(), response: 'CannedResponsePage', errors: ['forbidden'] },
  'POST /v1/canned-responses': {
    auth: 'user',
    status: 201,
    body: json<CannedResponseInput>(),
    response: 'CannedResponse',
    errors: ['forbidden', 'conflict'],
  },
  'PATCH /v1/canned-responses/:id': {
    auth: 'user',
    body: json<Partial<CannedResponseInput>>(),
    response: 'CannedResponse',
    errors: ['forbidden', 'conflict'],
  },
  'DELETE /v1/canned-responses/:id': { auth: 'user', status: 204, errors: ['forbidden'] },

  'POST /v1/uploads': { auth: 'user', status: 201, body: upload, response: 'Attachment', errors: ['rate_limited'] },
  'POST /v1/uploads/links': { auth: 'user', body: json<UploadLinksInput>(), response: 'UploadLinks' },
  'GET /v1/uploads/:id': { auth: 'link', query: json<DownloadQuery>(), response: 'binary', errors: ['range_not_satisfiable'] },
  'GET /v1/uploads/:id/thumbnail': {
    auth: 'link',
    query: json<DownloadQuery>(),
    response: 'binary',
    errors: ['range_not_satisfiable'],
  },
  'GET /v1/storage/usage': { auth: 'user', response: 'StorageUsage' },
  'PUT /v1/storage/quota': { auth: 'user', body: json<Partial<StorageQuotaDto>>(), response: 'StorageUsage', errors: ['forbidden'] },

  'GET /v1/admin/apps': { auth: 'admin', response: 'AppPage' },
  'POST /v1/admin/apps': { auth: 'admin', status: 201, body: json<CreateAppInput>(), response: 'AppWithSecret' },
  'PUT /v1/admin/apps/:id/origins': { auth: 'admin', body: json<AppOriginsInput>(), response: 'App' },
  'PATCH /v1/admin/apps/:id/settings': { auth: 'admin', body: json<AppSettingsDto>(), response: 'App' },
  'POST /v1/admin/apps/:id/inbound-secret': { auth: 'admin', response: 'InboundSecret' },
  'GET /v1/admin/apps/:id/users/:userId/export': { auth: 'admin', response: 'binary' },
  'GET /v1/admin/apps/:id/webhooks': { auth: 'admin', response: 'WebhookPage' },
  'POST /v1/admin/apps/:id/webhooks': {
    auth: 'admin',
    status: 201,
    body: json<WebhookInput>(),
    response: 'WebhookWithSecret',
    errors: ['conflict'],
  },
  'PATCH /v1/admin/apps/:id/webhooks/:webhookId': { auth: 'admin', body: json<Partial<WebhookInput>>(), response: 'Webhook' },
  'DELETE /v1/admin/apps/:id/webhooks/:webhookId': { auth: 'admin', status: 204 },
  'GET /v1/admin/apps/:id/webhooks/:webhookId/deliveries': {
    auth: 'admin',
    query: json<DeliveriesQuery>(),
    response: 'WebhookDeliveryPage',
  },
  'POST /v1/admin/apps/:id/webhooks/:webhookId/deliveries/:deliveryId/redeliver': { auth: 'admin', response: 'WebhookDelivery' },
  ...MODERATION_ROUTES,
});

type Table = typeof REST_ROUTES;
/** `'POST /v1/rooms/:id/messages'` and the like: one per operation. */
export type RouteKey = keyof Table;
/** Every key of the table, for tests and generators. */
export const ROUTE_KEYS = Object.keys(REST_ROUTES) as RouteKey[];

export type RouteMethod<K extends RouteKey> = K extends `${infer M extends HttpMethod} ${string}` ? M : never;
export type RoutePath<K extends RouteKey> = K extends `${HttpMethod} ${infer P}` ? P : never;

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
/** `{ id: string; userId: string }` for `/v1/rooms/:id/members/:userId`; `undefined` without params. */
export type PathParams<P extends string> = [ParamNames<P>] extends [never] ? undefined : { [N in ParamNames<P>]: string };

type Shape<M> = M extends Json<infer T> ? T : M extends FileUpload ? FileUpload : M extends RawBody ? RawBody : undefined;
type ResponseOf<S> = S extends { response: infer R }
  ? R extends SchemaName
    ? ApiSchemas[R]
    : R extends 'binary'
      ? FileDownload
      : R extends 'text'
        ? string
        : void
  : void;

export type RouteParams<K extends RouteKey> = PathParams<RoutePath<K>>;
/** The query a client may send; `undefined` when the operation reads none. */
export type RouteQuery<K extends RouteKey> = Shape<Table[K] extends { query: infer Q } ? Q : undefined>;
/** The JSON body (or `FileUpload`); `undefined` when the operation takes none. */
export type RouteBody<K extends RouteKey> = Shape<Table[K] extends { body: infer B } ? B : undefined>;
/** The success reply: a DTO, `FileDownload`, `string` (text) or `void` (204). */
export type RouteResponse<K extends RouteKey> = ResponseOf<Table[K]>;

/** Splits a key into its method and path pattern. */
export function splitRouteKey<K extends RouteKey>(key: K): { method: RouteMethod<K>; path: RoutePath<K> } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space) as RouteMethod<K>, path: key.slice(space + 1) as RoutePath<K> };
}

/** The path of `key` with its params filled in (URI-encoded): `routePath('GET /v1/rooms/:id', { id })`. */
export function routePath<K extends RouteKey>(key: K, ...[params]: RouteParams<K> extends undefined ? [] : [RouteParams<K>]): string {
  const { path } = splitRouteKey(key);
  const values = (params ?? {}) as Record<string, string>;
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TypeError(`${key}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
