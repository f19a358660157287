/**
 * The REST operations of moderation, blocks, reports and erasure (moderation.ts), part of the one
 * route table (routes.ts spreads them in).
 */
import type { PageQuery } from './inputs.js';
import type {
  BanInput,
  DeleteMessageQuery,
  EraseMeInput,
  KickInput,
  MemberRoleInput,
  ModerationLogQuery,
  MuteInput,
  ReportInput,
  RetentionSettingsDto,
  SlowModeInput,
} from './moderation.js';
import type { HttpMethod, Json, RouteSpec } from './routes.js';

const json = <T>(): Json<T> => ({ kind: 'json' });

export const MODERATION_ROUTES = {
  'DELETE /v1/me': {
    auth: 'user',
    body: json<EraseMeInput>(),
    response: 'Erasure',
    alsoStatus: [202],
    errors: ['forbidden', 'rate_limited'],
  },
  'GET /v1/me/blocks': { auth: 'user', query: json<PageQuery>(), response: 'BlockPage' },
  'PUT /v1/me/blocks/:userId': { auth: 'user', response: 'Block', errors: ['forbidden'] },
  'DELETE /v1/me/blocks/:userId': { auth: 'user', status: 204 },

  'PUT /v1/rooms/:id/members/:userId/role': { auth: 'user', body: json<MemberRoleInput>(), response: 'Member', errors: ['forbidden'] },
  'PUT /v1/rooms/:id/members/:userId/mute': { auth: 'user', body: json<MuteInput>(), response: 'Member', errors: ['forbidden'] },
  'DELETE /v1/rooms/:id/members/:userId/mute': { auth: 'user', response: 'Member', errors: ['forbidden'] },
  'POST /v1/rooms/:id/members/:userId/kick': { auth: 'user', status: 204, body: json<KickInput>(), errors: ['forbidden'] },
  'GET /v1/rooms/:id/bans': { auth: 'user', query: json<PageQuery>(), response: 'RoomBanPage', errors: ['forbidden'] },
  'PUT /v1/rooms/:id/bans/:userId': { auth: 'user', body: json<BanInput>(), response: 'RoomBan', errors: ['forbidden'] },
  'DELETE /v1/rooms/:id/bans/:userId': { auth: 'user', status: 204, errors: ['forbidden'] },
  'PUT /v1/rooms/:id/slow-mode': { auth: 'user', body: json<SlowModeInput>(), response: 'Room', errors: ['forbidden'] },
  'GET /v1/rooms/:id/pins': { auth: 'user', response: 'PinPage', errors: ['forbidden'] },
  'PUT /v1/rooms/:id/pins/:messageId': { auth: 'user', response: 'Pin', errors: ['forbidden', 'conflict'] },
  'DELETE /v1/rooms/:id/pins/:messageId': { auth: 'user', status: 204, errors: ['forbidden'] },
  'GET /v1/rooms/:id/moderation-log': { auth: 'user', query: json<PageQuery>(), response: 'ModerationEntryPage', errors: ['forbidden'] },
  'GET /v1/rooms/:id/reports': { auth: 'user', query: json<PageQuery>(), response: 'MessageReportPage', errors: ['forbidden'] },
  'DELETE /v1/messages/:id': { auth: 'user', query: json<DeleteMessageQuery>(), response: 'Message', errors: ['forbidden'] },
  'POST /v1/messages/:id/reports': {
    auth: 'user',
    status: 201,
    alsoStatus: [200],
    body: json<ReportInput>(),
    response: 'MessageReport',
    errors: ['forbidden', 'rate_limited'],
  },

  'GET /v1/moderation/log': { auth: 'user', query: json<ModerationLogQuery>(), response: 'ModerationEntryPage', errors: ['forbidden'] },
  'GET /v1/moderation/reports': { auth: 'user', query: json<PageQuery>(), response: 'MessageReportPage', errors: ['forbidden'] },
  'GET /v1/moderation/bans': { auth: 'user', query: json<PageQuery>(), response: 'UserBanPage', errors: ['forbidden'] },
  'PUT /v1/moderation/bans/:userId': { auth: 'user', body: json<BanInput>(), response: 'UserBan', errors: ['forbidden'] },
  'DELETE /v1/moderation/bans/:userId': { auth: 'user', status: 204, errors: ['forbidden'] },
  'GET /v1/moderation/users/:userId/export': { auth: 'user', response: 'binary', errors: ['forbidden'] },
  'DELETE /v1/moderation/users/:userId': { auth: 'user', response: 'Erasure', alsoStatus: [202], errors: ['forbidden'] },
  'GET /v1/moderation/retention': { auth: 'user', response: 'RetentionSettings', errors: ['forbidden'] },
  'PUT /v1/moderation/retention': {
    auth: 'user',
    body: json<Partial<RetentionSettingsDto>>(),
    response: 'RetentionSettings',
    errors: ['forbidden'],
  },

  'DELETE /v1/admin/apps/:id/users/:userId': { auth: 'admin', response: 'Erasure', alsoStatus: [202] },
} as const satisfies Record<`${HttpMethod} /${string}`, RouteSpec>;
