import { type AppOriginsInput, type CreateAppInput, LIMITS, WEBHOOK_EVENTS } from '@confab/protocol';
import Joi from 'joi';

import { NotFoundError } from '../../errors.js';
import { toAppDto } from '../../services/apps/apps-service.js';
import { idSchema, type WithDefaults } from '../../services/fields.js';
import { cursorSchema, limitSchema } from '../../services/pagination.js';
import { appSettingsSchema } from '../../services/support/schemas.js';
import type { DeliveriesQuery, WebhookInput } from '../../services/webhooks/webhooks-service.js';
import { requestOrigin } from '../middleware/origin.js';
import { route } from '../route.js';
import { exportResponse } from './users.js';

const tag = 'admin';
const ADMIN = 'Operator only: the `ADMIN_TOKEN` as bearer token (`unauthorized` without it, `forbidden` when the server has none).';
const origins = Joi.array().items(Joi.string().max(LIMITS.urlMax)).max(100);
const appParams = Joi.object<{ id: string }>({ id: Joi.string().max(64).required() });
const webhookParams = Joi.object<{ id: string; webhookId: string }>({
  id: Joi.string().max(64).required(),
  webhookId: idSchema.required(),
});
const webhookUrl = Joi.string()
  .trim()
  .uri({ scheme: ['http', 'https'] })
  .max(LIMITS.urlMax);
const webhookEvents = Joi.array()
  .items(Joi.string().valid(...WEBHOOK_EVENTS))
  .min(1)
  .unique();

export const adminRoutes = [
  route('GET /v1/admin/apps', {
    tag,
    summary: 'Every app (tenant) of this server',
    description: `Every app with its allowed origins and settings, oldest first; secrets are never listed. ${ADMIN}`,
    handler: async ({ services }) => ({ items: (await services.apps.list()).map(toAppDto), hasMore: false }),
  }),
  route('POST /v1/admin/apps', {
    tag,
    summary: 'Create an app; the reply is the only time its secret is shown',
    description:
      'An app is a tenant: its own users, rooms and settings. `origins` are the pages allowed to call the API for it ' +
      '(`https://example.com`, `http://localhost:*`; `validation_failed` for anything else). The `secret` in the reply ' +
      `signs host tokens for \`POST /v1/auth/exchange\` and is never shown again. ${ADMIN}`,
    body: Joi.object<WithDefaults<CreateAppInput, 'origins'>>({
      name: Joi.string().trim().min(1).max(LIMITS.nameMax).required(),
      origins: origins.default([]),
    }),
    handler: async ({ services, input }) => {
      const app = await services.apps.create({ name: input.body.name, origins: input.body.origins });
      return { ...toAppDto(app), secret: app.secret };
    },
  }),
  route('PUT /v1/admin/apps/:id/origins', {
    tag,
    summary: "Replace an app's allowed origins",
    description: `Replaces the whole list; pages of other origins get \`origin_not_allowed\` within seconds. ${ADMIN}`,
    params: appParams,
    body: Joi.object<AppOriginsInput>({ origins: origins.required() }),
    handler: async ({ services, input }) => toAppDto(await services.apps.setOrigins(input.params.id, input.body.origins)),
  }),
];

