import { pageSchema } from '../../services/fields.js';
import {
  banSchema,
  kickSchema,
  memberRoleSchema,
  moderationLogQuerySchema,
  muteSchema,
  slowModeSchema,
  userParamsSchema,
} from '../../services/moderation/schemas.js';
import { memberParamsSchema, roomParamsSchema } from '../../services/rooms/schemas.js';
import { route } from '../route.js';

const tag = 'moderation';

const MODERATORS =
  "The room's owners and moderators may, and the app's admins and agents in rooms their role reaches; other members get " +
  '`forbidden`, as do direct and support rooms. Nobody acts on someone of equal or higher rank (app staff, then owner, ' +
  'then moderator, then member). A room or user of another app is `not_found`.';
const LOGGED = "Recorded in the room's moderation log; the room and the person hear `room:moderation`.";

export const moderationRoutes = [
  route('PUT /v1/rooms/:id/members/:userId/role', {
    tag,
    summary: 'Make a member a moderator, or a moderator a member again',
    description:
      "The room's owners (and the app's admins) give `moderator` or `member`; the owner's own role cannot be changed " +
      `(\`forbidden\`), and someone who is not a member is \`not_found\`. Answers the member. ${LOGGED}`,
    params: memberParamsSchema,
    body: memberRoleSchema,
    handler: async ({ services, actor, input }) =>
      services.moderation.setRole(actor, input.params.id, input.params.userId, input.body.role),
  }),
  route('PUT /v1/rooms/:id/members/:userId/mute', {
    tag,
    summary: 'Mute a member for a while: they read, but cannot write',
    description:
      'For `durationSeconds` (60 s … 30 days) their sends are refused with `forbidden` and `details.mutedUntil`; muting ' +
      `again replaces the end. Answers the member (\`mutedUntil\`). ${MODERATORS} ${LOGGED}`,
    params: memberParamsSchema,
    body: muteSchema,
    handler: async ({ services, actor, input }) =>
      services.moderation.mute(actor, input.params.id, input.params.userId, input.body.durationSeconds, input.body.reason),
  }),
  route('DELETE /v1/rooms/:id/members/:userId/mute', {
    tag,
    summary: 'Lift a mute',
    description: `The member may write again at once. Answers the member. ${MODERATORS} ${LOGGED}`,
    params: memberParamsSchema,
    handler: async ({ services, actor, input }) => services.moderation.unmute(actor, input.params.id, input.params.userId),
  }),
  route('POST /v1/rooms/:id/members/:userId/kick', {
    tag,
    summary: 'Remove a member from the room (they may join a public room again)',
    description:
      'Their membership ends and their sockets stop hearing the room at once; someone who is not a member is `not_found`. ' +
      `To keep them out, ban them instead. Answers 204. ${MODERATORS} ${LOGGED}`,
    params: memberParamsSchema,
    body: kickSchema,
    handler: async ({ services, actor, input }) => services.moderation.kick(actor, input.params.id, input.params.userId, input.body.reason),
  }),
  route('GET /v1/rooms/:id/bans', {
    tag,
    summary: 'People banned from the room',
    description: `The bans in force (expired ones no longer count), newest first, paged with \`limit\` and \`cursor\`. ${MODERATORS}`,
    params: roomParamsSchema,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.roomBans.list(actor, input.params.id, input.query),
  }),
  route('PUT /v1/rooms/:id/bans/:userId', {
    tag,
    summary: 'Ban someone from the room, for a while or until unbanned',
    description:
      'A member is removed (as by a kick) and nobody of the app can add them back, nor can they join, while the ban lasts ' +
      '(`forbidden` with `details.bannedUntil`). `durationSeconds` (60 s … 365 days) omitted: until unbanned. Banning ' +
      `again replaces the end and reason. Answers the ban. ${MODERATORS} ${LOGGED}`,
    params: memberParamsSchema,
    body: banSchema,
    handler: async ({ services, actor, input }) => services.roomBans.ban(actor, input.params.id, input.params.userId, input.body),
  }),
  route('DELETE /v1/rooms/:id/bans/:userId', {
    tag,
    summary: 'Lift a ban from the room',
    description: `They may join (or be added) again; no ban is \`not_found\`. Answers 204. ${MODERATORS} ${LOGGED}`,
    params: memberParamsSchema,
    handler: async ({ services, actor, input }) => services.roomBans.unban(actor, input.params.id, input.params.userId),
  }),
  route('PUT /v1/rooms/:id/slow-mode', {
    tag,
    summary: 'Slow mode: at most one message per member every `seconds` (0: off)',
    description:
      'Members who wrote less than `seconds` ago are refused with `rate_limited` (`details.retryAfterMs`, ' +
      '`details.slowModeSeconds`), on top of the message rate; owners, moderators and app staff are exempt. The room hears ' +
      `\`room:updated\` (\`slowModeSeconds\`). Answers the room. ${MODERATORS} ${LOGGED}`,
    params: roomParamsSchema,
    body: slowModeSchema,
    handler: async ({ services, actor, input }) => services.moderation.setSlowMode(actor, input.params.id, input.body.seconds),
  }),
  route('GET /v1/rooms/:id/moderation-log', {
    tag,
    summary: "The room's moderation log: who did what to whom, when and why",
    description:
      "Newest first, paged with `limit` and `cursor`. For the room's owners and moderators and the app's staff in rooms " +
      'their role reaches; anyone else gets `forbidden`.',
    params: roomParamsSchema,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.moderation.roomLog(actor, input.params.id, input.query),
  }),
  route('GET /v1/moderation/log', {
    tag,
    summary: "The app's moderation log (or one room's)",
    description:
      'Every action in the app, newest first (app-wide bans included), or `roomId`’s only (`not_found` for a room of ' +
      "another app). For the app's admins and agents (`forbidden` otherwise).",
    query: moderationLogQuerySchema,
    handler: async ({ services, actor, input }) => services.moderation.appLog(actor, input.query),
  }),
  route('GET /v1/moderation/bans', {
    tag,
    summary: 'People banned from the app',
    description: "The app-wide bans in force, newest first, paged with `limit` and `cursor`. For the app's admins (`forbidden` otherwise).",
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.appBans.list(actor, input.query),
  }),
  route('PUT /v1/moderation/bans/:userId', {
    tag,
    summary: 'Ban someone from the whole app: every session ends at once',
    description:
      'Their sessions end and their sockets are closed on every node; signing in, refreshing and exchanging host tokens ' +
      'are refused (`forbidden`, `details.bannedUntil`) until the ban ends (`durationSeconds`, 60 s … 365 days; omitted: ' +
      "until unbanned). For the app's admins, who cannot ban themselves or another admin (`forbidden`); a user of " +
      'another app is `not_found`. Recorded in the moderation log. Answers the ban.',
    params: userParamsSchema,
    body: banSchema,
    handler: async ({ services, actor, input }) => services.appBans.ban(actor, input.params.userId, input.body),
  }),
  route('DELETE /v1/moderation/bans/:userId', {
    tag,
    summary: 'Lift an app-wide ban',
    description: "They may sign in again; no ban is `not_found`. For the app's admins. Answers 204.",
    params: userParamsSchema,
    handler: async ({ services, actor, input }) => services.appBans.unban(actor, input.params.userId),
  }),
];
