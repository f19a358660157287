import type { Actor } from '../../services/actor.js';
import { pageSchema } from '../../services/fields.js';
import { listUsersSchema, updateMeSchema } from '../../services/users/schemas.js';
import { route } from '../route.js';

const tag = 'users';

export const userRoutes = [
  route('GET /v1/me', {
    tag,
    summary: 'Your own profile',
    description: "The caller's user, with their email and metadata. Any signed-in user, guests included.",
    handler: async ({ services, actor }) => services.users.me(actor),
  }),
  route('GET /v1/me/messages', {
    tag,
    summary: 'Your own messages across every room, newest first',
    description:
      'Every message you wrote, in any room (also rooms you have since left), newest first, with its `roomId`; ' +
      'deleted messages and system events are left out. Page with `cursor` (the `nextCursor` of the previous page) ' +
      'and `limit`; a cursor that names none of your messages is `validation_failed`.',
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.myMessages.list(actor, input.query),
  }),
  route('PATCH /v1/me', {
    tag,
    summary: 'Update your profile; `null` clears a field',
    description:
      'Changes name, last name, email, avatar URL or metadata (at most 4 KiB of JSON). An email another user of the app ' +
      'has is `conflict`. Throttled by `AUTH_RATE` per IP and per user (`rate_limited`), so email changes cannot probe ' +
      'for accounts.',
    body: updateMeSchema,
    throttle: (ctx) => [`auth:me:user:${(ctx.state.actor as Actor).id}`],
    handler: async ({ services, actor, input }) => services.users.updateMe(actor, input.body),
  }),
  route('GET /v1/users', {
    tag,
    summary: 'Members of your app except you, by name',
    description:
      '`q` searches names and usernames, and emails for agents and admins, who also see them. Paged with `limit` and ' +
      "`cursor` (the previous page's `nextCursor`). Members only: guests get `forbidden`.",
    query: listUsersSchema,
    handler: async ({ services, actor, input }) => services.users.list(actor, input.query),
  }),
];
