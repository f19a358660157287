import {
  type AddMembersInput,
  addMembersSchema,
  type CreateRoomInput,
  createRoomSchema,
  directRoomSchema,
  listRoomsSchema,
  memberParamsSchema,
  roomParamsSchema,
  type UpdateRoomInput,
  updateRoomSchema,
} from '../../services/rooms/schemas.js';
import { route } from '../route.js';

const tag = 'rooms';
type RoomParams = { id: string };

export const roomRoutes = [
  route<{}, { limit: number; cursor?: string }>({
    method: 'get',
    path: '/v1/rooms',
    tag,
    auth: 'user',
    response: 'RoomListPage',
    summary: 'Your rooms, latest activity first, with last message and unread count',
    query: listRoomsSchema,
    handler: async ({ services, actor, input }) => services.rooms.list(actor, input.query),
  }),
  route<{}, {}, CreateRoomInput>({
    method: 'post',
    path: '/v1/rooms',
    tag,
    auth: 'user',
    status: 201,
    response: 'Room',
    summary: 'Create a group or public room; you become its owner',
    body: createRoomSchema,
    handler: async ({ services, actor, input }) => services.rooms.create(actor, input.body),
  }),
  route<{}, {}, { userId: string }>({
    method: 'post',
    path: '/v1/rooms/direct',
    tag,
    auth: 'user',
    response: 'Room',
    summary: 'Get or create the 1:1 room with another user (201 when created)',
    body: directRoomSchema,
    handler: async ({ services, actor, input, status }) => {
      const { room, created } = await services.rooms.direct(actor, input.body.userId);
      if (created) status(201);
      return room;
    },
  }),
  route<RoomParams>({
    method: 'get',
    path: '/v1/rooms/:id',
    tag,
    auth: 'user',
    response: 'Room',
    summary: 'Room details (members, or anyone of the app for public rooms)',
    params: roomParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.get(actor, input.params.id),
  }),
  route<RoomParams, {}, UpdateRoomInput>({
    method: 'patch',
    path: '/v1/rooms/:id',
    tag,
    auth: 'user',
    response: 'Room',
    summary: 'Rename a room or change its slug (owner); on a support conversation, its status or assignee (agents)',
    params: roomParamsSchema,
    body: updateRoomSchema,
    handler: async ({ services, actor, input }) => {
      const { status, assigneeId, ...rename } = input.body;
      if (status === undefined && assigneeId === undefined) return services.rooms.update(actor, input.params.id, rename);
      return services.support.update(actor, input.params.id, { status, assigneeId });
    },
  }),
  route<RoomParams>({
    method: 'get',
    path: '/v1/rooms/:id/members',
    tag,
    auth: 'user',
    response: 'MemberPage',
    summary: 'Members of a room',
    params: roomParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.members(actor, input.params.id),
  }),
  route<RoomParams, {}, AddMembersInput>({
    method: 'post',
    path: '/v1/rooms/:id/members',
    tag,
    auth: 'user',
    response: 'MemberPage',
    summary: 'Join a public room (`{ userId: <you> }`) or add people (owner)',
    params: roomParamsSchema,
    body: addMembersSchema,
    handler: async ({ services, actor, input }) => services.rooms.addMembers(actor, input.params.id, input.body),
  }),
  route<{ id: string; userId: string }>({
    method: 'delete',
    path: '/v1/rooms/:id/members/:userId',
    tag,
    auth: 'user',
    status: 204,
    summary: 'Leave a room, or remove someone (owner)',
    params: memberParamsSchema,
    handler: async ({ services, actor, input }) => services.rooms.removeMember(actor, input.params.id, input.params.userId),
  }),
];
