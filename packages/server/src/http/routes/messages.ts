import { pageSchema } from '../../services/fields.js';
import {
  editMessageSchema,
  listMessagesSchema,
  messageParamsSchema,
  reactionParamsSchema,
  readSchema,
  sendMessageSchema,
} from '../../services/messages/schemas.js';
import { deleteMessageQuerySchema } from '../../services/moderation/schemas.js';
import { roomParamsSchema } from '../../services/rooms/schemas.js';
import { route } from '../route.js';

const tag = 'messages';
const MEMBERS = 'Members of the room only (join a public room first); others get `forbidden`.';

export const messageRoutes = [
  route('GET /v1/rooms/:id/messages', {
    tag,
    summary: 'History by seq: the latest page, or `before`/`after` a seq',
    description:
      'Messages are numbered by `seq` within their room. Without `before`/`after` this answers the latest page; ' +
      '`before` pages back, `after` forward. Oldest first within the page; `hasMore` says more wait in the direction ' +
      'asked. `around` (a message id of the room, not with `before`/`after`; `not_found` otherwise) answers a page ' +
      'centred on that message, to open a search result at its match; its `hasMore` and `nextCursor` continue with ' +
      `older messages. Deleted messages come as tombstones. ${MEMBERS}`,
    params: roomParamsSchema,
    query: listMessagesSchema,
    handler: async ({ services, actor, input }) => services.history.list(actor, input.params.id, input.query),
  }),
  route('POST /v1/rooms/:id/messages', {
    tag,
    summary: 'Send a message; a retry with the same clientId returns the stored message',
    description:
      "Stores the message with the room's next `seq` and answers it (201); members hear `message:created`. `clientId` " +
      'makes sends retry-safe: a retry answers the stored message with 200 and creates nothing, and a `clientId` used ' +
      'in another room is `conflict`. Text, attachments (your uploads, not yet sent) or both; `replyTo` must be in the ' +
      `room. Throttled by \`MESSAGE_RATE\` (\`rate_limited\`). ${MEMBERS}`,
    params: roomParamsSchema,
    body: sendMessageSchema,
    handler: async ({ services, actor, input, status }) => {
      const { message, created } = await services.messages.send(actor, input.params.id, input.body);
      if (!created) status(200);
      return message;
    },
  }),
  route('PATCH /v1/messages/:id', {
    tag,
    summary: 'Edit your own message',
    description:
      'Replaces the text of a message you sent and answers it with `editedAt` set and its `version` bumped; the room ' +
      "hears `message:updated`. Others' and system messages are `forbidden`; a deleted one is `conflict`.",
    params: messageParamsSchema,
    body: editMessageSchema,
    handler: async ({ services, actor, input }) => services.messages.edit(actor, input.params.id, input.body.text),
  }),
  route('DELETE /v1/messages/:id', {
    tag,
    summary: 'Delete a message; returns the tombstone',
    description:
      'Your own messages; agents, admins and room owners may delete any in rooms they moderate (`forbidden` otherwise). ' +
      'The message keeps its place as a tombstone (`deletedAt` set, text and reactions gone); the room hears ' +
      "`message:deleted`. A moderator removing someone else's message may give a `reason`; the audit log keeps it.",
    params: messageParamsSchema,
    query: deleteMessageQuerySchema,
    handler: async ({ services, actor, input }) => services.messages.delete(actor, input.params.id, input.query.reason),
  }),
  route('PUT /v1/messages/:id/reactions/:emoji', {
    tag,
    summary: 'React to a message (idempotent)',
    description:
      "Adds your reaction `emoji` (one emoji, URL-encoded) and answers the message's reactions and new `version`; " +
      `reacting twice changes nothing. The room hears \`reaction:updated\`. A deleted message is \`conflict\`. ${MEMBERS}`,
    params: reactionParamsSchema,
    handler: async ({ services, actor, input }) => services.messages.react(actor, input.params.id, input.params.emoji, true),
  }),
  route('DELETE /v1/messages/:id/reactions/:emoji', {
    tag,
    summary: 'Remove your reaction',
    description:
      "Removes your reaction `emoji` and answers the message's reactions; removing one you did not give changes nothing. " +
      `The room hears \`reaction:updated\`. ${MEMBERS}`,
    params: reactionParamsSchema,
    handler: async ({ services, actor, input }) => services.messages.react(actor, input.params.id, input.params.emoji, false),
  }),
  route('POST /v1/rooms/:id/read', {
    tag,
    summary: 'Move your read watermark forward to `seq`',
    description:
      'Marks every message up to `seq` as read by you (and delivered). The watermark only moves forward: an older `seq` ' +
      'answers the current state. Your other devices hear `room:read`, the room coalesced `room:receipts`. ' +
      MEMBERS,
    params: roomParamsSchema,
    body: readSchema,
    handler: async ({ services, actor, input }) => services.receipts.markRead(actor, input.params.id, input.body.seq),
  }),
  route('GET /v1/rooms/:id/receipts', {
    tag,
    summary: "Members' delivered and read watermarks",
    description:
      "Every member's `deliveredSeq` and `readSeq`, a page at a time by user id (`limit`, `cursor`): what per-person " +
      `"seen by" needs in large rooms, where \`room:receipts\` carries only the lowest watermarks. ${MEMBERS}`,
    params: roomParamsSchema,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.receipts.receipts(actor, input.params.id, input.query),
  }),
];
