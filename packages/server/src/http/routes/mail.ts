import Joi from 'joi';

import { idSchema } from '../../services/fields.js';
import { transcriptSchema } from '../../services/mail/transcripts.js';
import { route } from '../route.js';

const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });

export const mailRoutes = [
  route('POST /v1/support/conversations/:id/transcript', {
    tag: 'support',
    summary: "Email a conversation's transcript",
    description:
      'Queues the transcript (every message and system event in order, attachments as names with links; never ' +
      'private notes) in the durable mail outbox and answers 202 with the address. The visitor of the conversation ' +
      'may send it to the email they gave or to an `email` they name (3 an hour); an agent or admin of the app to the ' +
      'visitor or to any `email` (30 an hour). A repeat while no message was added queues nothing more. No email ' +
      'known and none given is `validation_failed`; another visitor’s conversation, or another app’s, is `not_found`. ' +
      'Mail goes out over SMTP_URL, or is written under DATA_DIR/mail when that is unset; it is sent at least once, ' +
      'a repeat keeping the same Message-ID.',
    params: idParams,
    body: transcriptSchema,
    handler: async ({ services, actor, input }) => services.transcripts.send(actor, input.params.id, input.body),
  }),
];
