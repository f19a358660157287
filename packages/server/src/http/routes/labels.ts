import { LABEL_COLOURS, LIMITS } from '@confab/protocol';
import Joi from 'joi';

import { idSchema } from '../../services/fields.js';
import { labelCreateSchema, labelUpdateSchema } from '../../services/support/label-schemas.js';
import { LABELS_PER_APP_MAX } from '../../services/support/labels.js';
import { route } from '../route.js';

const tag = 'support';
const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const linkParams = Joi.object<{ id: string; labelId: string }>({ id: idSchema.required(), labelId: idSchema.required() });
const STAFF = 'Agents and admins only (`forbidden` otherwise).';
const COLOURS = LABEL_COLOURS.map((c) => `\`${c}\``).join(', ');

export const labelRoutes = [
  route('GET /v1/support/labels', {
    tag,
    summary: "The app's conversation labels, by name",
    description: `Every label of the app (at most ${LABELS_PER_APP_MAX}), ordered by name ignoring case. ${STAFF}`,
    handler: async ({ services, actor }) => services.labels.list(actor),
  }),
  route('POST /v1/support/labels', {
    tag,
    summary: 'Create a label',
    description:
      `A name of 1 to ${LIMITS.labelNameMax} characters, unique in the app ignoring case (\`conflict\`), and a colour ` +
      `from the palette: ${COLOURS} (clients pick shades that read in their themes). Agents hear \`support:labels\`. ${STAFF}`,
    body: labelCreateSchema,
    handler: async ({ services, actor, input }) => services.labels.create(actor, input.body),
  }),
  route('PATCH /v1/support/labels/:id', {
    tag,
    summary: 'Rename or recolour a label',
    description:
      'Changes the name (`conflict` when another label has it) or the colour; conversations carrying the label show the ' +
      `change. Agents hear \`support:labels\`. A label of another app is \`not_found\`. ${STAFF}`,
    params: idParams,
    body: labelUpdateSchema,
    handler: async ({ services, actor, input }) => services.labels.update(actor, input.params.id, input.body),
  }),
  route('DELETE /v1/support/labels/:id', {
    tag,
    summary: 'Delete a label',
    description: `Deletes the label and takes it off every conversation; answers 204. Agents hear \`support:labels\`. ${STAFF}`,
    params: idParams,
    handler: async ({ services, actor, input }) => services.labels.remove(actor, input.params.id),
  }),
  route('PUT /v1/support/conversations/:id/labels/:labelId', {
    tag,
    summary: 'Put a label on a conversation',
    description:
      'Idempotent: a label already on the conversation changes nothing. Answers the conversation with its labels; ' +
      'agents hear `support:conversation` when it changed. A conversation or label of another app is `not_found`. ' +
      STAFF,
    params: linkParams,
    handler: async ({ services, actor, input }) => services.labels.apply(actor, input.params.id, input.params.labelId),
  }),
  route('DELETE /v1/support/conversations/:id/labels/:labelId', {
    tag,
    summary: 'Take a label off a conversation',
    description:
      'Idempotent: a label not on the conversation changes nothing. Answers the conversation with its labels; agents ' +
      `hear \`support:conversation\` when it changed. ${STAFF}`,
    params: linkParams,
    handler: async ({ services, actor, input }) => services.labels.unapply(actor, input.params.id, input.params.labelId),
  }),
];
