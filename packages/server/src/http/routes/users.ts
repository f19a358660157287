import type { Actor } from '../../services/actor.js';
import { type ListUsersInput, listUsersSchema, type UpdateMeInput, updateMeSchema } from '../../services/users/schemas.js';
import { route } from '../route.js';

const tag = 'users';

export const userRoutes = [
  route({
    method: 'get',
    path: '/v1/me',
    tag,
    auth: 'user',
    response: 'User',
    summary: 'Your own profile',
    handler: async ({ services, actor }) => services.users.me(actor),
  }),
  route<{}, {}, UpdateMeInput>({
    method: 'patch',
    path: '/v1/me',
    tag,
    auth: 'user',
    response: 'User',
    summary: 'Update your profile; throttled by `AUTH_RATE` per IP and per user, so email changes cannot probe for accounts',
    body: updateMeSchema,
    throttle: (ctx) => [`auth:me:user:${(ctx.state.actor as Actor).id}`],
    handler: async ({ services, actor, input }) => services.users.updateMe(actor, input.body),
  }),
  route<{}, ListUsersInput>({
    method: 'get',
    path: '/v1/users',
    tag,
    auth: 'user',
    response: 'UserPage',
    summary:
      'Members of your app except you, by name; `q` searches names and usernames (and emails, for agents and admins, who also see them). Guests may not list (403)',
    query: listUsersSchema,
    handler: async ({ services, actor, input }) => services.users.list(actor, input.query),
  }),
];
