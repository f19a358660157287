import Joi from 'joi';
import { LIMITS } from '@confab/protocol';
import { toAppDto } from '../../services/apps/apps-service.js';
import { route } from '../route.js';

const tag = 'admin';
const origins = Joi.array().items(Joi.string().max(LIMITS.urlMax)).max(100);

export const adminRoutes = [
  route({
    method: 'get', path: '/v1/admin/apps', tag, auth: 'admin', response: 'AppPage',
    summary: 'Every app (tenant) of this server',
    handler: async ({ services }) => ({ items: (await services.apps.list()).map(toAppDto), hasMore: false }),
  }),
  route<{}, {}, { name: string; origins: string[] }>({
    method: 'post', path: '/v1/admin/apps', tag, auth: 'admin', status: 201, response: 'AppWithSecret',
    summary: 'Create an app; the reply is the only time its secret is shown',
    body: Joi.object({ name: Joi.string().trim().min(1).max(LIMITS.nameMax).required(), origins: origins.default([]) }),
    handler: async ({ services, input }) => {
      const app = await services.apps.create({ name: input.body.name, origins: input.body.origins });
      return { ...toAppDto(app), secret: app.secret };
    },
  }),
  route<{ id: string }, {}, { origins: string[] }>({
    method: 'put', path: '/v1/admin/apps/:id/origins', tag, auth: 'admin', response: 'App',
    summary: "Replace an app's allowed origins",
    params: Joi.object({ id: Joi.string().max(64).required() }),
    body: Joi.object({ origins: origins.required() }),
    handler: async ({ services, input }) => toAppDto(await services.apps.setOrigins(input.params.id, input.body.origins)),
  }),
];
