import {
  editMessageSchema,
  type ListMessagesInput,
  listMessagesSchema,
  messageParamsSchema,
  reactionParamsSchema,
  readSchema,
  type SendMessageInput,
  sendMessageSchema,
} from '../../services/messages/schemas.js';
import { type PageInput, pageSchema, roomParamsSchema } from '../../services/rooms/schemas.js';
import { route } from '../route.js';

const tag = 'messages';
type IdParams = { id: string };

export const messageRoutes = [
  route<IdParams, ListMessagesInput>({
    method: 'get',
    path: '/v1/rooms/:id/messages',
    tag,
    auth: 'user',
    response: 'MessagePage',
    summary: 'History by seq: latest page, or `before`/`after` a seq; oldest first within the page',
    params: roomParamsSchema,
    query: listMessagesSchema,
    handler: async ({ services, actor, input }) => services.history.list(actor, input.params.id, input.query),
  }),
  route<IdParams, {}, SendMessageInput>({
    method: 'post',
    path: '/v1/rooms/:id/messages',
    tag,
    auth: 'user',
    status: 201,
    response: 'Message',
    summary: 'Send a message; a retry with the same clientId returns the stored message (200)',
    params: roomParamsSchema,
    body: sendMessageSchema,
    handler: async ({ services, actor, input, status }) => {
      const { message, created } = await services.messages.send(actor, input.params.id, input.body);
      if (!created) status(200);
      return message;
    },
  }),
  route<IdParams, {}, { text: string }>({
    method: 'patch',
    path: '/v1/messages/:id',
    tag,
    auth: 'user',
    response: 'Message',
    summary: 'Edit your own message',
    params: messageParamsSchema,
    body: editMessageSchema,
    handler: async ({ services, actor, input }) => services.messages.edit(actor, input.params.id, input.body.text),
  }),
  route<IdParams>({
    method: 'delete',
    path: '/v1/messages/:id',
    tag,
    auth: 'user',
    response: 'Message',
    summary: 'Delete your own message (staff and room owners: any); returns the tombstone',
    params: messageParamsSchema,
    handler: async ({ services, actor, input }) => services.messages.delete(actor, input.params.id),
  }),
  route<{ id: string; emoji: string }>({
    method: 'put',
    path: '/v1/messages/:id/reactions/:emoji',
    tag,
    auth: 'user',
    response: 'ReactionUpdate',
    summary: 'React to a message (idempotent)',
    params: reactionParamsSchema,
    handler: async ({ services, actor, input }) => services.messages.react(actor, input.params.id, input.params.emoji, true),
  }),
  route<{ id: string; emoji: string }>({
    method: 'delete',
    path: '/v1/messages/:id/reactions/:emoji',
    tag,
    auth: 'user',
    response: 'ReactionUpdate',
    summary: 'Remove your reaction',
    params: reactionParamsSchema,
    handler: async ({ services, actor, input }) => services.messages.react(actor, input.params.id, input.params.emoji, false),
  }),
  route<IdParams, {}, { seq: number }>({
    method: 'post',
    path: '/v1/rooms/:id/read',
    tag,
    auth: 'user',
    response: 'ReadState',
    summary: 'Move your read watermark forward to `seq`',
    params: roomParamsSchema,
    body: readSchema,
    handler: async ({ services, actor, input }) => services.receipts.markRead(actor, input.params.id, input.body.seq),
  }),
  route<IdParams, PageInput>({
    method: 'get',
    path: '/v1/rooms/:id/receipts',
    tag,
    auth: 'user',
    response: 'ReceiptPage',
    summary: "Members' delivered and read watermarks, a page at a time (by user id)",
    params: roomParamsSchema,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.receipts.receipts(actor, input.params.id, input.query),
  }),
];
