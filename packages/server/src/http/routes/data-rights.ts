import { ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.js';
import type { Actor } from '../../services/actor.js';
import type { Services } from '../../services/index.js';
import { userParamsSchema } from '../../services/moderation/schemas.js';
import { route } from '../route.js';
import { exportResponse } from './users.js';

const tag = 'moderation';
const ADMIN_RATE = { limit: 60, periodMs: 3_600_000 };
const ADMINS = "Admins of the app only (`forbidden` otherwise); another app's user is `not_found`.";

/** The person of the caller's app an admin asks about: never another app's; another admin only for export. */
async function subject(services: Services, actor: Actor, userId: string, erasing: boolean): Promise<void> {
  if (actor.role !== 'admin') throw new ForbiddenError('Only admins of this app can do this');
  const allowed = await services.throttle.consume(`data-rights:${actor.id}`, ADMIN_RATE);
  if (!allowed.allowed) throw new RateLimitedError(allowed.retryAfterMs);
  const role = await services.users.roleOf(actor.appId, userId);
  if (!role) throw new NotFoundError('User');
  if (erasing && userId === actor.id) throw new ForbiddenError('Erase your own account with DELETE /v1/me');
  if (erasing && role === 'admin') throw new ForbiddenError('Admins cannot erase another admin');
}

export const dataRightsRoutes = [
  route('GET /v1/moderation/users/:userId/export', {
    tag,
    summary: 'Everything Confab holds about one person of the app, as a JSON archive',
    description: `What \`GET /v1/me/export\` gives a person, for the app's admins (a data-access request). 60 an hour. ${ADMINS}`,
    params: userParamsSchema,
    handler: async ({ services, actor, input, koa }) => {
      await subject(services, actor, input.params.userId, false);
      return exportResponse(koa, services.userExport.stream(actor.appId, input.params.userId, actor), input.params.userId);
    },
  }),
  route('DELETE /v1/moderation/users/:userId', {
    tag,
    summary: "Erase one person's data",
    description:
      "What `DELETE /v1/me` does, for the app's admins (an erasure request that came another way): 200 with `done`, or " +
      `202 with \`pending\` while it goes on (it resumes after a restart). Idempotent. Not yourself, nor another admin. ${ADMINS}`,
    params: userParamsSchema,
    handler: async ({ services, actor, input, status }) => {
      await subject(services, actor, input.params.userId, true);
      const erasure = await services.erasure.start(actor.appId, input.params.userId, 'admin');
      if (erasure.status === 'pending') status(202);
      return erasure;
    },
  }),
];
