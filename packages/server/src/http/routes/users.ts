import type { Readable } from 'node:stream';

import type Koa from 'koa';

import { RateLimitedError } from '../../errors.js';
import type { Actor } from '../../services/actor.js';
import { pageSchema } from '../../services/fields.js';
import { eraseMeSchema } from '../../services/moderation/schemas.js';
import { listUsersSchema, updateMeSchema } from '../../services/users/schemas.js';
import { route } from '../route.js';

const tag = 'users';
const EXPORT_RATE = { limit: 5, periodMs: 3_600_000 };
const ERASE_RATE = { limit: 5, periodMs: 3_600_000 };

/** The archive as a download named after its person and day. */
export function exportResponse(koa: Koa.Context, archive: Readable, userId: string): Readable {
  koa.type = 'application/json; charset=utf-8';
  koa.set('Content-Disposition', `attachment; filename="confab-export-${userId}-${new Date().toISOString().slice(0, 10)}.json"`);
  koa.set('Cache-Control', 'no-store');
  return archive;
}

export const userRoutes = [
  route('GET /v1/me', {
    tag,
    summary: 'Your own profile',
    description: "The caller's user, with their email and metadata. Any signed-in user, guests included.",
    handler: async ({ services, actor }) => services.users.me(actor),
  }),
  route('GET /v1/me/messages', {
    tag,
    summary: 'Your own messages across every room, newest first',
    description:
      'Every message you wrote, in any room (also rooms you have since left), newest first, with its `roomId`; ' +
      'deleted messages and system events are left out. Page with `cursor` (the `nextCursor` of the previous page) ' +
      'and `limit`; a cursor that names none of your messages is `validation_failed`.',
    query: pageSchema,
    handler: async ({ services, actor, input }) => services.myMessages.list(actor, input.query),
  }),
  route('GET /v1/me/export', {
    tag,
    summary: 'Everything Confab holds about you, as a JSON archive',
    description:
      'Streams a JSON file (`Content-Disposition: attachment`): your profile; your rooms with your role and read ' +
      'marks; every message you wrote (deleted ones as tombstones) with the reactions on it (emoji and count) and ' +
      'how many members have read it; your own reactions; your uploads with their download paths (which need a ' +
      'sign-in or a signed link). Nobody else’s messages, names or emails are in it. Written page by page, so its ' +
      'size does not matter to the server. 5 an hour per user, else `rate_limited`.',
    handler: async ({ services, actor, koa }) => {
      const allowed = await services.throttle.consume(`export:${actor.id}`, EXPORT_RATE);
      if (!allowed.allowed) throw new RateLimitedError(allowed.retryAfterMs);
      return exportResponse(koa, services.userExport.stream(actor.appId, actor.id, actor), actor.id);
    },
  }),
  route('PATCH /v1/me', {
    tag,
    summary: 'Update your profile; `null` clears a field',
    description:
      'Changes name, last name, email, avatar URL or metadata (at most 4 KiB of JSON). An email another user of the app ' +
      'has is `conflict`. Throttled by `AUTH_RATE` per IP and per user (`rate_limited`), so email changes cannot probe ' +
      'for accounts.',
    body: updateMeSchema,
    throttle: (ctx) => [`auth:me:user:${(ctx.state.actor as Actor).id}`],
    handler: async ({ services, actor, input }) => services.users.updateMe(actor, input.body),
  }),
  route('DELETE /v1/me', {
    tag,
    summary: 'Erase your data: your profile, your messages’ texts, your uploads, your sessions',
    description:
      'Members who sign in with a password send `{ password }`; those who came through the host site send `{ token }`, a ' +
      'host-signed token as for `/v1/auth/exchange` for their own external id, issued (`iat`) at most 5 minutes ago; ' +
      'guests need no more than their session. Anything else is `forbidden`. The profile becomes "Deleted user", every ' +
      'message of yours a tombstone (its place in the room kept), your uploads are deleted and every session of yours ' +
      'ends; rooms you were in hear `user:erased`. Idempotent. 200 with `done`, or 202 with `pending` when it takes ' +
      'longer: it goes on, and resumes after a restart. 5 an hour per user, else `rate_limited`.',
    body: eraseMeSchema,
    handler: async ({ services, actor, app, input, status }) => {
      const allowed = await services.throttle.consume(`erase:${actor.id}`, ERASE_RATE);
      if (!allowed.allowed) throw new RateLimitedError(allowed.retryAfterMs);
      const erasure = await services.erasure.eraseMe(actor, app, input.body ?? {});
      if (erasure.status === 'pending') status(202);
      return erasure;
    },
  }),
  route('GET /v1/users', {
    tag,
    summary: 'Members of your app except you, by name',
    description:
      '`q` searches names and usernames, and emails for agents and admins, who also see them. Paged with `limit` and ' +
      "`cursor` (the previous page's `nextCursor`). Members only: guests get `forbidden`.",
    query: listUsersSchema,
    handler: async ({ services, actor, input }) => services.users.list(actor, input.query),
  }),
];
