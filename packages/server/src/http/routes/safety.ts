import { LIMITS } from '@confab/protocol';
import Joi from 'joi';

import { idSchema, pageSchema } from '../../services/fields.js';
import { pinParamsSchema, reportSchema, userParamsSchema } from '../../services/moderation/schemas.js';
import { route } from '../route.js';

// Pins (a room's moderators), blocks and reports (anyone protecting themselves).
const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });

export const safetyRoutes = [
  route('GET /v1/rooms/:id/pins', {
    tag: 'moderation',
    summary: "A room's pinned messages, newest pin first",
    description:
      `Members only (else \`forbidden\`). At most ${LIMITS.pinsPerRoomMax} pins, in one page. A pinned message that ` +
      'was deleted since is left out.',
    params: idParams,
    handler: async ({ services, actor, input }) => services.pins.list(actor, input.params.id),
  }),
  route('PUT /v1/rooms/:id/pins/:messageId', {
    tag: 'moderation',
    summary: 'Pin a message of the room',
    description:
      'For the room’s owners and moderators and the app’s admins and agents where they reach (group and public rooms; ' +
      'else `forbidden`). Idempotent: pinning a pinned message answers its pin. A deleted message, or a room that holds ' +
      `${LIMITS.pinsPerRoomMax} pins already, is \`conflict\`; a message of another room is \`not_found\`. The room hears ` +
      '`room:pins` with the whole list, and the audit log records `message.pinned`.',
    params: pinParamsSchema,
    handler: async ({ services, actor, input }) => services.pins.pin(actor, input.params.id, input.params.messageId),
  }),
  route('DELETE /v1/rooms/:id/pins/:messageId', {
    tag: 'moderation',
    summary: 'Unpin a message',
    description:
      'Who may pin may unpin (else `forbidden`). Idempotent: a message not pinned changes nothing. The room hears ' +
      '`room:pins`, and the audit log records `message.unpinned`.',
    params: pinParamsSchema,
    handler: async ({ services, actor, input }) => services.pins.unpin(actor, input.params.id, input.params.messageId),
  }),
  route('GET /v1/me/blocks', {
    tag: 'users',
    summary: 'People you blocked, newest first',
    description:
      'Someone you blocked cannot open a direct room with you nor write into one you share (nor can you, while the ' +
      'block stands). In shared rooms their messages are still delivered: your clients hide them using this list.',
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.blocks.list(actor, input.query),
  }),
  route('PUT /v1/me/blocks/:userId', {
    tag: 'users',
    summary: 'Block someone',
    description:
      'Idempotent. Yourself is `forbidden`; a user of another app is `not_found`. Direct messages either way are refused ' +
      'from now on (`forbidden`).',
    params: userParamsSchema,
    handler: async ({ services, actor, input }) => services.blocks.block(actor, input.params.userId),
  }),
  route('DELETE /v1/me/blocks/:userId', {
    tag: 'users',
    summary: 'Unblock someone',
    description: 'Direct messages between you two are possible again. Idempotent: unblocking someone not blocked changes nothing.',
    params: userParamsSchema,
    handler: async ({ services, actor, input }) => services.blocks.unblock(actor, input.params.userId),
  }),
  route('POST /v1/messages/:id/reports', {
    tag: 'moderation',
    summary: 'Report a message to the room’s moderators and the app’s staff',
    description:
      'Any member who can read the message; your own messages and system messages are `forbidden`. One report per ' +
      'message and person: the first answers 201, a repeat changes its reason and comment and answers 200. A new report ' +
      'goes to the room’s owners and moderators and the app’s admins and agents (`moderation:report`) and out as the ' +
      '`message.reported` webhook. 20 an hour per user, else `rate_limited`.',
    params: idParams,
    body: reportSchema,
    handler: async ({ services, actor, input, status }) => {
      const { report, created } = await services.messageReports.report(actor, input.params.id, input.body);
      if (!created) status(200);
      return report;
    },
  }),
  route('GET /v1/rooms/:id/reports', {
    tag: 'moderation',
    summary: "A room's reported messages, newest first",
    description: 'For the room’s moderators (as for pins; else `forbidden`). Keyset-paged with `limit` and `cursor`.',
    params: idParams,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.messageReports.ofRoom(actor, input.params.id, input.query),
  }),
  route('GET /v1/moderation/reports', {
    tag: 'moderation',
    summary: 'Every reported message of the app, newest first',
    description: 'For the app’s admins and agents (else `forbidden`). Keyset-paged with `limit` and `cursor`.',
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.messageReports.ofApp(actor, input.query),
  }),
];