export const adminSupportRoutes = [
  route('PATCH /v1/admin/apps/:id/settings', {
    tag,
    summary: 'Change greeting, away message, business hours or message rate',
    description:
      'Merges the fields given into the settings; `null` removes one. Business hours are per weekday in an IANA time ' +
      'zone; `messageRate` (`N/unit` or `unlimited`) overrides `MESSAGE_RATE` for this app; `assignment` is what ' +
      "`PUT /v1/support/assignment` sets (the app's admins set it there too). Widgets hear the change " +
      `through \`support:availability\`. ${ADMIN}`,
    params: appParams,
    body: appSettingsSchema,
    handler: async ({ services, input }) => toAppDto(await services.apps.updateSettings(input.params.id, input.body)),
  }),
  route('POST /v1/admin/apps/:id/inbound-secret', {
    tag,
    summary: "Make a new inbound secret for an app's replies by email",
    description:
      'What `POST /v1/support/mail-settings/inbound-secret` does for the app’s own admins, for the operator: replaces ' +
      'the inbound secret, answered this once with the username and URL a mail provider posts to (HTTP Basic). ' +
      `The previous secret stops working at once. ${ADMIN}`,
    params: appParams,
    handler: async ({ services, input, koa }) => {
      await services.apps.get(input.params.id);
      return services.mailSettings.newInboundSecret(input.params.id, requestOrigin(koa));
    },
  }),
  route('GET /v1/admin/apps/:id/users/:userId/export', {
    tag,
    summary: 'Everything Confab holds about one user of an app, as a JSON archive',
    description: `What \`GET /v1/me/export\` gives a person, for the operator (a data-access request). ${ADMIN}`,
    params: Joi.object<{ id: string; userId: string }>({ id: Joi.string().max(64).required(), userId: idSchema.required() }),
    handler: async ({ services, input, koa }) => {
      const { id, userId } = input.params;
      const app = await services.apps.get(id);
      if (!(await services.users.exists(app.id, userId))) throw new NotFoundError('User');
      return exportResponse(koa, services.userExport.stream(app.id, userId, { id: userId, role: 'admin' }), userId);
    },
  }),
  route('DELETE /v1/admin/apps/:id/users/:userId', {
    tag,
    summary: "Erase one user's data",
    description:
      `What \`DELETE /v1/me\` does, for the operator (an erasure request that came another way). 200 with \`done\`, or ` +
      `202 with \`pending\` while it goes on (it resumes after a restart). Idempotent. ${ADMIN}`,
    params: Joi.object<{ id: string; userId: string }>({ id: Joi.string().max(64).required(), userId: idSchema.required() }),
    handler: async ({ services, input, status }) => {
      const { id, userId } = input.params;
      const app = await services.apps.get(id);
      if (!(await services.users.exists(app.id, userId))) throw new NotFoundError('User');
      const erasure = await services.erasure.start(app.id, userId, 'operator');
      if (erasure.status === 'pending') status(202);
      return erasure;
    },
  }),
  route('GET /v1/admin/apps/:id/webhooks', {
    tag,
    summary: "An app's webhooks",
    description: `The app's webhook endpoints, without their signing secrets. ${ADMIN}`,
    params: appParams,
    handler: async ({ services, input }) => services.webhooks.list(input.params.id),
  }),
  route('POST /v1/admin/apps/:id/webhooks', {
    tag,
    summary: 'Add a webhook; the reply is the only time its signing secret is shown',
    description:
      'Confab POSTs the `events` chosen to `url` as JSON, signed with `X-Confab-Signature` (HMAC-SHA256 with the secret ' +
      'in the reply), and retries with backoff until a 2xx. At most 20 per app (`conflict`). ' +
      ADMIN,
    params: appParams,
    body: Joi.object<WebhookInput>({ url: webhookUrl.required(), events: webhookEvents.required(), active: Joi.boolean() }),
    handler: async ({ services, input }) => services.webhooks.create(input.params.id, input.body),
  }),
  route('PATCH /v1/admin/apps/:id/webhooks/:webhookId', {
    tag,
    summary: "Change a webhook's URL, events or whether it is active",
    description: `An inactive webhook gets no new deliveries; those already queued still go out. ${ADMIN}`,
    params: webhookParams,
    body: Joi.object<Partial<WebhookInput>>({ url: webhookUrl, events: webhookEvents, active: Joi.boolean() }).min(1),
    handler: async ({ services, input }) => services.webhooks.update(input.params.id, input.params.webhookId, input.body),
  }),
  route('DELETE /v1/admin/apps/:id/webhooks/:webhookId', {
    tag,
    summary: 'Remove a webhook and its delivery history',
    description: `Pending deliveries are dropped with it; answers 204. ${ADMIN}`,
    params: webhookParams,
    handler: async ({ services, input }) => services.webhooks.delete(input.params.id, input.params.webhookId),
  }),
  route('GET /v1/admin/apps/:id/webhooks/:webhookId/deliveries', {
    tag,
    summary: "A webhook's deliveries, newest first, with their last status",
    description:
      'Each event sent (or being retried) with its attempts, last HTTP status or error and next attempt; filter by ' +
      `\`status\` (\`pending\`, \`delivered\`, \`failed\` = given up). Paged with \`limit\` and \`cursor\`. ${ADMIN}`,
    params: webhookParams,
    query: Joi.object<DeliveriesQuery>({
      status: Joi.string().valid('pending', 'delivered', 'failed'),
      limit: limitSchema,
      cursor: cursorSchema,
    }),
    handler: async ({ services, input }) => services.webhooks.deliveries(input.params.id, input.params.webhookId, input.query),
  }),
  route('POST /v1/admin/apps/:id/webhooks/:webhookId/deliveries/:deliveryId/redeliver', {
    tag,
    summary: 'Send a delivery again now',
    description: `Queues the delivery for an immediate attempt, e.g. one that was given up (\`failed\`), with the same event id. ${ADMIN}`,
    params: Joi.object<{ id: string; webhookId: string; deliveryId: string }>({
      id: Joi.string().max(64).required(),
      webhookId: idSchema.required(),
      deliveryId: idSchema.required(),
    }),
    handler: async ({ services, input }) => services.webhooks.redeliver(input.params.id, input.params.webhookId, input.params.deliveryId),
  }),
];
