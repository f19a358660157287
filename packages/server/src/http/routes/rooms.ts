import {
  addMembersSchema,
  createRoomSchema,
  directRoomSchema,
  listRoomsSchema,
  memberParamsSchema,
  roomParamsSchema,
  updateRoomSchema,
} from '../../services/rooms/schemas.js';
import { route } from '../route.js';

const tag = 'rooms';

export const roomRoutes = [
  route('GET /v1/rooms', {
    tag,
    summary: 'Your rooms, latest activity first, with last message and unread count',
    description:
      'Every room the caller is a member of (support conversations included), newest activity first, each with its last ' +
      "message, the caller's membership and unread count. Paged with `limit` and `cursor`.",
    query: listRoomsSchema,
    handler: async ({ services, actor, input }) => services.rooms.list(actor, input.query),
  }),
  route('POST /v1/rooms', {
    tag,
    summary: 'Create a group or public room; you become its owner',
    description:
      'A `group` room is seen by its members only; a `public` room by anyone of the app, who may join it. `memberIds` ' +
      'must be members of the app (`validation_failed` otherwise); a `slug` taken by another room is `conflict`. ' +
      'Guests may not create rooms (`forbidden`). Members hear `room:created`.',
    body: createRoomSchema,
    handler: async ({ services, actor, input }) => services.rooms.create(actor, input.body),
  }),
  route('POST /v1/rooms/direct', {
    tag,
    summary: 'Get or create the 1:1 room with another user',
    description:
      'Answers the direct room between the caller and `userId`, 200 when it existed and 201 when created now; two ' +
      'concurrent calls get the same room. An unknown user is `not_found`, yourself `validation_failed`; guests reach ' +
      'and are reached through support conversations (`forbidden`), and so is anyone with a block between the two, ' +
      'either way round (`forbidden`; also for sends into the room while it stands).',
    body: directRoomSchema,
    handler: async ({ services, actor, input, status }) => {
      const { room, created } = await services.rooms.direct(actor, input.body.userId);
      if (created) status(201);
      return room;
    },
  }),
  route('GET /v1/rooms/:id', {
    tag,
    summary: 'One room',
    description:
      "The room with its member count, the caller's membership and, for a direct room, the other member. Members may " +
      'read it, and anyone of the app a public room; others get `forbidden`, and a room of another app `not_found`.',
    params: roomParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.get(actor, input.params.id),
  }),
  route('PATCH /v1/rooms/:id', {
    tag,
    summary: 'Rename a room or change its slug; on a support conversation, its status or assignee',
    description:
      'The owner renames a group or public room or changes its slug (`conflict` when taken). On a support conversation, ' +
      'agents change `status` or `assigneeId` instead (then the answer is the conversation). Renaming and support fields ' +
      'cannot be mixed (`validation_failed`); direct and support rooms cannot be renamed (`forbidden`).',
    params: roomParamsSchema,
    body: updateRoomSchema,
    handler: async ({ services, actor, input }) => {
      const { status, assigneeId, ...rename } = input.body;
      if (status === undefined && assigneeId === undefined) return services.rooms.update(actor, input.params.id, rename);
      return services.support.update(actor, input.params.id, { status, assigneeId });
    },
  }),
  route('GET /v1/rooms/:id/members', {
    tag,
    summary: 'Members of a room',
    description: 'Every member with their role, watermarks and user summary. Members only (and anyone of the app for a public room).',
    params: roomParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.members(actor, input.params.id),
  }),
  route('POST /v1/rooms/:id/members', {
    tag,
    summary: 'Join a public room, or add people (owner)',
    description:
      'Send `{ userId: <your id> }` to join a public room yourself, or `{ userIds: [...] }` (or one `userId`) to add ' +
      'members of the app as the owner. Answers the members after the change; adding someone already in is not an error. ' +
      'Direct and support rooms cannot be changed here (`forbidden`).',
    params: roomParamsSchema,
    body: addMembersSchema,
    handler: async ({ services, actor, input }) => services.rooms.addMembers(actor, input.params.id, input.body),
  }),
  route('DELETE /v1/rooms/:id/members/:userId', {
    tag,
    summary: 'Leave a room, or remove someone (owner)',
    description:
      'Your own user id leaves the room; another user id removes that member, which only the owner may do (`forbidden`). ' +
      'Nobody leaves a direct room. A user who is not a member is `not_found`. Answers 204.',
    params: memberParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.removeMember(actor, input.params.id, input.params.userId),
  }),
];
