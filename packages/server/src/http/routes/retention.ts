import { ForbiddenError } from '../../errors.js';
import { requireStaff } from '../../services/actor.js';
import { retentionSchema } from '../../services/moderation/schemas.js';
import { route } from '../route.js';

const tag = 'moderation';

export const retentionRoutes = [
  route('GET /v1/moderation/retention', {
    tag,
    summary: 'What the app deletes by age',
    description:
      'Messages older than `messagesDays` and visitors (guests) idle for `guestsDays` are deleted by the hourly ' +
      'housekeeping, in small batches; null keeps them for ever (the default). Agents and admins of the app.',
    handler: async ({ services, actor }) => {
      requireStaff(actor);
      return services.retention.get(actor.appId);
    },
  }),
  route('PUT /v1/moderation/retention', {
    tag,
    summary: 'Change what the app deletes by age',
    description:
      'Either field, 1 to 3650 days, or null to keep for ever; the other keeps its value. Deleted messages are gone ' +
      "(their room's history starts later; seq numbers are not reused) with their files; idle guests are erased as " +
      'by `DELETE /v1/me`. Admins of the app only; also settable as `retention` in the admin API’s app settings.',
    body: retentionSchema.min(1),
    handler: async ({ services, actor, input }) => {
      if (actor.role !== 'admin') throw new ForbiddenError('Only admins of this app can change retention');
      return services.retention.set(actor.appId, input.body);
    },
  }),
];
