import Joi from 'joi';

import { idSchema, pageSchema } from '../../services/fields.js';
import { mailSettingsSchema } from '../../services/mail/settings.js';
import { transcriptSchema } from '../../services/mail/transcripts.js';
import { requestOrigin } from '../middleware/origin.js';
import { route } from '../route.js';

const tag = 'mail';
const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const STAFF = 'Agents and admins of the app only (`forbidden` otherwise)';

export const mailRoutes = [
  route('POST /v1/support/conversations/:id/transcript', {
    tag,
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
  route('GET /v1/support/conversations/:id/mails', {
    tag,
    summary: 'The mails sent about a conversation',
    description:
      'Transcripts, continuity mails and agent notifications of the conversation (digests naming several are left ' +
      'out), newest first, each with its address, status ' +
      '(`pending` until the SMTP server accepted it or the `.eml` file was written, `failed` once given up), ' +
      `attempts and last error. ${STAFF}; another app's conversation is \`not_found\`.`,
    params: idParams,
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.mailSettings.mails(actor, input.params.id, input.query),
  }),
  route('GET /v1/support/mail-settings', {
    tag,
    summary: "The app's mail settings",
    description:
      'Continuity (agents’ unread replies mailed to visitors who gave an email, after a delay), agent notifications ' +
      '(conversations waiting unanswered while no agent is online), where their links lead, whether replies by ' +
      `email can come in (an inbound secret is set), and whether mail goes over SMTP or into \`.eml\` files. ${STAFF}.`,
    handler: async ({ services, actor }) => services.mailSettings.get(actor),
  }),
  route('PUT /v1/support/mail-settings', {
    tag,
    summary: "Change the app's mail settings",
    description:
      'Any subset of the writable fields; the rest keep their values. Minutes are 1 to 1440; links are http(s) ' +
      'URLs or null. Admins of the app only (`forbidden` for agents and visitors). Also settable as `mail` in the ' +
      'admin API’s app settings.',
    body: mailSettingsSchema,
    handler: async ({ services, actor, input }) => services.mailSettings.set(actor, input.body),
  }),
  route('POST /v1/support/mail-settings/inbound-secret', {
    tag,
    summary: 'Make a new inbound secret',
    description:
      'Replaces the app’s inbound secret and answers it this once (only its hash is kept), with the username and ' +
      'URL a mail provider posts inbound mail to (HTTP Basic auth). The previous secret stops working at once. ' +
      'Admins of the app only.',
    handler: async ({ services, actor, koa }) => services.mailSettings.rotateInboundSecret(actor, requestOrigin(koa)),
  }),
];
