import type Koa from 'koa';

import {
  exchangeSchema,
  type GuestInput,
  guestSchema,
  type LoginInput,
  loginSchema,
  logoutSchema,
  refreshSchema,
  type RegisterInput,
  registerSchema,
} from '../../services/auth/schemas.js';
import { clientHash } from '../../services/auth/tokens.js';
import { assertOriginAllowedFor } from '../middleware/origin.js';
import { route } from '../route.js';

const tag = 'auth';
// Per address and username, never per username alone: strangers failing for a name must not lock its owner out.
const byLogin = (ctx: Koa.Context, body: Record<string, unknown>) =>
  typeof body.username === 'string' ? [`auth:login:ip-user:${ctx.ip}:${body.username.trim().toLowerCase()}`] : [];

export const authRoutes = [
  route<{}, {}, RegisterInput>({
    method: 'post',
    path: '/v1/auth/register',
    tag,
    auth: 'app',
    status: 201,
    response: 'AuthSession',
    summary: 'Create an account with username and password; signs in',
    body: registerSchema,
    handler: async ({ services, app, actor, input }) => services.auth.register(app, input.body, actor),
  }),
  route<{}, {}, LoginInput>({
    method: 'post',
    path: '/v1/auth/login',
    tag,
    auth: 'app',
    response: 'AuthSession',
    summary: 'Sign in with username (or email) and password',
    body: loginSchema,
    throttle: byLogin,
    handler: async ({ services, app, actor, input }) => services.auth.login(app, input.body, actor),
  }),
  route<{}, {}, GuestInput>({
    method: 'post',
    path: '/v1/auth/guest',
    tag,
    auth: 'app',
    status: 201,
    response: 'AuthSession',
    summary: 'Start an anonymous visitor session',
    body: guestSchema,
    handler: async ({ services, app, input }) => services.auth.guest(app, input.body),
  }),
  route<{}, {}, { token: string }>({
    method: 'post',
    path: '/v1/auth/exchange',
    tag,
    auth: 'app',
    response: 'AuthSession',
    summary: "Exchange a token signed by the host site's backend (HS256, app secret) for a session",
    body: exchangeSchema,
    handler: async ({ services, app, actor, input }) => services.auth.exchange(app, input.body.token, actor),
  }),
  route<{}, {}, { refreshToken: string }>({
    method: 'post',
    path: '/v1/auth/refresh',
    tag,
    auth: 'none',
    response: 'AuthSession',
    summary: 'Rotate a refresh token; reusing an old one revokes the whole session',
    body: refreshSchema,
    handler: async ({ services, input, koa }) =>
      services.auth.refresh(input.body.refreshToken, {
        client: clientHash(koa.ip, koa.get('user-agent')),
        // The route names no app: the origin is checked against the app of the token's user.
        assertApp: (appId) => assertOriginAllowedFor(koa, appId),
      }),
  }),
  route<{}, {}, { refreshToken?: string }>({
    method: 'post',
    path: '/v1/auth/logout',
    tag,
    auth: 'user',
    status: 204,
    summary: 'End the session: its refresh and access tokens stop working',
    body: logoutSchema,
    handler: async ({ services, actor, input }) => services.auth.logout(actor, input.body.refreshToken),
  }),
];
