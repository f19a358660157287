import { LIMITS } from '@confab/protocol';
import Joi from 'joi';

import { idSchema, pageSchema } from '../../services/fields.js';
import { noteCreateSchema } from '../../services/support/note-schemas.js';
import { route } from '../route.js';

const tag = 'support';
const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const PRIVATE =
  'Notes are not messages: they are never in the history, catch-up, last message, message webhooks or search, ' +
  'and no visitor socket hears them.';
const STAFF = 'Agents and admins only (`forbidden` otherwise); a conversation of another app is `not_found`.';

export const noteRoutes = [
  route('GET /v1/support/conversations/:id/notes', {
    tag,
    summary: "A conversation's private notes, oldest first",
    description: `The team's notes on the conversation, oldest first; deleted ones are left out. ${PRIVATE} ${STAFF}`,
    params: idParams,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.notes.list(actor, input.params.id, input.query),
  }),
  route('POST /v1/support/conversations/:id/notes', {
    tag,
    summary: 'Write a private note on a conversation',
    description:
      `Text of 1 to ${LIMITS.messageTextMax} characters (trimmed). \`@username\` of an agent or admin of the app ` +
      'mentions them: they hear `support:mention`; every agent hears `support:note`. A retry with the same ' +
      '`clientId` answers 200 with the first note (`conflict` when that clientId named a note on another ' +
      `conversation). ${PRIVATE} ${STAFF}`,
    params: idParams,
    body: noteCreateSchema,
    handler: async ({ services, actor, input, status }) => {
      const { note, created } = await services.notes.add(actor, input.params.id, input.body);
      if (!created) status(200);
      return note;
    },
  }),
  route('DELETE /v1/support/notes/:id', {
    tag,
    summary: 'Delete a private note',
    description:
      'Its author or an admin of the app (`forbidden` for other agents); answers 204 and agents hear `support:note` ' +
      'with `deletedAt` set. A note already deleted, or of another app, is `not_found`.',
    params: idParams,
    handler: async ({ services, actor, input }) => services.notes.remove(actor, input.params.id),
  }),
];
