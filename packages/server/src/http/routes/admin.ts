import { type AppSettingsDto, LIMITS, WEBHOOK_EVENTS } from '@confab/protocol';
import Joi from 'joi';

import { toAppDto } from '../../services/apps/apps-service.js';
import { cursorSchema, limitSchema } from '../../services/pagination.js';
import { idSchema } from '../../services/rooms/schemas.js';
import { appSettingsSchema } from '../../services/support/schemas.js';
import type { DeliveriesQuery, WebhookInput } from '../../services/webhooks/webhooks-service.js';
import { route } from '../route.js';

const tag = 'admin';
const origins = Joi.array().items(Joi.string().max(LIMITS.urlMax)).max(100);

export const adminRoutes = [
  route({
    method: 'get',
    path: '/v1/admin/apps',
    tag,
    auth: 'admin',
    response: 'AppPage',
    summary: 'Every app (tenant) of this server',
    handler: async ({ services }) => ({ items: (await services.apps.list()).map(toAppDto), hasMore: false }),
  }),
  route<{}, {}, { name: string; origins: string[] }>({
    method: 'post',
    path: '/v1/admin/apps',
    tag,
    auth: 'admin',
    status: 201,
    response: 'AppWithSecret',
    summary: 'Create an app; the reply is the only time its secret is shown',
    body: Joi.object({ name: Joi.string().trim().min(1).max(LIMITS.nameMax).required(), origins: origins.default([]) }),
    handler: async ({ services, input }) => {
      const app = await services.apps.create({ name: input.body.name, origins: input.body.origins });
      return { ...toAppDto(app), secret: app.secret };
    },
  }),
  route<{ id: string }, {}, { origins: string[] }>({
    method: 'put',
    path: '/v1/admin/apps/:id/origins',
    tag,
    auth: 'admin',
    response: 'App',
    summary: "Replace an app's allowed origins",
    params: Joi.object({ id: Joi.string().max(64).required() }),
    body: Joi.object({ origins: origins.required() }),
    handler: async ({ services, input }) => toAppDto(await services.apps.setOrigins(input.params.id, input.body.origins)),
  }),
];

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

export const adminSupportRoutes = [
  route<{ id: string }, {}, AppSettingsDto>({
    method: 'patch',
    path: '/v1/admin/apps/:id/settings',
    tag,
    auth: 'admin',
    response: 'App',
    summary: 'Change greeting, away message, business hours or message rate (null removes one)',
    params: appParams,
    body: appSettingsSchema,
    handler: async ({ services, input }) => toAppDto(await services.apps.updateSettings(input.params.id, input.body)),
  }),
  route<{ id: string }>({
    method: 'get',
    path: '/v1/admin/apps/:id/webhooks',
    tag,
    auth: 'admin',
    response: 'WebhookPage',
    summary: "An app's webhooks",
    params: appParams,
    handler: async ({ services, input }) => services.webhooks.list(input.params.id),
  }),
  route<{ id: string }, {}, WebhookInput>({
    method: 'post',
    path: '/v1/admin/apps/:id/webhooks',
    tag,
    auth: 'admin',
    status: 201,
    response: 'WebhookWithSecret',
    summary: 'Add a webhook; the reply is the only time its signing secret is shown',
    params: appParams,
    body: Joi.object({ url: webhookUrl.required(), events: webhookEvents.required(), active: Joi.boolean() }),
    handler: async ({ services, input }) => services.webhooks.create(input.params.id, input.body),
  }),
  route<{ id: string; webhookId: string }, {}, Partial<WebhookInput>>({
    method: 'patch',
    path: '/v1/admin/apps/:id/webhooks/:webhookId',
    tag,
    auth: 'admin',
    response: 'Webhook',
    summary: "Change a webhook's URL, events or whether it is active",
    params: webhookParams,
    body: Joi.object({ url: webhookUrl, events: webhookEvents, active: Joi.boolean() }).min(1),
    handler: async ({ services, input }) => services.webhooks.update(input.params.id, input.params.webhookId, input.body),
  }),
  route<{ id: string; webhookId: string }>({
    method: 'delete',
    path: '/v1/admin/apps/:id/webhooks/:webhookId',
    tag,
    auth: 'admin',
    status: 204,
    summary: 'Remove a webhook and its delivery history',
    params: webhookParams,
    handler: async ({ services, input }) => services.webhooks.delete(input.params.id, input.params.webhookId),
  }),
  route<{ id: string; webhookId: string }, DeliveriesQuery>({
    method: 'get',
    path: '/v1/admin/apps/:id/webhooks/:webhookId/deliveries',
    tag,
    auth: 'admin',
    response: 'WebhookDeliveryPage',
    summary: "A webhook's deliveries, newest first, with their last status",
    params: webhookParams,
    query: Joi.object({ status: Joi.string().valid('pending', 'delivered', 'failed'), limit: limitSchema, cursor: cursorSchema }),
    handler: async ({ services, input }) => services.webhooks.deliveries(input.params.id, input.params.webhookId, input.query),
  }),
  route<{ id: string; webhookId: string; deliveryId: string }>({
    method: 'post',
    path: '/v1/admin/apps/:id/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    tag,
    auth: 'admin',
    response: 'WebhookDelivery',
    summary: 'Send a delivery again now (e.g. one that was given up)',
    params: Joi.object({ id: Joi.string().max(64).required(), webhookId: idSchema.required(), deliveryId: idSchema.required() }),
    handler: async ({ services, input }) => services.webhooks.redeliver(input.params.id, input.params.webhookId, input.params.deliveryId),
  }),
];
