import { type ListUsersInput, listUsersSchema, type UpdateMeInput, updateMeSchema } from '../../services/users/schemas.js';
import { route } from '../route.js';

const tag = 'users';

export const userRoutes = [
  route({
    method: 'get', path: '/v1/me', tag, auth: 'user', response: 'User',
    summary: 'Your own profile',
    handler: async ({ services, actor }) => services.users.me(actor),
  }),
  route<{}, {}, UpdateMeInput>({
    method: 'patch', path: '/v1/me', tag, auth: 'user', response: 'User',
    summary: 'Update your profile',
    body: updateMeSchema,
    handler: async ({ services, actor, input }) => services.users.updateMe(actor, input.body),
  }),
  route<{}, ListUsersInput>({
    method: 'get', path: '/v1/users', tag, auth: 'user', response: 'UserPage',
    summary: 'Members of your app except you, by name; `q` searches names and usernames',
    query: listUsersSchema,
    handler: async ({ services, actor, input }) => services.users.list(actor, input.query),
  }),
];
